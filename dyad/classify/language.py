"""Placeholder until the detector lands: the page's declared language."""


def detect_language(text: str, hint: str | None = None) -> tuple[str | None, str]:
    return ((hint or "").split("-")[0].lower() or None), "html-lang"
