"""Misinformation and rumours about the city (clauses 4(5), 4(7)⑤), checked against its official statements.

Three ways a post is reported, strongest first:

1. **Contradiction** (clause 4(5)): the post's claim is on the topic of an official statement
   (`Context.facts`, indexed once in `__init__`, matched by BM25 over Sudachi lemmas, see
   `analysis.factbase`) and differs from it on a slot: status (中止 vs 延期/開催, 無料 vs 有料,
   通行止め vs 解除), date, weekday, time, amount, venue, or something the statement denies
   (「そのような事実はありません」). A claim credited to the city (「市が〜と発表」) that differs
   is said to be so. When several statements match nearly equally (an announcement and its
   update), the one in force when the post was written counts.
2. **Unsupported** (4(7)⑤): on a statement's topic, passed on as a rumour or credited to the
   city, a claim the statement does not make: alarming words (「けが人が出た」), a consequential
   status it never mentions (「有料化」), details (amounts) it does not give, things it never
   names (「売却」), or a 「〜って本当？」 about something it never says.
3. **Rumour** (4(7)⑤): no statement on the topic; rumour cues (hearsay, 噂, 拡散希望, chain
   messages, 「〜って本当？」, a claim credited to the city) with an alarming claim, or several
   cues together. Never confirmed; lower scores without any fact base.

A statement is about the post's topic only when they share a specific word (花火大会, ごみ袋,
断水, not 市役所, 職員, 発表 or a date: `lexicons/misinfo_generic.txt`) and that word makes up a
good share of the post's own topic words (`FactIndex.candidates`); a status, date, time or amount
is compared only when the claim's sentence and the statement's sentence (or title) share such a
word. A rumour with no statement needs its cue passed on with the claim (「らしい」 in the same
sentence, 「噂」「拡散希望」 anywhere): gossip (「本人まだ知らないらしい」) has no alarming claim,
and news headlines (platform rss) report rather than pass on.

`prefilter` (and the first line of `detect`) is a test on the characters alone
(`analysis.misinfo.gate`): with no strong cue, no reporting verb with hearsay, and no specific
word of a statement alongside a status word, a number, a cue or a denied word, nothing is
tokenised for this detector.

Not reported: warnings against a rumour (「デマです」「詐欺なので注意」), posts that repeat what a
statement says or cite it after naming the rumour they correct, links to an official page,
opinions, wishes, requests, plain questions, conditions (「荒天なら中止」), other years
(「去年は中止」). Word lists are data in `lexicons/misinfo_*.txt` and `misinfo_claims.toml`.

Score is 0–1; for a contradiction it grows with the similarity (of the post, or of the claim's own
sentence if higher) and the strength of the conflict, so "confirmed" means a claim tied to the
statement by specific words that plainly differs from it. At or above `AnalysisConfig.misinfo_suggest_threshold` the engine reports the
finding for a person to confirm; at or above `misinfo_confirm_threshold` it is `confirmed`.
Severity: a confirmed contradiction on a safety matter (water, evacuation, bears, roads,
disease, fraud …: `lexicons/misinfo_safety.txt`) is high, critical when the post asks others to
spread it; other confirmed ones are medium; suggested ones medium on safety matters, else low.

`details["claim_key"]` is stable across repeats of one claim so the store can count its
spread: `"{fact_id}:{slot}:{value}"` for a contradiction (slot: status | date | weekday | time |
amount | place | denied; e.g. `hanabi-2025:status:cancelled`, `kyufu:amount:50000円`,
`hanabi:date:8月17日`, `sagi:denied:ATM+還付金`, `water:denied:rumour` for a rumour on the
topic of a statement that denies one), `"{fact_id}:unsupported:{words}"` for an unsupported
claim and `"rumour:{words}"` for a rumour with no matching statement (words: the alarming
words, else the topic words, sorted, joined with "+"). Other details: `kind` ("contradiction" |
"unsupported" | "rumour"), `slot`, `claimed`, `similarity` (post ↔ statement, 0–1), `cues`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from analysis.detectors.base import Context
from analysis.factbase import MIN_MASS, Candidate, FactIndex, IndexedFact, Terms
from analysis.misinfo import report
from analysis.misinfo.claims import Claims, complete, outline, vocabulary
from analysis.misinfo.compare import Comparer, Conflict, Verdict, asserted, denial_span, first_claim
from analysis.misinfo.cues import URL, Cues, QuickTest, Span, find_cues, lexicon
from analysis.misinfo.eligibility import INCLUDE_WORDS
from analysis.misinfo.extents import claim_words as extent_words
from analysis.misinfo.extents import scope_words
from analysis.misinfo.gate import TextGate
from analysis.misinfo.phrases import Entry, phrase_set
from analysis.misinfo.venues import VENUE_STATUSES
from analysis.misinfo.view import View
from analysis.relevance import city_names, staff_profile
from analysis.text import Doc
from analysis.types import Finding, PostText

MIN_SIMILARITY = 0.3  # below this a statement is not about the post's topic
MIN_ANCHOR = 0.5  # and the post shares at least one specific word with it (not 市役所 alone)
# cue lists whose words say how a post talks, not what about (not topic words)
NOISE_GROUPS = frozenset({"hearsay", "rumour", "spread", "truth", "debunk", "source", "report"})
# statuses whose unannounced claim matters (「中止」「有料化」「廃止」), unlike 「開催」「変更」
CONSEQUENTIAL = frozenset({"cancelled", "postponed", "closed", "abolished", "paid", "decided", "harmed"})
RUMOUR_WEIGHTS = {
    "hearsay": 0.15,
    "rumour": 0.2,
    "spread": 0.2,
    "truth": 0.15,
    "attribution": 0.1,
    "acted": 0.2,
    "alarming": 0.2,
}
# cues that pass on only their own sentence (「〜と市が発表」 names its source: it passes nothing on)
SENTENCE_CUES = ("hearsay", "truth", "acted")
NEWS_PLATFORMS = frozenset({"rss"})  # headlines report; they do not pass on what they heard
RUMOUR_CAP_NO_FACTS = 0.5
RUMOUR_CAP = 0.55


def _passed_on(claims: Claims, cues: Cues, span: Span) -> bool:
    if cues.any("rumour", "spread"):
        return True
    if not claims.clauses:
        return False
    sentence = claims.clauses[claims.clause_at(span.start)].sentence
    return any(
        claims.clauses[claims.clause_at(c.start)].sentence == sentence for k in SENTENCE_CUES for c in cues[k]
    )


class MisinformationDetector:
    kind: ClassVar[str] = "misinformation"

    def __init__(self, context: Context):
        config = context.config
        self.suggest = config.misinfo_suggest_threshold
        self.confirm = config.misinfo_confirm_threshold
        city_words = {config.city_name, *config.aliases, config.city_name.removesuffix("市")}
        self.index = FactIndex(context.facts, city_words)
        self.comparer = Comparer(
            self.index.weight, self.index.topic_weight, self.index.specificity, self.index.stop
        )
        self.lexicon = lexicon()
        kept, claim_strings = self._status_kept(), self._claim_strings()
        self.may_claim = QuickTest(self.lexicon, self.index, kept, claim_strings)
        safety = phrase_set("misinfo_safety.txt")
        self.fact_safety = [bool(safety.find(f.doc.tokens, text=f.doc.text)) for f in self.index.facts]
        self.fact_lemmas = [set(f.doc.doc.lemmas) for f in self.index.facts]
        self.gate = TextGate(
            self.lexicon,
            self.index.gate_words(),
            self.index.denied_forms(),
            vocabulary().units,
            vocabulary().sources,
            claim_strings,
            kept,
        )
        self.names = city_names(config)
        self._gated: tuple[str, bool] = ("", False)  # the last text prefilter saw, and its answer
        self.noise = frozenset(
            k for e in self.lexicon.entries if e.group in NOISE_GROUPS for pair in e.keys for k in pair
        )

    def _status_kept(self) -> Callable[[Entry], bool]:
        """Status words that can matter with these statements: a category some statement has the
        same or the opposite of, one whose mere claim matters (有料化, 廃止), 無料/有料 where a
        statement names a price, a holding where a statement names a venue. Others (「必要」 with
        no statement requiring anything) cannot make a finding: the gates need not let them in."""
        vocab = vocabulary()
        stated = {m.category for f in self.index.facts for m in f.claims.mentions}
        kept = {
            c
            for c in set(vocab.category.values())
            if any(vocab.same(c, x) or vocab.conflict(c, x) for x in stated)
        }
        kept |= CONSEQUENTIAL
        if any(f.prices or any(s.kind == "amount" for s in f.claims.slots) for f in self.index.facts):
            kept |= {"free", "paid"}
        if any(f.claims.venues for f in self.index.facts):
            kept |= VENUE_STATUSES
        return lambda e: vocab.category.get(e.text) in kept

    def _claim_strings(self) -> list[str]:
        """Words of a claim of extent, venue or eligibility that some statement can be checked on:
        「全域」 where a statement limits its reach, 「だけ」 where one includes all, 「会場」 where
        one names a venue, 「対象」 where one says who or what it is for."""
        facts = self.index.facts
        out: list[str] = []
        if any(w.kind == "part" for f in facts for w in f.scopes) or any(
            d.whole for f in facts for d in f.denials
        ):
            out += extent_words("all")
        if any(w.kind == "all" for f in facts for w in f.scopes):
            out += extent_words("part")
        if any(f.claims.venues for f in facts):
            out += vocabulary().venue
        if any(f.eligibility.excluded or f.eligibility.groups for f in facts):
            out += INCLUDE_WORDS
        return out

    def prefilter(self, text: str) -> bool:
        """False when the normalised text has no rumour cue, alarming word or specific word of an
        official statement in any spelling (`analysis.misinfo.gate`): `detect` finds nothing."""
        passed = self.gate(text)
        self._gated = (text, passed)  # detect, called next on the same text, need not test again
        return passed

    def _passes_gate(self, text: str) -> bool:
        last, passed = self._gated
        return passed if last == text else self.gate(text)

    def detect(self, post: PostText, text: Doc, context: Context) -> list[Finding]:
        if not self._passes_gate(text.text) or not text.lemmas or not self.may_claim(text):
            return []
        doc = View(text)
        matches = self.lexicon.scan(doc.tokens, doc.text)
        if not self.may_claim.matched(text, matches) or matches.get("debunk"):
            return []
        cues = find_cues(doc, matches, self.index.hosts)
        if post.platform in NEWS_PLATFORMS:
            cues.spans.pop("attribution", None)  # a news report of what the city said is not hearsay
        terms = Terms()
        claims = outline(doc, terms)
        self._drop_noise(terms, doc)
        cands = (
            [
                c
                for c in self.index.candidates(terms, doc)
                if c.similarity >= MIN_SIMILARITY and c.anchor >= MIN_ANCHOR
            ]
            if self.index
            else []
        )
        current = self.index.current(cands, post.created_at) if cands else None
        if current is None and not cues.rumour_kinds:
            return []  # no statement to compare with and nothing passed on: nothing to report
        complete(claims, doc, matches.get("status", []))
        asked = bool(cues["truth"])
        if cues["alarming"]:
            cues.spans["alarming"] = [s for s in cues["alarming"] if asserted(doc, claims, s, asked)]
        if current is not None:
            found = self._against_facts(doc, claims, terms, cues, asked, cands, current)
            return self._not_insider(post, found)
        return self._not_insider(post, self._rumour(doc, cues, terms, claims))

    def _not_insider(self, post: PostText, found: list[Finding]) -> list[Finding]:
        """Staff telling what they know from inside (「秘書課の中では決まってる話」「10月からでほぼ
        確定」) is for the leak check: plans and figures not yet announced differ from the statement
        in force. Only a claim a statement denies is misinformation from them."""
        if found and found[0].details.get("slot") != "denied":
            if staff_profile(post.author_description, self.names):
                return []
        return found

    def _drop_noise(self, terms: Terms, doc: View) -> None:
        """Words that say how a post talks (噂, 拡散希望, 発表) or a link's parts are not its topic."""
        for word in self.noise & terms.keys():
            del terms[word]
        if "http" in doc.text:
            spans = [m.span() for m in URL.finditer(doc.text)]
            for word, i in list(terms.positions.items()):
                begin = doc.tokens[i].begin
                if word in terms and any(a <= begin < b for a, b in spans):
                    del terms[word]

    # -- with a matching statement ---------------------------------------------------------

    def _against_facts(
        self,
        doc: View,
        claims: Claims,
        terms: Terms,
        cues: Cues,
        asked: bool,
        cands: list[Candidate],
        current: Candidate,
    ) -> list[Finding]:
        scopes = scope_words(doc.text, claims, statement=False)

        def compare(c: Candidate) -> Verdict:
            return self.comparer.compare(claims, self.index.facts[c.index], asked, c.links, scopes, doc.text)

        verdicts = {current.index: compare(current)}
        chosen, verdict = current, verdicts[current.index]
        if not verdict.conflicts and not verdict.agreements:
            best_sim = max(c.similarity for c in cands)
            for c in cands:
                if c.index in verdicts or c.similarity < 0.6 * best_sim:
                    continue
                v = verdicts[c.index] = compare(c)
                if v.conflicts and (
                    not verdict.conflicts
                    or v.best.strength * c.similarity > verdict.best.strength * chosen.similarity
                ):
                    chosen, verdict = c, v
        fact = self.index.facts[chosen.index]
        if cues["quoted"] and not asked:
            # 「倍になるって言ってる人いるけど、400円になるだけ」: what comes before is quoted to correct it
            quoted = cues["quoted"][-1].start
            verdict.conflicts = [c for c in verdict.conflicts if c.start >= quoted]
            if not verdict.conflicts:
                return []
        if cues["citation"] and verdict.agreements:
            cited = cues["citation"][0].start
            if all(c.end <= cited for c in verdict.conflicts):
                return []  # 「中止って話が出回ってるけど、市の発表だと延期」: the official word corrects it
        if (
            not verdict.conflicts
            and not verdict.agreements
            and fact.denial
            and cues.any("rumour", "truth", "spread")
        ):
            # a rumour on the topic of a statement that denies a rumour: most likely that rumour
            verdict.conflicts.append(
                Conflict("denied", "rumour", *first_claim(claims), *denial_span(fact), 0.6)
            )
        if verdict.conflicts:
            return self._contradiction(doc, fact, chosen, verdict, cues, asked, claims)
        found = self._unsupported(doc, fact, chosen, verdict, cues, claims, asked)
        if found or verdict.agreements:
            return found
        # nothing to compare with the statement: a rumour, but not for words the statement uses
        lemmas = self.fact_lemmas[chosen.index]
        cues.spans["alarming"] = [
            s for s in cues["alarming"] if s.word not in lemmas and s.word not in fact.doc.text
        ]
        return self._rumour(doc, cues, terms, claims, matched=True)

    def _claim_similarity(self, claims: Claims, cand: Candidate, start: int) -> float:
        """The post's similarity to the statement, or that of the claim's own sentence when it is
        higher: 「花火大会、予定通り9日にやるって！楽しみ」 is all about the fireworks notice
        even though 「楽しみ」 is not in it."""
        if not claims.clauses:
            return cand.similarity
        nouns = claims.sentence_nouns(claims.clause_at(start)) - self.index.stop
        spec = self.index.specificity
        total = sum(spec(w) for w in nouns)
        shared = sum(spec(w) for w in nouns if w in cand.post_words)
        return max(cand.similarity, shared / max(total, MIN_MASS))

    def _contradiction(
        self,
        doc: View,
        fact: IndexedFact,
        cand: Candidate,
        verdict: Verdict,
        cues: Cues,
        asked: bool,
        claims: Claims,
    ) -> list[Finding]:
        conflict = verdict.best
        assert conflict is not None
        similarity = self._claim_similarity(claims, cand, conflict.start)
        score = 0.9 * similarity**0.5 * (0.5 + 0.5 * conflict.strength)
        score += 0.05 * min(2, len(cues.rumour_kinds))
        if verdict.agreements > len(verdict.conflicts):
            score *= 0.85
        if cues.official_link:
            score *= 0.5
        elif cues["citation"] and not cues.rumour_kinds:
            score *= 0.6  # 「広報に載ってた」: the official word passed on, perhaps a newer one than ours
        if asked:
            score = min(score, max(self.suggest, self.confirm - 0.01))
        score = min(1.0, score)
        confirmed = score >= self.confirm
        safety = self.fact_safety[cand.index] or cues.any("safety")
        if confirmed and safety:
            severity = "critical" if cues["spread"] else "high"
        elif confirmed or safety:
            severity = "medium"
        else:
            severity = "low"
        evidence = [report.evidence(doc, conflict.start, conflict.end, f"claim:{conflict.slot}")]
        evidence += [
            report.evidence(doc, s.start, s.end, s.label) for k in cues.rumour_kinds for s in cues[k]
        ]
        key = f"{fact.fact.id}:{conflict.slot}:{conflict.claimed}"
        return [
            Finding(
                kind=self.kind,
                severity=severity,
                score=score,
                clause="4(5)",
                reason=report.contradiction_reason(doc, fact, conflict, cues, asked),
                evidence=evidence,
                action=report.contradiction_action(fact, "4(5)"),
                fact_id=fact.fact.id,
                fact_url=fact.fact.url or None,
                confirmed=confirmed,
                details={
                    "claim_key": key,
                    "kind": "contradiction",
                    "slot": conflict.slot,
                    "claimed": conflict.claimed,
                    "similarity": round(cand.similarity, 3),
                    "cues": cues.rumour_kinds,
                },
            )
        ]

    def _unsupported(
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
        lemmas = self.fact_lemmas[cand.index]
        claimed = [s for s in cues["alarming"] if s.word not in lemmas and s.word not in fact.doc.text]
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
                kind=self.kind,
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

    # -- no matching statement -------------------------------------------------------------

    def _rumour(
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
        # 「市長の親族の会社ばっかり受注してるって噂」: a rumour (噂) about the city's people
        cued = (len({*kinds} - {"attribution"}) >= 2 and about_city) or (
            bool(cues["rumour"]) and not vocabulary().officials.isdisjoint(doc.words)
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
                kind=self.kind,
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
