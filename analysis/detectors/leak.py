"""Possible staff leaks (4(7)⑦⑧, 5(1)–5(4), 4(4)): secrets, drafts, residents' data, credentials.

A post is weighed on two axes: what it discloses (residents' personal data and credentials
matter whoever posts them; confidentiality markings, unannounced matters, drafts under
discussion, secrecy asides and embargoed names matter most when staff post them) and how
strongly the author seems to be staff (profile or the post itself). The 5(5) disclaimer,
already-public information and news of an incident elsewhere weaken the soft signs only.
Personal-data evidence is stored masked: the raw number never leaves this module.

Speed: `prefilter` (and the first line of `detect`) asks whether the text has any personal
data or secret (`pii.find`) or any content word of the lists (`leak_signals.content_gate`,
built from the same lexicons/leak_*.txt sections), so a word added to a list is in the gate
at once; the phrase regexes themselves skip a post lacking the strings they need
(`phrases.regex`). tests/analysis/test_fast_path.py checks the gates change no result.

What counts from anyone: a check-digit-valid マイナンバー with context or 4-4-4 grouping,
someone else's phone, address, e-mail, licence/insurance/bank number or private account, a
roster of several people's contacts, a birth date with a name, a named (or pointed-at:
駅前の眼鏡屋の奥さん) person's illness, care, welfare, debt or crimes, credentials. What
counts from staff only: markings, "not announced / will not be published / before the
report", internal data described without a marking (庁内の集計, 課の共有フォルダ), drafts and
decisions in ordinary words (ことになった, 内定) when the post says what, personnel moves
with a name or title, cases met on duty, who complained or reported, colleagues' health, and
weaknesses of internal systems and keys. Word lists: lexicons/leak_*.txt; people:
leak_people.py; signs and spans: leak_signals.py.
"""

from __future__ import annotations

import re
from typing import ClassVar

from analysis import phrases, pii
from analysis.clauses import clause
from analysis.detectors import leak_people
from analysis.detectors import leak_signals as sig
from analysis.detectors.base import Context
from analysis.detectors.leak_people import Part
from analysis.text import Doc
from analysis.textnorm import normalize
from analysis.types import Evidence, Finding, PostText

_PROFILE_CACHE = 4096
_SECRET_NAME = {
    "password": "パスワード・暗証番号",
    "credential": "ログインID",
    "internal_ip": "内部IPアドレス",
    "server": "内部サーバー名",
}
_SOFT = {  # base score, weight of the staff sign, clause, label, reason
    "marking": (0.52, 0.40, "4(7)⑦", "confidential", "秘密表示（{q}）のある情報"),
    "unannounced": (0.30, 0.55, "4(7)⑦", "confidential", "未公表の情報（{q}）"),
    "aside": (0.25, 0.50, "5(4)", "confidential", "秘密を示す前置き（{q}）のある職務の話"),
    "draft": (0.25, 0.50, "4(7)⑧", "draft", "検討中の素案など意思形成過程の情報（{q}）"),
    "deliberation": (0.25, 0.50, "4(7)⑧", "draft", "検討・調整中の事項（{q}）"),
    "secret": (0.30, 0.50, "4(7)⑦", "confidential", "職務上の秘密にあたる情報（{q}）"),
    "internal": (0.30, 0.55, "4(7)⑦", "confidential", "内部の情報（{q}）"),
    "embargo": (0.60, 0.30, "4(7)⑦", "embargo", "公表前の案件（{q}）"),
}
_SOFTER = ("aside", "draft", "deliberation", "secret", "internal")  # undone by "already public"
_PARTNER_SECRETS = re.compile("予定価格|最低制限価格|落札|入札|口利き|事業者|業者")


