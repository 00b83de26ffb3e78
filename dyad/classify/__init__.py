"""Classification of one article: topics, countries and the relation of its pair. Pure functions; the pipeline and the
`dyad classify` command both call `classify()`."""
from __future__ import annotations

import gc

from dyad.classify.countries import count_countries, country_pair
from dyad.classify.language import SAMPLE_CHARS, detect_language
from dyad.classify.language import warm_up as warm_up_language
from dyad.classify.relations import relation
from dyad.classify.topic_model import score_topics
from dyad.classify.topics import TAXONOMY


def classify(title: str, text: str, lead: str = "", published_at=None, language=None) -> dict:
    """Topic and country fields of a story row (the keys of schemas.STORIES they fill).

    `published_at` (a date or datetime; today when None) is the day people are resolved on;
    `language` is the page's declared language, a hint for the detector."""
    title = title or ""
    text = text or ""
    lead = lead or text.split("\n\n", 1)[0][:1500]
    # The detector reads the opening only (language.SAMPLE_CHARS): no copy of the whole text.
    detected, provenance = detect_language(f"{title}\n{text[:4 * SAMPLE_CHARS]}", language)
    topics = score_topics(title, text, detected)
    countries = count_countries(title, lead, text, published_at)
    pair, a, b = country_pair(countries)
    named = frozenset(c.code for c in countries)
    top = topics[0] if topics else None
    return {
        "language": detected,
        "language_provenance": provenance,
        "topic": top.label if top else None,
        "topic_iptc": top.iptc if top else None,
        "topic_score": top.score if top else None,
        "topics": [{"label": t.label, "iptc": t.iptc, "score": t.score} for t in topics],
        "countries": [{"code": c.code, "name": c.name, "mentions": c.mentions,
                       "salience": c.salience} for c in countries],
        "country_focus": countries[0].code if countries else None,
        "country_pair": pair,
        "country_a": a,
        "country_b": b,
        "relation": relation(title, text, detected, (a, b) if pair else None, published_at,
                             named),
    }


def warm_up() -> None:
    """Build the automata now (DoFn.setup), not on the first element.

    They and the gazetteers behind them are millions of objects that live as long as the process.
    The cyclic collector is off while they are built (its passes over them would find nothing
    to free: a fifth of the warm-up, and a collection before the freeze finds about a hundred
    objects in a tenth of a second), and they are then frozen out of it, so that they cost
    nothing in its later passes, including those at interpreter exit (half a second per worker
    process otherwise)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        warm_up_language()
        classify("", "")
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


__all__ = ["TAXONOMY", "classify", "warm_up"]
