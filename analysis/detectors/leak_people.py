"""Residents' personal data in a leak check: contacts and numbers, and records about people.

Split from leak.py: what a post says about a person (a roster of phone numbers, a named
neighbour's illness, a case met on duty, a colleague's health) and how much that weighs,
from anyone (4(4)) or from staff (5(2)). Evidence of numbers is always the masked form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis import pii
from analysis.detectors import leak_signals as sig
from analysis.text import Doc
from analysis.types import Evidence, PostText

Spans = list[tuple[int, int]]
PII_NAME = {
    "mynumber": "マイナンバー",
    "phone": "電話番号",
    "address": "住所",
    "email": "メールアドレス",
    "birthdate": "生年月日",
    "idnumber": "口座・免許証などの番号",
    "handle": "個人のSNSアカウント",
}


@dataclass
class Part:
    """One reason the post may be a leak, with its score and evidence."""

    category: str
    score: float
    clause: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    critical: bool = False
    note: str = ""


def contact_parts(
    post: PostText, doc: Doc, found: list[pii.PiiMatch], names: Spans, staff: sig.Staff
) -> list[Part]:
    """Residents' contacts and numbers in the post, each scored by whose they seem to be."""
    out = []
    listed = sig.listed_people(doc, found)  # a roster: several people's contacts, each after a name
    for p in found:
        if p.kind not in PII_NAME or p.owner == "public" or (p.kind == "mynumber" and not p.certain):
            continue
        named = sig.near(names, p.start, p.end) or p in listed
        owner = p.owner
        if owner in ("unknown", "personal") and post.reply_to_official and not named:
            around = sig.window(doc.text, p.start, p.end)
            if owner == "unknown" or not sig.has(around, sig.PERSONAL, "third-party"):
                owner = "self"  # a resident giving the city their own details (自宅, 携帯)
        score = personal_score(p, owner, named, staff.strength)
        note = ""
        if owner == "self":
            note = "投稿者本人の連絡先とみられます（職員による漏えいではありません）。"
        out.append(
            Part(
                "personal_data",
                score,
                "5(2)" if staff.strength >= 0.5 else "4(4)",
                f"住民の個人情報（{PII_NAME[p.kind]}）",
                [sig.masked_evidence(doc, p)],
                critical=owner != "self",
                note=note,
            )
        )
    return out


def record_parts(doc: Doc, names: Spans, staff: sig.Staff, shown: Spans) -> list[Part]:
    """Someone's welfare, tax, family-register or health details: a named person, or a case met on duty."""
    text = doc.text
    on_duty = staff.strength >= 0.45
    sensitive = sig.hits(text, sig.PERSONAL, "sensitive")
    records = sig.merged(sig.hits(text, sig.PERSONAL, "record"), sensitive)
    dealings = sig.hits(text, sig.PERSONAL, "dealing") if on_duty and names else []
    if not records and not dealings:
        return []
    if on_duty:  # 駅前の老舗旅館、固定資産税を…: a business met on duty is as identifiable as a person
        names = names + [(h.start, h.end) for h in sig.hits(text, sig.PERSONAL, "identified-business")]
    named = [h for h in records if sig.near(names, h.start, h.end, 25, 25)]
    clients = [  # 母子 inside 母子家庭 is the record itself, not someone met on duty
        (h.start, h.end)
        for h in sig.hits(text, sig.PERSONAL, "client")
        if not any(r.start <= h.start and h.end <= r.end for r in records)
    ]
    cases = [h for h in records if sig.near(clients, h.start, h.end, 25, 25)]
    if cases and sig.has(text, sig.PUBLIC, "service"):  # 家出したときの相談先: a service, not a case
        cases = []
    told = [h for h in dealings if sig.near(names, h.start, h.end, 25, 25)]
    if named and on_duty:
        score = 0.88
    elif named:  # anyone naming a person's illness, care, welfare or debts exposes them (4(4))
        private = [h for h in named if any(x.start < h.end and h.start < x.end for x in sensitive)]
        if private and not sig.has(text, sig.PUBLIC, "news", "fiction", "figure", "appeal", "already-public"):
            named, score = private, 0.6
        else:
            score = 0.4  # milder gossip, a story or the news: kept below the threshold
    elif cases and on_duty:
        score = 0.75
    elif on_duty and (bosses := _bosses(text, sensitive)):  # うちの課長、がんで…
        cases, score = bosses, 0.75
    elif told:  # who complained, reported or gave, learned on duty
        named, score = told, 0.62
    else:
        return []
    hs = named or cases
    q = "・".join(dict.fromkeys(h.text for h in hs[:3]))
    ev = [sig.plain_evidence(doc, h.start, h.end, "personal_record") for h in hs[:3]]
    ev += [sig.masked_name(doc, a, b) for a, b in shown[:2]]
    clause_id = "5(2)" if staff.strength >= 0.5 else "4(4)"
    who = "特定の人" if named else "職務で接した人"
    return [Part("personal_data", score, clause_id, f"{who}の{q}に関する情報", ev, critical=score > 0.8)]


def _bosses(text: str, sensitive: list[sig.Hit]) -> list[sig.Hit]:
    """A colleague named by title (課長, 市長) next to the most private kind of record."""
    titles = [(h.start, h.end) for h in sig.hits(text, sig.CONFIDENTIAL, "title")]
    return [h for h in sensitive if sig.near(titles, h.start, h.end, 12, 12)]


def personal_score(p: pii.PiiMatch, owner: str, named: bool, staff: float) -> float:
    if owner == "self":
        return 0.7 if p.kind == "mynumber" else 0.3
    if p.kind == "mynumber":
        return 0.97
    if p.kind == "idnumber":  # a licence, insurance or bank account number of someone else
        return 0.9 if named or staff >= 0.5 else 0.6
    if p.kind == "handle":  # a named person's private account, pointed at
        return 0.8 if named else 0.3
    if p.kind == "birthdate":  # a date alone could be the poster's child's
        return 0.85 if named else 0.35
    strong = named or staff >= 0.5
    if owner == "personal":  # 携帯, 自宅, 住んでいる …: someone's, even unnamed
        return 0.92 if strong else 0.78
    if named:
        return 0.85
    if staff >= 0.5 and (p.kind != "phone" or p.mobile):
        return 0.6
    return 0.4 if p.mobile or p.kind == "email" else 0.25
