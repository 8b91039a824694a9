"""HTML fragments (feed summaries, Mastodon content, YouTube comments) → plain text, never markup."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
_SKIP = {"script", "style", "template", "noscript"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(fragment: str | None) -> str:
    """Tags dropped, entities decoded, whitespace tidied; plain text that still needs escaping to display."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parser = _Text()
    try:
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # a broken fragment still yields its words
        text = html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    text = re.sub(r"[ \t\r\f\v\u3000]+", " ", text)
    text = re.sub(r" *\n[ \n]*", "\n", text)
    return text.strip()
