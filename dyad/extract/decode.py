"""Bytes to text: the charset a page declares, checked against its bytes.

Order: a byte-order mark; the HTTP `Content-Type` charset; `<meta charset>` or an XML declaration;
then detection. A declaration the bytes contradict (a page labelled UTF-8 that is really Latin-1,
a common server misconfiguration) is not trusted: the bytes are detected instead.
"""
import codecs
import logging

import charset_normalizer
import lxml.etree
import lxml.html
from w3lib.encoding import (html_body_declared_encoding, http_content_type_encoding,
                            read_bom, resolve_encoding)

log = logging.getLogger(__name__)

_SNIFF_BYTES = 4096


def decode_html(body: bytes, content_type: str = "") -> str:
    """The page as text, with the charset chosen as the module docstring says."""
    text, _encoding = decode_with_charset(body, content_type)
    return text


def decode_with_charset(body: bytes, content_type: str = "") -> tuple[str, str]:
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom):].decode(bom_encoding, errors="replace"), bom_encoding
    declared = (http_content_type_encoding(content_type or None)
                or html_body_declared_encoding(body[:_SNIFF_BYTES]))
    declared = resolve_encoding(declared) if declared else None
    if declared and not _is_utf8(declared):
        # Single-byte legacy charsets accept any bytes, so only UTF-8 claims can be checked.
        return body.decode(declared, errors="replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        guessed = _detect(body)
        if declared:
            log.debug("page declares %s but is not valid UTF-8; decoding as %s", declared, guessed)
        return body.decode(guessed, errors="replace"), guessed


# lxml.html's own lookup is a Python method, called each time lxml makes an element object (about
# 6,000 times a news page as trafilatura walks and copies it): a C-level lookup gives the same
# classes, less the form controls' subclasses, which nothing here uses. Same output on the 341
# corpus pages, 6 % less CPU.
_HTML_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """One lxml tree that every extractor shares; None for a page with no markup at all."""
    if not text.strip():
        return None
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a feed summary."""
    if not fragment or "<" not in fragment:
        return (fragment or "").strip()
    try:
        return " ".join(lxml.html.fromstring(fragment).text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return fragment.strip()


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def _detect(body: bytes) -> str:
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    # cp1252 decodes every byte, so it is the safe last resort for Western pages.
    return best.encoding if best is not None else "cp1252"
