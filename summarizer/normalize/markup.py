"""Saved web pages: the visible text of an HTML file, each character mapped to the raw
offset it came from, so evidence and spans still index the ``.html`` file itself.

Read with the standard library's HTML tokenizer (``html.parser``), the one maintained
parser that reports where each token starts in the source: lxml and selectolax give
the text of a node but not its offsets. Character references are read one by one
(``convert_charrefs=False``), so ``&amp;`` maps to its own ``&`` in the file.

What is not text never reaches the view: tags, comments, ``<script>``, ``<style>``,
``<head>`` (its ``<title>`` is the site's name for the page; the report's own
heading is in the body), navigation and page furniture (``<nav>``,
``<footer>``, ``<aside>``, forms). Block elements end a line, so a paragraph of the
page is a line of the view, as in a plain-text report.
"""

from __future__ import annotations

import re
from array import array
from html.entities import name2codepoint
from html.parser import HTMLParser

from summarizer.normalize.mapped import MappedText, rewrite, trimmed

__all__ = ["carries_tags", "is_html", "markup_free", "visible_text"]

#: How far into a file the signs of a web page are looked for.
_SNIFF = 4096
#: A file that opens like a page, or carries page structure early on.
_PAGE_START = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<!--|<meta\s)", re.I)
_PAGE_TAG = re.compile(r"<(?:body|p|div|br|table|span|h[1-6])[\s/>]", re.I)
#: Tags (of any kind) this many times in the first ``_SNIFF`` characters: a page.
_MIN_PAGE_TAGS = 5
#: A page's own element (<!doctype html>, <html>, <body>) this far in: a page saved as text
#: after a front matter or a long <style>.
_PAGE_ELEMENT = re.compile(r"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.I)
_PAGE_REACH = 65536
#: HTML inside a text that is no page: the tags a Markdown post or a pasted paragraph
#: carries; those that end a line; a cell's end.
_TAG_IN_TEXT = re.compile(
    r"</?(?:p|div|span|strong|b|em|i|u|font|center|br|hr|table|thead|tbody|tfoot|tr|td|th|"
    r"h[1-6]|ul|ol|li|blockquote|sup|sub|a|img|colgroup|col|caption)(?:\s[^<>]*)?/?>",
    re.I,
)
_LINE_TAG = re.compile(r"<br\s*/?>|</(?:p|div|tr|li|h[1-6]|table|blockquote)>", re.I)
_CELL_TAG = re.compile(r"</t[dh]>", re.I)
_ROW_TAG = re.compile(r"<tr(?:\s[^<>]*)?>", re.I)

#: Elements whose content is never text for a reader.
_HIDDEN = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "nav",
        "footer",
        "aside",
        "form",
        "select",
        "button",
        "head",
    ]
)
#: Elements that end a line (a paragraph of the page is a line of the view).
_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "dd",
        "dt",
        "dl",
        "title",
        "caption",
        "figure",
        "figcaption",
        "main",
        "center",
        "address",
    ]
)
#: Cells are separated, not joined: a table row reads as one line of cells.
_CELL = frozenset(("td", "th"))
#: Elements with no end tag.
_VOID = frozenset(
    [
        "br",
        "hr",
        "img",
        "meta",
        "link",
        "input",
        "area",
        "base",
        "col",
        "embed",
        "source",
        "track",
        "wbr",
    ]
)

#: The opening of a tag cut off at a span's end, and the rest of one at a span's start.
_TAG_HEAD = re.compile(r"<(?:[A-Za-z/!][^<>]*)?$")
_TAG_TAIL = re.compile(r"[^<>]*>")
#: In a page's raw text: a tag, comment or declaration, or a character reference.
_MARKUP = re.compile(r"<[A-Za-z/!?][^>]*>|&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")


def is_html(text: str) -> bool:
    """Whether ``text`` is a web page (by its opening, by a page's own element after a
    front matter or a long ``<style>``, or by its tags), not a report that mentions one."""
    head = text[:_SNIFF]
    if _PAGE_START.match(head) or _PAGE_ELEMENT.search(text, 0, _PAGE_REACH):
        return True
    return len(_PAGE_TAG.findall(head)) >= _MIN_PAGE_TAGS


