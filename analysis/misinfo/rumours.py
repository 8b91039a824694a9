"""Rumours: claims passed on that no official statement supports (clause 4(7)⑤).

- Unsupported: on the topic of a statement, a claim it does not make (alarming words it does not
  use, a consequential status it never mentions, amounts it does not give, things credited to the
  city it never names), passed on as a rumour.
- Rumour: no statement on the topic; an alarming claim passed on (hearsay in its sentence, 噂 or
  拡散希望 anywhere), a claim credited to the city passed on as hearsay, the city's doing passed on
  with no source, a 噂 about the city's officials, or several cues about the city or a safety
  matter together. Never confirmed.
"""

from __future__ import annotations

from analysis.factbase import Candidate, FactIndex, IndexedFact, Terms
from analysis.misinfo import report
from analysis.misinfo.claims import Claims, vocabulary
from analysis.misinfo.cues import Cues, Span
from analysis.misinfo.verdict import Verdict
from analysis.misinfo.view import View
from analysis.types import Finding

KIND = "misinformation"
# statuses whose unannounced claim matters (「中止」「有料化」「廃止」), unlike 「開催」「変更」
CONSEQUENTIAL = frozenset({"cancelled", "postponed", "closed", "abolished", "paid", "decided", "harmed"})
RUMOUR_WEIGHTS = {
    "hearsay": 0.15,
    "rumour": 0.2,
    "spread": 0.2,
    "urge": 0.2,
    "truth": 0.15,
    "attribution": 0.1,
    "acted": 0.2,
    "alarming": 0.2,
}
# cues that pass on only their own sentence (「〜と市が発表」 names its source: it passes nothing on)
SENTENCE_CUES = ("hearsay", "truth", "acted")
RUMOUR_CAP_NO_FACTS = 0.5
RUMOUR_CAP = 0.55


def _passed_on(claims: Claims, cues: Cues, span: Span) -> bool:
    if cues.any("rumour", "spread", "urge"):
        return True
    if not claims.clauses:
        return False
    sentence = claims.clauses[claims.clause_at(span.start)].sentence
    return any(
        claims.clauses[claims.clause_at(c.start)].sentence == sentence for k in SENTENCE_CUES for c in cues[k]
    )


