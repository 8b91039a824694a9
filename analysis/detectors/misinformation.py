"""Misinformation and rumours about the city (clauses 4(5), 4(7)⑤), checked against its official statements.

Three ways a post is reported, strongest first:

1. **Contradiction** (clause 4(5)): the post's claim is on the topic of an official statement
   (`Context.facts`, indexed once in `__init__`, matched by BM25 over Sudachi lemmas, see
   `analysis.factbase`) and differs from it: a status (中止 vs 延期/開催, 無料 vs 有料, 必要 vs
   不要), said of the clause whose subject it shares (`analysis.misinfo.subjects`: 灯籠流しは
   予定どおり while 花火大会は中止); a date, weekday, time, amount, or a limit (30日以内); an end
   (5月いっぱい) or a length (3日間) against the statement's period; the size or rate of a rise
   (倍, 100円アップ) against its own (`analysis.misinfo.extents`); extent (全域 vs 一部, だけ vs
   すべての); who pays what (`analysis.misinfo.groups`: 子どもも300円 against 小・中学生は無料);
   who or what it is for (`analysis.misinfo.eligibility`); the venue (`analysis.misinfo.venues`);
   something the statement denies (`analysis.misinfo.denials`). When several statements match
   nearly equally (an announcement and its update), the one in force when the post was written
   counts.
2. **Unsupported** and 3. **Rumour** (4(7)⑤): `analysis.misinfo.rumours`. A claim passed on that
   the statement on its topic does not make, or with no statement at all: alarming claims
   (floods, dam releases, damage, poison, officials' misconduct and hidden motives) passed on, the
   city's doings passed on without a source (「茅野市が〜を配るらしい」), a 噂 about its officials,
   chain messages. Never confirmed; lower scores without any fact base.

A statement is about the post's topic only when they share a specific word (花火大会, ごみ袋,
断水, not 市役所, 職員, 発表 or a date: `lexicons/misinfo_generic.txt`) and that word makes up a
good share of the post's own topic words (`FactIndex.candidates`); a status, date, time or amount
is compared only when the claim's sentence and the statement's sentence (or title) share such a
word. A rumour with no statement needs its cue passed on with the claim (「らしい」 in the same
sentence, 「噂」「拡散希望」 anywhere): gossip (「本人まだ知らないらしい」) has no alarming claim,
and news headlines (platform rss) report rather than pass on.

`prefilter` (and the first line of `detect`) is a test on the characters alone
(`analysis.misinfo.gate`), `QuickTest` one on the words (`analysis.misinfo.quick`); a post's
clauses and topic words are read first and what it claims only when a statement matches or a cue
passes something on. Each is exact: False only where `detect` would find nothing.

Not reported: warnings against a rumour (「デマです」「詐欺なので注意」), posts that repeat what a
statement says, cite it after naming the rumour they correct, or quote a wrong claim to correct
it (「倍って言ってる人いるけど400円になるだけ」), links to an official page, opinions, wishes,
intentions, requests, plain questions (tag questions 「〜なんでしょ？」 assert), conditions
(「荒天なら中止」), other years (「去年は中止」), plans (「廃止する案」), staff telling plans from
inside (the leak check's), gossip with no claim about the city. Word lists are data in `lexicons/misinfo_*.txt` and `misinfo_claims.toml`.

Score is 0–1; for a contradiction it grows with the similarity (of the post, or of the claim's own
sentence if higher) and the strength of the conflict, so "confirmed" means a claim tied to the
statement by specific words that plainly differs from it. At or above `AnalysisConfig.misinfo_suggest_threshold` the engine reports the
finding for a person to confirm; at or above `misinfo_confirm_threshold` it is `confirmed`.
Severity: a confirmed contradiction on a safety matter (water, evacuation, bears, roads,
disease, fraud …: `lexicons/misinfo_safety.txt`) is high, critical when the post asks others to
spread it; other confirmed ones are medium; suggested ones medium on safety matters, else low.

`details["claim_key"]` is stable across repeats of one claim so the store can count its
spread: `"{fact_id}:{slot}:{value}"` for a contradiction (slot: status | date | weekday | time |
amount | within | period | scope | place | denied; e.g. `hanabi-2025:status:cancelled`, `kyufu:amount:50000円`,
`hanabi:date:8月17日`, `sagi:denied:ATM+還付金`, `water:denied:rumour` for a rumour on the
topic of a statement that denies one), `"{fact_id}:unsupported:{words}"` for an unsupported
claim and `"rumour:{words}"` for a rumour with no matching statement (words: the alarming
words, else the topic words, sorted, joined with "+"). Other details: `kind` ("contradiction" |
"unsupported" | "rumour"), `slot`, `claimed`, `similarity` (post ↔ statement, 0–1), `cues`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from analysis.detectors.base import Context
from analysis.factbase import MIN_MASS, Candidate, FactIndex, IndexedFact, Terms
from analysis.misinfo import report, vetoes
from analysis.misinfo.claims import Claims, add_venues, complete, outline, vocabulary
from analysis.misinfo.compare import Comparer, asserted, denial_span, first_claim
from analysis.misinfo.cues import URL, Cues, find_cues, lexicon
from analysis.misinfo.eligibility import INCLUDE_WORDS
from analysis.misinfo.extents import claim_words as extent_words
from analysis.misinfo.extents import scope_words
from analysis.misinfo.gate import TextGate
from analysis.misinfo.phrases import Entry, Match, phrase_set
from analysis.misinfo.quick import QuickTest
from analysis.misinfo.rumours import CONSEQUENTIAL, Rumours
from analysis.misinfo.venues import VENUE_STATUSES
from analysis.misinfo.verdict import Conflict, Verdict
from analysis.misinfo.view import View
from analysis.relevance import city_names, staff_profile
from analysis.text import Doc
from analysis.types import Finding, PostText

MIN_SIMILARITY = 0.3  # below this a statement is not about the post's topic
_ONE_SENTENCE_END = re.compile("[。!?\n！？]")  # (claims.SENTENCE_END as characters)
_ASKED_BACK = re.compile(r"[よねな]?\s*[?？]")  # hearsay right before a question mark
SENTENCE_SIMILARITY = 0.5  # the same, for one sentence of a post that is mostly about other things
MIN_ANCHOR = 0.5  # and the post shares at least one specific word with it (not 市役所 alone)
# cue lists whose words say how a post talks, not what about (not topic words)
NOISE_GROUPS = frozenset({"hearsay", "rumour", "spread", "urge", "truth", "debunk", "source", "report"})
NEWS_PLATFORMS = frozenset({"rss"})  # headlines report; they do not pass on what they heard


@dataclass(frozen=True)
class Reading:
    """What reading one post found: findings, or none and perhaps why it is not misinformation."""

    findings: list[Finding] = field(default_factory=list)
    veto: str | None = None


NOTHING = Reading()


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
        self.rumours = Rumours(self.index, self.fact_lemmas, self.fact_safety)
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
        self._cands: tuple[Terms | None, list[Candidate]] = (None, [])  # the last post's statements
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
        return self._read(post, text, gated=True).findings

    def veto(self, post: PostText, text: Doc, context: Context) -> dict[str, str]:
        """{"misinformation": why} when the rules establish the post is certainly not misinformation
        (`analysis.misinfo.vetoes`: a warning against a rumour, a correction, agreement with the
        statement, a guess or plan, a plain question, a news report naming its source). Asked by
        the engine only where the model alone proposes misinformation, so its cost is rare; it
        reads the post without the gates and shortcuts `detect` takes, which only say "nothing
        to report", not why."""
        if not text.lemmas:
            return {}
        if post.author_description and staff_profile(post.author_description, self.names):
            return {self.kind: vetoes.INSIDER}  # as `_not_insider`: the leak check's, not a rumour
        reading = self._read(post, text, gated=False)
        return {self.kind: reading.veto} if reading.veto and not reading.findings else {}

    def _read(self, post: PostText, text: Doc, gated: bool) -> Reading:
        """The findings, or (when there are none) the veto the post's reading establishes, if any.
        `gated`: `detect`'s way, which stops as soon as nothing can be reported."""
        doc = View(text)
        terms = Terms()
        claims: Claims | None = None
        if (
            gated
            and not self.may_claim.may_pass_on
            and not _ONE_SENTENCE_END.search(doc.text, 0, len(doc.text) - 1)
        ):
            # nothing can be passed on (no hearsay, rumour cue or reporting verb) in one sentence:
            # with no statement about it there is nothing to report, and the word lists need not
            # be matched
            claims = self._outline(doc, terms)
            if not self.index or not self._statements(terms, doc):
                return NOTHING
        matches = self.lexicon.scan(doc.tokens, doc.text)
        if matches.get("debunk"):
            return Reading(veto=vetoes.DEBUNK)
        if gated and not self.may_claim.matched(text, matches):
            return NOTHING
        if claims is None:
            claims = self._outline(doc, terms)
        cues = find_cues(doc, matches, self.index.hosts)
        news = post.platform in NEWS_PLATFORMS
        # a news report of what the city said is not hearsay; it names its source
        named = news and bool(cues.spans.pop("attribution", None) or cues["citation"] or cues.official_link)
        cands = self._candidates(terms, doc, claims, matches, cues) if self.index else []
        current = self.index.current(cands, post.created_at) if cands else None
        if current is None and not cues.rumour_kinds and gated:
            return NOTHING  # no statement to compare with and nothing passed on: nothing to report
        complete(claims, doc, matches.get("status", []), places=False)
        # 「〜って本当？」, or hearsay asked back (「子どもからも金取るようになったんだって？」)
        asked = bool(cues["truth"]) or any(_ASKED_BACK.match(doc.text, s.end) for s in cues["hearsay"])
        if cues["alarming"]:
            cues.spans["alarming"] = [s for s in cues["alarming"] if asserted(doc, claims, s, asked)]
        alarming = cues["alarming"]  # (the rumour checks keep only those passed on)
        found: list[Finding] = []
        veto = None
        if current is not None:
            if any(self.index.facts[c.index].claims.venues for c in cands):
                add_venues(claims, doc)  # only a statement naming a venue needs the post's
            found, veto = self._against_facts(doc, claims, terms, cues, asked, cands, current)
            found = self._not_insider(post, found)
        elif cues.rumour_kinds:
            found = self._not_insider(post, self.rumours.rumour(doc, cues, terms, claims))
        if found or gated:
            return Reading(found)
        return Reading(
            veto=veto or vetoes.unasserted(doc, claims, cues, alarming, asked, named, current is not None)
        )

    def _outline(self, doc: View, terms: Terms) -> Claims:
        claims = outline(doc, terms)
        self._drop_noise(terms, doc)
        return claims

    def _statements(self, terms: Terms, doc: View) -> list[Candidate]:
        """Statements about the post's topic (kept for the post being read)."""
        if self._cands[0] is not terms:
            found = [
                c
                for c in self.index.candidates(terms, doc)
                if c.similarity >= MIN_SIMILARITY and c.anchor >= MIN_ANCHOR
            ]
            self._cands = (terms, found)
        return self._cands[1]

    def _candidates(
        self, terms: Terms, doc: View, claims: Claims, matches: dict[str, list[Match]], cues: Cues
    ) -> list[Candidate]:
        """Statements about the post's topic; else about the topic of one of its sentences that
        says something (a status word or a rumour cue in it), judged more strictly: a claim in a
        post mostly about something else (「プール、子どもからも金取るって？役人ども…」)."""
        cands = self._statements(terms, doc)
        if cands or len(claims.clauses) < 2:
            return cands
        marks = {doc.tokens[m.start].begin for m in matches.get("status", [])}
        marks |= {s.start for k in cues.rumour_kinds for s in cues[k]}
        sentences = {claims.clauses[claims.clause_at(m)].sentence for m in marks}
        if len(sentences) == len({c.sentence for c in claims.clauses}):
            return []  # every sentence already weighed in the whole post
        best: list[Candidate] = []
        for sentence in sentences:
            nouns = frozenset().union(*(c.nouns for c in claims.clauses if c.sentence == sentence))
            part = Terms()
            for w in nouns & terms.keys():
                part[w] = terms[w]
                part.positions[w] = terms.positions[w]
            found = [
                c
                for c in self.index.candidates(part, doc)
                if c.similarity >= SENTENCE_SIMILARITY and c.anchor >= MIN_ANCHOR
            ]
            if found and (not best or found[0].similarity > best[0].similarity):
                best = found
        return best

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
    ) -> tuple[list[Finding], str | None]:
        """The findings against the statement in force on the post's topic, or none and perhaps
        why the post is not misinformation (`analysis.misinfo.vetoes`)."""
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
                return [], vetoes.CORRECTS
        if cues["citation"] and verdict.agreements:
            cited = cues["citation"][0].start
            if all(c.end <= cited for c in verdict.conflicts):
                # 「中止って話が出回ってるけど、市の発表だと延期」: the official word corrects it
                return [], vetoes.CORRECTS
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
            return self._contradiction(doc, fact, chosen, verdict, cues, asked, claims), None
        found = self.rumours.unsupported(doc, fact, chosen, verdict, cues, claims, asked)
        if found or verdict.agreements:
            agreed = not found and vetoes.agrees(verdict, claims, asked, doc.text)
            return found, vetoes.AGREES if agreed else None
        # nothing to compare with the statement: a rumour, but not for words the statement uses
        cues.spans["alarming"] = self.rumours.unstated(cues["alarming"], fact, chosen.index)
        return self.rumours.rumour(doc, cues, terms, claims, matched=True), None

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
        denied_unsaid = conflict.slot == "denied" and not cues.rumour_kinds
        if asked or denied_unsaid or _asks_about(claims, conflict.start, cues):
            # a question puts the claim to someone (「1月8日に投函しても間に合うでしょうか」), and words
            # shared with what the statement denies (「茅野駅周辺は規制しません」) affirm it only when
            # passed on (「全域に避難指示が出たらしい」): at most suggested, for a person and the model
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


def _asks_about(claims: Claims, start: int, cues: Cues) -> bool:
    """The claim at `start` sits in a sentence that ends as a question and nothing in that
    sentence passes a claim on (「〜らしいけど本当？」 does): the author asks, asserting nothing."""
    if not claims.clauses:
        return False
    clause = claims.clauses[claims.clause_at(start)]
    if not clause.question:
        return False
    sentence = [c for c in claims.clauses if c.sentence == clause.sentence]
    begin, end = sentence[0].start, sentence[-1].end
    return not any(begin <= s.start < end for k in cues.rumour_kinds for s in cues[k])