def carries_tags(text: str) -> bool:
    """Whether ``text`` holds HTML tags (a page, or a text with a table or a bold line)."""
    return _TAG_IN_TEXT.search(text) is not None


def visible_text(mt: MappedText) -> MappedText:
    """The view of a page as a reader sees it; any other text with the HTML it carries
    (a Markdown post's table, a bold heading pasted as ``<strong>``) taken out, its lines
    kept: a paragraph ends its line, a table's row reads as a Markdown table's row."""
    if not is_html(mt.text):
        if not carries_tags(mt.text):
            return mt
        mt = rewrite(mt, _LINE_TAG, "\n")
        mt = rewrite(mt, _ROW_TAG, "| ")  # a row reads as a Markdown table's row
        mt = rewrite(mt, _CELL_TAG, " |")
        return rewrite(mt, _TAG_IN_TEXT, "")
    reader = _Reader(mt.text)
    reader.feed(mt.text)
    reader.close()
    origin = array("q", (mt.origin[i] for i in reader.origin))
    return MappedText("".join(reader.chars), origin)


def markup_free(raw: str, span: tuple[int, int], *, min_chars: int) -> list[tuple[int, int]]:
    """``span`` of a page's raw text cut around any markup inside it: the pieces of at
    least ``min_chars`` characters, in order (a quote never shows a tag)."""
    start, end = span
    # a span that ends or starts inside a tag (a view's "|" stands for "</td>") leaves it out
    if (cut := _TAG_HEAD.search(raw, start, end)) is not None:
        end = cut.start()
    if raw.rfind("<", 0, start) > raw.rfind(">", 0, start):
        inside = _TAG_TAIL.match(raw, start, end)
        if inside is not None:
            start = inside.end()
    pieces, at = [], start
    for m in _MARKUP.finditer(raw, start, end):
        pieces.append((at, m.start()))
        at = m.end()
    pieces.append((at, end))
    return trimmed(raw, pieces, min_chars)


class _Reader(HTMLParser):
    """Collects the visible characters and, for each, its offset in the page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=False)
        self.chars: list[str] = []
        self.origin: list[int] = []
        self._hidden = 0
        self._pre = 0
        self._lines = [0] + [m.end() for m in re.finditer("\n", page)]
        self._page = page

    def _at(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def _emit(self, text: str, at: int, *, same_place: bool = False) -> None:
        for n, ch in enumerate(text):
            if ch in "\n\t\r\f" and not self._pre:
                ch = " "  # the page's own line breaks are layout, not paragraphs
            self.chars.append(ch)
            self.origin.append(at if same_place else at + n)

    def _break(self, at: int) -> None:
        if self.chars and self.chars[-1] != "\n":
            self.chars.append("\n")
            self.origin.append(min(at, len(self._page) - 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += tag not in _VOID
            return
        if tag == "pre":
            self._pre += 1
        if tag in _BLOCK:
            self._break(self._at())
        elif tag in _CELL and self.chars and self.chars[-1] not in "\n ":
            self._emit(" ", self._at())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self._hidden:
            self._break(self._at())

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCK and not self._hidden:
            self._break(self._at())

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._emit(data, self._at())

    def handle_entityref(self, name: str) -> None:
        if not self._hidden:
            code = name2codepoint.get(name)
            at = self._at()
            if code is None:  # not an entity after all: the text as written
                self._emit(self._page[at : at + len(name) + 1], at)
            else:
                self._emit(" " if code == 0xA0 else chr(code), at, same_place=True)

    def handle_charref(self, name: str) -> None:
        if not self._hidden:
            try:
                code = int(name[1:], 16) if name[:1] in "xX" else int(name)
                ch = chr(code)
            except (ValueError, OverflowError):
                return
            self._emit(" " if code == 0xA0 else ch, self._at(), same_place=True)
