"""HTML fragments (feed summaries, Mastodon content, YouTube comments) → plain text, never markup.

The result is text a person reads: tags dropped (script, style and the like with their
contents), entities decoded, line breaks where the markup broke lines. It still has to be
escaped wherever it is displayed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {
    "address",
    "article",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "title",
    "tr",
    "ul",
}
_SKIP = {"script", "style", "template", "noscript", "iframe", "object", "svg"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip.append(tag)
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _BLOCK and tag not in _VOID:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def tidy(text: str) -> str:
    """Runs of spaces (including no-break and ideographic spaces) → one space; blank lines dropped."""
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n"))
    text = _SPACES.sub(" ", text)
    text = re.sub(r" *\n[ \n]*", "\n", text)
    return text.strip()


def html_to_text(fragment: str | None) -> str:
    """Tags dropped, entities decoded, whitespace tidied; plain text that still needs escaping to display."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return tidy(fragment)
    parser = _Text()
    try:
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # a broken fragment still yields its words
        text = html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    return tidy(text)


class _Items(HTMLParser):
    """Per list item (or the whole fragment): the text of its first link, and the text after it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list[str]] = [["", ""]]
        self.in_link = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "li":
            self.items.append(["", ""])
        elif tag == "a":
            self.in_link += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self.in_link = max(0, self.in_link - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        item = self.items[-1]
        if self.in_link and not item[1].strip():
            item[0] += data
        else:
            item[1] += data


def link_items(fragment: str | None) -> list[tuple[str, str]]:
    """`<li><a>headline</a> <font>outlet</font></li>…` → [(headline, outlet), …]; items without a link are dropped."""
    if not fragment or "<" not in fragment:
        return []
    parser = _Items()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:
        return []
    return [(tidy(a), tidy(rest)) for a, rest in parser.items if tidy(a)]