class Rumours:
    def __init__(self, index: FactIndex, fact_lemmas: list[set[str]], fact_safety: list[bool]):
        self.index = index
        self.fact_lemmas = fact_lemmas
        self.fact_safety = fact_safety

    def unstated(self, spans: list[Span], fact: IndexedFact, index: int) -> list[Span]:
        """The spans whose word statement `index` (`fact`) does not use, as a lemma or in its text."""
        lemmas = self.fact_lemmas[index]
        return [s for s in spans if s.word not in lemmas and s.word not in fact.doc.text]

    def unsupported(
        self,
        doc: View,
        fact: IndexedFact,
        cand: Candidate,
        verdict: Verdict,
        cues: Cues,
        claims: Claims,
        asked: bool,
    ) -> list[Finding]:
        """On the statement's topic, a claim it does not make: alarming words, or details (amounts,
        dates) it does not give, repeated as a rumour; or a 「本当？」 about something it never says."""
        kinds = cues.rumour_kinds
        if cues.official_link or not kinds:
            return []  # an alarming word said plainly (a news report, a complaint) is not a rumour
        claimed = self.unstated(cues["alarming"], fact, cand.index)
        if kinds:  # a status the statement says nothing about, passed on as a rumour (「有料化されるって」)
            have = {s.start for s in claimed}
            claimed += [
                Span(m.start, m.end, "status", m.lemma)
                for m in verdict.unknown
                if m.category in CONSEQUENTIAL and m.start not in have
            ]
        if (cues["spread"] or len(kinds) >= 2) and not verdict.agreements:
            claimed += [
                Span(s.start, s.end, "detail", s.label())
                for s in claims.slots
                if s.kind == "amount" and not s.negated and not claims.clauses[s.clause].question
            ]
        if cues.any("attribution", "acted") and not verdict.agreements and not cues["citation"]:
            # credited to the city, but about things the statement never mentions (売却, 民間)
            known = fact.terms.keys() | fact.title_nouns
            for span in cues["attribution"] + cues["acted"]:
                ci = claims.clause_at(span.start)
                nouns = claims.sentence_nouns(ci) - known - self.index.stop
                extra = sorted(w for w in nouns if not any(w in k or k in w for k in known))
                claimed += [Span(span.start, span.end, "attributed", w) for w in extra[:3]]
        if not claimed:
            return []  # 「〜ってほんと？」 about nothing the statement leaves out is a question
        score = 0.2 + 0.1 * min(3, len(kinds)) + 0.15 * bool(claimed) + 0.1 * cand.similarity
        if verdict.agreements:
            score -= 0.1
        score = min(score, RUMOUR_CAP)
        words = sorted({s.word for s in claimed}) or ["真偽の問い合わせ"]
        evidence = [report.evidence(doc, s.start, s.end, "claim:" + s.label) for s in claimed]
        evidence += [report.evidence(doc, s.start, s.end, s.label) for k in kinds for s in cues[k]]
        safety = self.fact_safety[cand.index] or cues.any("safety")
        return [
            Finding(
                kind=KIND,
                severity="medium" if safety else "low",
                score=score,
                clause="4(7)⑤",
                reason=report.unsupported_reason(fact, words, cues),
                evidence=evidence,
                action=report.rumour_action("4(7)⑤"),
                fact_id=fact.fact.id,
                fact_url=fact.fact.url or None,
                details={
                    "claim_key": f"{fact.fact.id}:unsupported:{'+'.join(words)}",
                    "kind": "unsupported",
                    "similarity": round(cand.similarity, 3),
                    "cues": kinds,
                },
            )
        ]

    def rumour(
        self, doc: View, cues: Cues, terms: Terms, claims: Claims, matched: bool = False
    ) -> list[Finding]:
        # an alarming claim counts when it is passed on: 「らしい」「って本当？」 in its own sentence,
        # or 「噂」「拡散希望」 anywhere (not 「〜が流出。…誤送信したらしい」 about another sentence)
        cues.spans["alarming"] = [s for s in cues["alarming"] if _passed_on(claims, cues, s)]
        kinds = cues.rumour_kinds
        if cues["quoted"] and not cues["truth"]:
            return []  # 「〜って言ってる人いるけど」: others' claim, talked about
        # credited to the city, yet no statement is even on its topic
        credited = (
            bool(self.index)
            and not matched
            and not cues["citation"]
            and any(_passed_on(claims, cues, s) for s in cues["attribution"])  # 「市が発表したらしい」
        )
        # several cues together pass something on, but only a claim about the city's doings, a
        # safety matter or a consequential status is a rumour (not 「駅前にスタバができるらしい」)
        about_city = cues.any("acted", "attribution", "safety") or any(
            m.category in CONSEQUENTIAL and m.asserted and not m.negated for m in claims.mentions
        )
        # 「市長の親族の会社ばっかり受注してるって噂」「水道に井戸水混ぜてるって噂」: a rumour (噂)
        # about the city's people or a safety matter
        cued = (len({*kinds} - {"attribution"}) >= 2 and about_city) or (
            bool(cues["rumour"]) and (cues.any("safety") or not vocabulary().officials.isdisjoint(doc.words))
        )
        if cues.official_link or not (cues["alarming"] or credited or cued):
            return []
        score = sum(RUMOUR_WEIGHTS[k] for k in kinds) + RUMOUR_WEIGHTS["alarming"] * bool(cues["alarming"])
        if credited:
            score += 0.1
        elif cued and not cues["alarming"]:
            score += 0.15  # what is passed on is about the city (its doings, its officials, safety)
        score = min(score, RUMOUR_CAP if self.index else RUMOUR_CAP_NO_FACTS)
        words = sorted({s.word for s in cues["alarming"]})
        topic = sorted(t for t in terms if t not in self.index.stop) or sorted(kinds)
        evidence = [
            report.evidence(doc, s.start, s.end, s.label) for k in (*kinds, "alarming") for s in cues[k]
        ]
        return [
            Finding(
                kind=KIND,
                severity="medium" if cues["alarming"] and cues.any("safety") else "low",
                score=score,
                clause="4(7)⑤",
                reason=report.rumour_reason(words, cues, bool(self.index)),
                evidence=evidence,
                action=report.rumour_action("4(7)⑤"),
                details={
                    "claim_key": "rumour:" + "+".join(words or topic[:3]),
                    "kind": "rumour",
                    "cues": kinds,
                },
            )
        ]
