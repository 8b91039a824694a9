"""Turn a misinformation judgement into what staff read: evidence spans, reason, action."""

from __future__ import annotations

from analysis.clauses import clause
from analysis.factbase import IndexedFact
from analysis.misinfo.cues import CUE_NAMES, Cues
from analysis.misinfo.verdict import Conflict
from analysis.misinfo.view import View
from analysis.types import Evidence

SLOT_NAMES = {
    "status": "実施・運用の状況",
    "date": "日付",
    "time": "時刻",
    "weekday": "曜日",
    "amount": "金額・数量",
    "place": "場所",
    "denied": "市が否定している内容",
    "scope": "対象の範囲",
    "period": "期間",
    "within": "期限・日数",
}


def evidence(doc: View, start: int, end: int, label: str) -> Evidence:
    """Evidence for normalised offsets [start, end), pointing into the text the detector was given."""
    s, e = doc.raw_span(start, end)
    return Evidence(s, e, doc.raw[s:e], label)


def snippet(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cue_names(cues: Cues) -> str:
    names = [CUE_NAMES[k] for k in CUE_NAMES if cues[k]]
    return "・".join(names)


def contradiction_reason(doc: View, fact: IndexedFact, conflict: Conflict, cues: Cues, asked: bool) -> str:
    said = snippet(fact.doc.text[conflict.fact_start : conflict.fact_end])
    claim = snippet(doc.text[conflict.start : conflict.end], 40)
    f = fact.fact
    where = f"（{f.url}）" if f.url else ""
    reason = (
        f"市の公式発表「{f.title}」{where}では「{said}」とされています。"
        f"投稿は「{claim}」としており、{SLOT_NAMES[conflict.slot]}が公式発表と食い違います。"
    )
    if asked:
        reason += "真偽を尋ねる形で誤った内容が広がっています。"
    elif cues["attribution"]:
        reason += "市の発表として紹介されていますが、公式発表の内容と異なります。"
    return reason


def contradiction_action(fact: IndexedFact, cid: str) -> str:
    f = fact.fact
    link = f"（{f.url}）" if f.url else ""
    return (
        f"公式発表「{f.title}」{link}の内容を担当課と確認し、誤りが広がっていれば公式アカウントで"
        f"正しい情報とURLを一度だけ示して訂正してください。同じ主張の繰り返し件数を確認してください。"
        f"{clause(cid).action}"
    )


def unsupported_reason(fact: IndexedFact, words: list[str], cues: Cues) -> str:
    f = fact.fact
    where = f"（{f.url}）" if f.url else ""
    names = cue_names(cues)
    return f"市の公式発表「{f.title}」{where}には、投稿の「{'・'.join(words)}」に当たる記述がありません。" + (
        f"{names}を含む未確認の情報です。" if names else "根拠の示されていない情報です。"
    )


def rumour_reason(words: list[str], cues: Cues, have_facts: bool) -> str:
    names = cue_names(cues) or "未確認の主張"
    about = f"（{'・'.join(words)}）" if words else ""
    reason = f"{names}を含む、正否の確認できない情報です{about}。"
    if cues["attribution"] and have_facts:
        reason += "市の発表とされていますが、該当する公式発表は見つかりません。"
    elif have_facts:
        reason += "照合できる市の公式発表は見つかりません。"
    return reason


def rumour_action(cid: str) -> str:
    return f"担当課に事実関係を確認し、必要なら公式アカウントで正確な情報を発信してください。{clause(cid).action}"
