"""Post text as HTML that can carry nothing but text: every piece escaped, only our own tags added.

Post text is untrusted. It is never passed to Markdown, and only reaches HTML through
`highlight_html`, which escapes each piece with `html.escape` and adds just `<mark>` for
evidence spans. Streamlit's `st.html` sanitises again (DOMPurify) and runs no script.
"""

from __future__ import annotations

import html
from typing import Any

EVIDENCE_LABELS = {
    "insult": "侮辱",
    "threat": "脅迫",
    "incitement": "扇動",
    "doxxing": "晒し",
    "claim": "主張",
    "mynumber": "マイナンバー",
    "my_number": "マイナンバー",
    "phone": "電話番号",
    "address": "住所",
    "email": "メールアドレス",
    "password": "パスワード",
    "credential": "認証情報",
    "embargo": "未発表情報",
    "ip": "IPアドレス",
}

# Our own constant CSS (no user input): post boxes, highlights, and the blur that spares reviewers.
CSS = """
<style>
.kk-post { white-space: pre-wrap; word-break: break-word; line-height: 1.7; font-size: 1.02rem;
  padding: .6rem .8rem; border-left: 4px solid #c0c4cc; background: #fafbfc; border-radius: 4px; }
.kk-post mark { background: #ffe08a; padding: 0 .1em; border-radius: 2px; }
.kk-post mark.kk-sensitive { background: #f6b5b5; }
[class*="st-key-kkblur"] { filter: blur(7px); user-select: none; pointer-events: none; }
</style>
"""


def post_raw(title: str, text: str) -> str:
    """The text the detectors saw: evidence offsets point into this."""
    return f"{title}\n{text}" if title else text


def spans(raw: str, evidence: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """Evidence spans that really point at their text (offsets checked, else found by search), sorted, disjoint."""
    found: list[tuple[int, int, str]] = []
    for e in evidence or []:
        try:
            start, end = int(e.get("start", -1)), int(e.get("end", -1))
        except (TypeError, ValueError):
            continue
        word = str(e.get("text", ""))
        label = str(e.get("label", ""))
        if not (0 <= start < end <= len(raw)):
            start = raw.find(word) if word else -1
            end = start + len(word)
        elif word and not e.get("masked") and raw[start:end] != word:
            at = raw.find(word)
            start, end = (at, at + len(word)) if at >= 0 else (start, end)
        if start >= 0 and end > start:
            found.append((start, end, label))
    found.sort()
    out: list[tuple[int, int, str]] = []
    for s, e, label in found:
        if out and s < out[-1][1]:
            ps, pe, pl = out[-1]
            out[-1] = (ps, max(pe, e), pl)
        else:
            out.append((s, e, label))
    return out


SENSITIVE = {"mynumber", "my_number", "phone", "address", "email", "password", "credential"}


def highlight_html(raw: str, evidence: list[dict[str, Any]]) -> str:
    """The post as safe HTML with its evidence marked."""
    parts = ['<div class="kk-post">']
    pos = 0
    for s, e, label in spans(raw, evidence):
        parts.append(html.escape(raw[pos:s]))
        cls = ' class="kk-sensitive"' if label in SENSITIVE else ""
        title = html.escape(EVIDENCE_LABELS.get(label, label), quote=True)
        parts.append(f'<mark{cls} title="{title}">{html.escape(raw[s:e])}</mark>')
        pos = e
    parts.append(html.escape(raw[pos:]))
    parts.append("</div>")
    return "".join(parts)


def plain_html(text: str) -> str:
    return f'<div class="kk-post">{html.escape(text)}</div>'
