"""Safe XML reading shared by the XML archive readers (WordPress WXR, Disqus).

Parsing goes through defusedxml with DTDs forbidden: entity expansion (billion laughs) and
external entities are rejected, never expanded.
"""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, parse

from pipelines.formats.base import ArchiveError

#: inline markup sits inside words ('<b>antiguos</b>?'): dropped without the space another tag gets
_INLINE_TAGS = frozenset({"a", "abbr", "b", "code", "em", "i", "mark", "s", "small", "span", "strong", "sub", "sup",
                          "u"})
#: tags that end a line: a break, and the blocks (paragraphs, list items, quotes, headings)
_LINE_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "tr", "table",
                        "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "figure", "figcaption", "header",
                        "footer"})
#: tags whose content is not text
_HIDDEN_TAGS = frozenset({"script", "style", "template"})


def parse_root(path: Path) -> tuple[Element, tuple[str, ...]]:
    """The root element of an XML file, and notes; ArchiveError when it is unsafe or not
    well-formed. Two faults of real exports are repaired, each said in a note, the rest of the
    file being well-formed: a namespace prefix used without a declaration (WordPress.com writes
    ``<atom:link>`` without ``xmlns:atom``: "unbound prefix") is declared on the root element;
    an ``&`` that starts no XML entity (a converter's raw ``Q&A``) or an HTML entity XML does
    not define (``&mdash;``), outside CDATA, is escaped or written as its character
    (Squarespace and blog converters' WXR). Nothing else is repaired: the first other error is said."""
    try:
        return parse(str(path), forbid_dtd=True).getroot(), ()
    except DefusedXmlException as exc:
        raise ArchiveError(f"unsafe XML rejected ({type(exc).__name__}): {exc}") from exc
    except ParseError as exc:
        error = exc
    data, notes = path.read_bytes(), []
    for repair in (_declare_prefixes, _escape_ampersands):
        data, note = repair(data)
        if note:
            notes.append(note)
    if not notes:
        raise ArchiveError(f"not well-formed XML: {error}") from error
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ArchiveError(f"unsafe XML rejected ({type(exc).__name__}): {exc}") from exc
    except ParseError as exc:  # what is left once the repairable faults are repaired
        raise ArchiveError(f"not well-formed XML: {exc}") from exc
    return root, tuple(notes)


def _declare_prefixes(data: bytes) -> tuple[bytes, str | None]:
    """The file with the namespace prefixes its tags use undeclared declared on its root element."""
    prefixes = sorted(set(_TAG_PREFIX.findall(data)) - set(_DECLARED_PREFIX.findall(data)) - {b"xml", b"xmlns"})
    root_tag = _ROOT_TAG.search(data)
    if not prefixes or root_tag is None:
        return data, None
    declarations = b"".join(
        b' xmlns:%s="%s"' % (prefix, KNOWN_NAMESPACES.get(prefix, b"urn:brandcare:undeclared:" + prefix))
        for prefix in prefixes
    )
    names = ", ".join(prefix.decode() for prefix in prefixes)
    return (data[: root_tag.end()] + declarations + data[root_tag.end():],
            f"namespace prefix(es) used without a declaration, declared for reading: {names} "
            "(WordPress.com exports do so with atom)")


def _escape_ampersands(data: bytes) -> tuple[bytes, str | None]:
    """The file with every ``&`` outside CDATA that starts no XML entity escaped (``&amp;``),
    an HTML entity XML does not define written as its character (``&mdash;`` -> ``—``)."""
    from html.entities import html5

    count = 0

    def fixed(match: re.Match) -> bytes:
        nonlocal count
        count += 1
        name = match.group(1)
        if name and (character := html5.get(name.decode("ascii"))):
            return character.encode("utf-8")
        return b"&amp;" + (name or b"")

    parts, last = [], 0
    for cdata in _CDATA.finditer(data):
        parts += [_STRAY_AMPERSAND.sub(fixed, data[last:cdata.start()]), cdata.group()]
        last = cdata.end()
    parts.append(_STRAY_AMPERSAND.sub(fixed, data[last:]))
    if not count:
        return data, None
    return b"".join(parts), (f"{count} '&' that XML does not allow outside CDATA (a raw '&', an HTML entity "
                             "such as &mdash;) escaped or written as its character for reading")


#: a CDATA section (its text is not markup: an ``&`` in it is text)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)
#: an ``&`` that is not one of XML's entities or a character reference; group 1: an HTML
#: entity's name and ``;`` when one follows
_STRAY_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)([A-Za-z][A-Za-z0-9]*;)?")


#: prefixes of tags (``<atom:link``, ``</dsq:thread``), and prefixes declared (``xmlns:atom=``)
_TAG_PREFIX = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
_DECLARED_PREFIX = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
#: the root element's name, after the XML declaration, comments and a doctype
_ROOT_TAG = re.compile(rb"<[A-Za-z_][\w.:-]*")
#: the namespaces of the undeclared prefixes seen in real exports
KNOWN_NAMESPACES = {b"atom": b"http://www.w3.org/2005/Atom"}


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


class _TextOf(HTMLParser):
    """The text of HTML, by Python's HTML parser: a ``>`` inside a quoted attribute value ends
    no tag, and a ``<`` that opens no tag ("I <3 it", "a < b") is text."""

    def __init__(self, source_lines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.source_lines = source_lines

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        self._gap(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        self._gap(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self._gap(tag)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.source_lines else " ".join(data.splitlines()))

    def _gap(self, tag: str) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append("\n" if tag in _LINE_TAGS else " ")


def plain_text(markup: str | None, *, source_lines: bool = True) -> str:
    """HTML to plain text: inline tags dropped, a line break or block (``<br>``, ``<p>``,
    ``<li>``...) a new line, other tags a space, comments ('<!-- wp:paragraph -->'), scripts
    and styles dropped, entities decoded; within a line, runs of spaces and tabs as one space;
    blank lines dropped. ``source_lines``: whether the markup's own line breaks are the writer's
    (a WordPress comment, stored as typed) or the HTML's layout, spaces (a Disqus message, whose
    writer's line breaks are its ``<br>`` and paragraphs)."""
    markup = markup or ""
    if "<" in markup or "&" in markup:
        parser = _TextOf(source_lines)
        parser.feed(markup)
        parser.close()
        markup = "".join(parser.parts)
    elif not source_lines:
        markup = " ".join(markup.splitlines())
    lines = (" ".join(line.split()) for line in markup.splitlines())
    return "\n".join(line for line in lines if line)


#: what a blog export holds and its site never shows (a commenter's e-mail address and IP, a
#: post's password: WordPress's and Disqus's names): left out of quarantine excerpts, which are published
NOT_PUBLIC = frozenset({"comment_author_email", "comment_author_IP", "post_password", "email", "ipAddress"})


def excerpt(element: Element, leave_out: frozenset[str] = frozenset()) -> str:
    """The element's XML, for a quarantine excerpt: without the elements a site never shows
    (:data:`NOT_PUBLIC`), nor those named in ``leave_out`` (a post's comments: records of their own)."""
    dropped = NOT_PUBLIC | leave_out
    if any(local_name(e.tag) in dropped for e in element.iter()):
        element = copy.deepcopy(element)
        for parent in list(element.iter()):
            for child in [c for c in parent if local_name(c.tag) in dropped]:
                parent.remove(child)
    return tostring(element, encoding="unicode")