class LeakDetector:
    kind: ClassVar[str] = "leak"

    def __init__(self, context: Context):
        self.context = context
        phrases.refresh(sig.FILES)  # a word list edited by the comms team is read by the next run
        terms = tuple(context.config.embargoed_terms)
        self._gate = sig.content_gate(terms)
        alts = "|".join(re.escape(normalize(t)) for t in sorted(terms, key=len, reverse=True) if t.strip())
        self._embargo = re.compile(alts, re.IGNORECASE) if alts else None
        self._profiles: dict[str, sig.Staff] = {}

    def _profile(self, description: str) -> sig.Staff:
        found = self._profiles.get(description)
        if found is None:
            if len(self._profiles) >= _PROFILE_CACHE:
                self._profiles.clear()
            found = sig.profile_staff(description, self.context.config.aliases)
            self._profiles[description] = found
        return found

    def _is_official(self, post: PostText) -> bool:
        handle = post.author.lower().lstrip("@")
        return bool(handle) and any(
            a.split(":", 1)[-1].lower().lstrip("@") == handle for a in self.context.config.official_accounts
        )

    def prefilter(self, text: str) -> bool:
        """False when the text has no personal data, secret or content word of the lists: no leak.

        Built from the same lexicons/leak_*.txt sections `detect` reads (`sig.content_gate`) and
        the same `pii.find`, so a word added to a list is seen by the gate too; `detect` starts
        with the same test, so skipping it when this says False changes nothing.
        """
        return self._gate.search(text.lower()) or bool(pii.find(text))  # the cheaper test first

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        text = doc.text
        found = pii.find(text)
        if not found and not self._gate.search(text.lower()):  # most posts stop here
            return []
        staff = sig.combine(self._profile(post.author_description), sig.text_staff(text))
        if self._is_official(post):  # the city's own account announces; it does not leak
            staff = sig.Staff()
        names = sig.named_people(doc)
        people = names + sig.pointed_people(text)  # 駅前の眼鏡屋の奥さん: pointed at, not named
        parts = leak_people.contact_parts(post, doc, found, people, staff)
        parts += self._security(doc, found, staff)
        parts += self._soft(post, doc, people, staff)
        parts += leak_people.record_parts(doc, people, staff, names)
        if not parts:
            return []
        return [self._finding(doc, parts, staff)]

    # --- credentials and internal systems -----------------------------------------
    def _security(self, doc: Doc, found: list[pii.PiiMatch], staff) -> list[Part]:
        text = doc.text
        if not any(p.kind in _SECRET_NAME for p in found) and not sig.has(
            text, sig.SECURITY, "system", "system-generic"
        ):  # neither a secret nor a system: most posts stop here
            return []
        inside = staff.strength >= 0.5 or sig.has(text, sig.SECURITY, "institution")
        advice = sig.has(text, sig.SECURITY, "advice")
        out = []
        for p in found:
            if p.kind not in _SECRET_NAME:
                continue
            if p.kind in ("password", "credential"):
                score = (0.95 if p.certain else 0.5) if inside else 0.35
                if advice and not p.certain:
                    score = 0.2
            elif p.kind == "internal_ip":
                score = 0.85 if inside or sig.has(text, sig.SECURITY, "system") else 0.3
            else:
                score = 0.85 if inside else 0.4
            out.append(
                Part(
                    "credential",
                    score,
                    "5(3)",
                    _SECRET_NAME[p.kind],
                    [sig.masked_evidence(doc, p)],
                    critical=True,
                )
            )
        if not out and inside and not advice and not sig.has(text, sig.SECURITY, "public-facing"):
            systems = sig.hits(text, sig.SECURITY, "system")
            if staff.strength >= 0.5:
                systems += sig.hits(text, sig.SECURITY, "system-generic")
            weak = sig.hits(text, sig.SECURITY, "weakness")
            if systems and weak:
                ev = [sig.plain_evidence(doc, h.start, h.end, "credential") for h in (systems[0], weak[0])]
                q = f"「{systems[0].text}」「{weak[0].text}」"
                out.append(Part("credential", 0.72, "5(3)", f"内部システムの弱点（{q}）", ev))
        return out

    # --- confidentiality, drafts, unannounced matters -----------------------------
    def _soft(self, post: PostText, doc: Doc, names, staff) -> list[Part]:
        text = doc.text
        if not self._embargo and not sig.has(text, sig.CONFIDENTIAL, *sig.SOFT_SECTIONS):
            return []
        found: dict[str, list[sig.Hit]] = {}
        concrete = sig.concrete(text)
        for category in ("marking", "unannounced", "aside", "draft", "deliberation", "secret", "internal"):
            hs = sig.hits(text, sig.CONFIDENTIAL, category)
            if category == "unannounced" and concrete:
                hs += sig.hits(text, sig.CONFIDENTIAL, "unannounced-weak")
            if category == "unannounced" and (concrete or names):  # あまり知られてないけど, of a person
                hs += sig.hits(text, sig.CONFIDENTIAL, "unannounced-known")
            if category == "aside":
                hs += sig.hits(text, sig.CONFIDENTIAL, "insider")
                hs += sig.hits(text, sig.CONFIDENTIAL, "aside-strong")
            if hs:
                found[category] = hs
        who = [(h.start, h.end) for h in sig.hits(text, sig.CONFIDENTIAL, "title")] + names
        personnel = [
            h for h in sig.hits(text, sig.CONFIDENTIAL, "personnel") if sig.near(who, h.start, h.end)
        ]
        if personnel:  # 内示 is a secret when it says who goes where
            found["secret"] = found.get("secret", []) + personnel
        if self._embargo:
            hs = [sig.Hit("embargo", m.start(), m.end(), m.group()) for m in self._embargo.finditer(text)]
            if hs:
                found["embargo"] = hs
        if not found:
            return []
        if sig.has(text, sig.PUBLIC, "rule"):  # 持ち出し禁止を徹底, 記録の管理を研修で: a rule, not a secret
            found["marking"] = [h for h in found.get("marking", []) if not h.text.endswith("禁止")]
            for category in ("secret", "internal") if not names else ():
                found.pop(category, None)
        refusal = not concrete and sig.has(text, sig.PUBLIC, "refusal")  # "まだ言えません、お楽しみに"
        if refusal or sig.has(text, sig.PUBLIC, "denial"):  # "まだ何も決まっていません"
            found = {k: v for k, v in found.items() if k in ("marking", "embargo")}
        found = {k: v for k, v in found.items() if v}
        if not found:
            return []
        news = sig.has(text, sig.PUBLIC, "news")
        public = sig.has(text, sig.PUBLIC, "already-public")
        disclaimer = sig.has(text, sig.PUBLIC, "disclaimer") or sig.has(
            normalize(post.author_description or ""), sig.PUBLIC, "disclaimer"
        )
        s = staff.strength
        out = []
        for category, hs in found.items():
            if category != "embargo":
                if news and s < 0.7:
                    continue
                if public and category in _SOFTER and "unannounced" not in found:
                    continue
            base, weight, clause_id, label, reason = _SOFT[category]
            # 検討中 or 実は alone could be a weekend plan; 口止め, 守秘義務 need no figure
            explicit = any(h.section == "aside-strong" for h in hs)
            if category in ("aside", "deliberation") and not concrete and not explicit:
                base, weight = 0.10, 0.30
            score = base + weight * s
            if category in _SOFTER and disclaimer:
                score -= 0.15
            if category in ("draft", "deliberation") and sig.has(text, sig.CONFIDENTIAL, "opinion"):
                score += 0.08
            if category == "marking" and all(h.text in ("(案)", "【案】", "未定稿") for h in hs):
                clause_id = "4(7)⑧"
            if category == "secret" and any(_PARTNER_SECRETS.search(h.text) for h in hs):
                clause_id = "5(1)"
            q = "・".join(f"「{t}」" for t in dict.fromkeys(h.text for h in hs[:3]))
            ev = [sig.plain_evidence(doc, h.start, h.end, label) for h in hs[:3]]
            out.append(Part(category, score, clause_id, reason.format(q=q), ev))
        if len(out) > 1:  # several soft signs together say more than the strongest alone
            top = max(out, key=lambda p: p.score)
            top.score += 0.08 * (len(out) - 1)
        return out

    # --- the finding ----------------------------------------------------------------
    def _finding(self, doc: Doc, parts: list[Part], staff: sig.Staff) -> Finding:
        parts.sort(key=lambda p: p.score, reverse=True)
        top = parts[0]
        score = min(0.99, top.score + 0.04 * sum(1 for p in parts[1:] if p.score >= 0.5))
        if top.critical and score >= 0.8:
            severity = "critical"
        elif score >= 0.75:
            severity = "high"
        elif score >= 0.5:
            severity = "medium"
        else:
            severity = "low"
        evidence: list[Evidence] = []
        if staff.span and staff.source != "profile":
            evidence.append(sig.plain_evidence(doc, *staff.span, "staff"))
        for p in parts:
            evidence += [
                e for e in p.evidence if (e.start, e.end) not in {(x.start, x.end) for x in evidence}
            ]
        reasons = list(dict.fromkeys(p.reason for p in parts if p.score >= 0.5 or p is top))
        who = f"職員とみられる投稿者（{staff.describe()}）の投稿に" if staff.strength >= 0.5 else "投稿に"
        reason = f"{who}、{'、'.join(reasons)}が含まれています。{top.note}"
        action = clause(top.clause).action
        if top.note:
            action = (
                "公開の場に個人の連絡先が出ています。本人に削除や非公開の窓口での連絡を案内してください。"
            )
        details = {
            "categories": list(dict.fromkeys(p.category for p in parts)),
            "staff_signal": staff.describe(),
            "staff_strength": round(staff.strength, 2),
        }
        return Finding(
            kind=self.kind,
            severity=severity,
            score=score,
            clause=top.clause,
            reason=reason,
            evidence=evidence,
            action=action,
            details=details,
        )
