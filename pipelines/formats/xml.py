"""Safe XML reading shared by the XML archive readers (WordPress WXR, Disqus).

Parsing goes through defusedxml with DTDs forbidden: entity expansion (billion laughs) and
external entities are rejected, never expanded.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, parse

from pipelines.formats.base import ArchiveError

_TAG = re.compile(r"<[^>]+>")
#: inline markup sits inside words ('<b>antiguos</b>?'): dropped without the space a block tag gets
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|s|small|span|strong|sub|sup|u)\b[^>]*>", re.IGNORECASE)


def parse_root(path: Path) -> Element:
    """The root element of an XML file; ArchiveError when it is unsafe or not well-formed."""
    try:
        return parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise ArchiveError(f"unsafe XML rejected ({type(exc).__name__}): {exc}") from exc
    except ParseError as exc:
        raise ArchiveError(f"not well-formed XML: {exc}") from exc


def local_name(tag: str) -> str:
    """A tag without its namespace: '{http://wordpress.org/export/1.2/}comment' -> 'comment'."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element) -> dict[str, Element]:
    """The element's children by namespace-less name, the first of each name: one pass over
    them, where looking each name up would walk them again (a WXR comment has a dozen)."""
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(local_name(child.tag), child)
    return found


def child_texts(found: dict[str, Element]) -> dict[str, str]:
    """Stripped text of each child that :func:`children` found (a name that is absent is absent:
    ``.get`` gives None)."""
    return {name: (child.text or "").strip() for name, child in found.items()}


def plain_text(markup: str | None) -> str:
    """HTML to plain text: inline tags dropped, other tags as spaces, entities decoded; within a
    line, runs of spaces and tabs as one space; lines kept (a line break ends a clause), blank
    ones dropped. Block-editor markup ('<!-- wp:paragraph -->' and indentation) leaves no runs."""
    text = html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", markup or "")))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def excerpt(element: Element) -> str:
    """The element's XML, for a quarantine excerpt."""
    return tostring(element, encoding="unicode")
