"""Compare what a post claims with one official statement, slot by slot.

A post's status word (中止, 延期, 無料 …) is compared with the statement's mention of the
same or a conflicting status in the clause that shares the most nouns with the post's
sentence (so 「プラスチックも変わる」 meets 「プラスチック類の収集日は変わりません」 and not
「燃やせるごみの曜日を変更します」). Amounts are compared per unit, dates, weekdays and times
against those the statement names, and a claim that shares its nouns with a sentence the
statement denies (「そのような事実はありません」「避難指示は発令していません」) contradicts it.
"""

from __future__ import annotations

import re

from analysis.factbase import IndexedFact
from analysis.misinfo.claims import Claims, Mention, modality, vocabulary
from analysis.misinfo.cues import Span
from analysis.misinfo.eligibility import outside
from analysis.misinfo.extents import (
    ScopeWord,
    days_conflict,
    scope_conflict,
)
from analysis.misinfo.slotcheck import SlotChecks, same_end
from analysis.misinfo.verdict import Conflict, Verdict, overlap, sentence_span
from analysis.misinfo.view import View

# Status categories a resident would call alarming when they are not true.
_DENIAL_MIN = 1.6  # shared evidence (sum of word weights) with a denied sentence
_UNCHANGED = re.compile(
    r"据え?置|そのまま|のまま|変わらず|変わらない|今まで通り|今までどおり|これまで通り|これまでどおり|従来通り"
)
MIN_TIE = 0.5  # a shared word this specific ties a claim to a statement's sentence
Links = dict[str, list[tuple[str, float]]]


class Comparer(SlotChecks):
    def __init__(self, weight, topic_weight=None, specificity=None, stop: frozenset[str] = frozenset()):
        self.stop = stop  # the city's names: never what a status word is said of
        self.weight = weight  # word → 0..1 (the fact index's idf weight)
        self.topic_weight = topic_weight or weight  # word → 0..1, low for generic words (市役所)
        self.specificity = specificity or (lambda _w: 1.0)  # any word → 0..1, without the fact base
        self.vocab = vocabulary()
        self.links: Links = {}
        self.text = ""
        self.post_nouns: frozenset[str] = frozenset()

    def tied(self, post_nouns: frozenset[str], fact_nouns: frozenset[str]) -> bool:
        """The post's sentence and the statement's sentence (or title) are about the same thing: a
        specific word in common (「花火大会」, not 「市役所」 nor a date). A post sentence with no
        specific word any statement uses (「900円とかありえん」) carries on the post's topic."""
        if not any(w in self.links and self.specificity(w) >= MIN_TIE for w in post_nouns):
            post_nouns = self.post_nouns
        for word in post_nouns:
            own = self.specificity(word)
            for term, m in self.links.get(word, ()):
                if term in fact_nouns and m * min(own, self.topic_weight(term)) >= MIN_TIE:
                    return True
        return False

    def _head(self, subject: tuple[str, ...]) -> str | None:
        """The most telling word of a status word's subject: its head, unless that is generic or
        one character (「ウォーキング大会」 → ウォーキング, not 大会; 「白樺湖の間」 → 白樺湖)."""
        return next((w for w in subject if w not in self.stop and self.specificity(w) >= 1.0), None)

    def _met(self, word: str, fact_words: frozenset[str]) -> bool:
        """The post's word is, or matches (as a part or a reading), one of the statement's words."""
        return word in fact_words or any(term in fact_words for term, _ in self.links.get(word, ()))

    def _about(self, post: Claims, clause: int, fact: IndexedFact, fact_clause: int) -> bool:
        fc = fact.claims
        return self.tied(post.sentence_nouns(clause), fc.sentence_nouns(fact_clause) | fact.title_nouns)

    def compare(
        self,
        post: Claims,
        fact: IndexedFact,
        asked: bool,
        links: Links | None = None,
        scopes: list[ScopeWord] | None = None,
        text: str = "",
    ) -> Verdict:
        """`asked`: the post asks whether its claim is true (「〜って本当？」), so questions count.
        `links`: post word → [(statement word, match weight)] (`FactIndex.candidates`).
        `scopes`: the post's words of extent (`extents.scope_words`); `text`: the post's text."""
        self.links = links or {}
        self.text = text
        self.post_nouns = frozenset().union(*(c.nouns for c in post.clauses))
        verdict = Verdict()
        judged = self._who_pays(post, fact, verdict, text, asked) if fact.prices and text else set()
        compared_slots = {n for n, s in enumerate(post.slots) if s.start in judged}
        for pm in post.mentions:
            if not pm.asserted or (pm.question and not asked) or pm.start in judged:
                continue
            self._status(post, pm, fact, verdict, compared_slots)
        self._slots(post, fact, verdict, compared_slots, asked)
        if scopes and fact.scopes:
            about = lambda pc, fc: self._about(post, pc, fact, fc)  # noqa: E731
            found = scope_conflict(scopes, fact.scopes, post, about, asked)
            if found is not None:
                verdict.conflicts.append(self._conflict(found, post, fact))
        self._venue(post, fact, verdict, asked)
        if text:
            found = days_conflict(
                text, post, fact.doc.text, fact.claims, lambda a, b: self._about(post, a, fact, b)
            )
            if found is not None:
                verdict.conflicts.append(self._conflict(found, post, fact))
        elig = fact.eligibility
        if (elig.excluded or elig.groups) and text:
            out = outside(text, post, elig, self.specificity)
            if out is not None and self._about(post, post.clause_at(out.start), fact, out.fact_clause):
                fs, fe = sentence_span(fact.claims, out.fact_clause)
                ps, pe = sentence_span(post, post.clause_at(out.start))
                verdict.conflicts.append(Conflict("scope", out.claimed, ps, pe, fs, fe, 0.8))
        self._denied(post, fact, verdict, asked, any(w.kind == "all" for w in scopes or ()))
        return verdict

    def _venue(self, post: Claims, fact: IndexedFact, verdict: Verdict, asked: bool) -> None:
        """A venue the statement does not name (「避難所は茅野市民館だって」 against コミュニティ
        センター), or one it names said not to be (「市民館ではやらない」): `analysis.misinfo.venues`."""
        theirs = fact.claims.venues
        if not post.venues or not theirs:
            return
        if not any(self._met(w, fact.title_nouns) for w in self.post_nouns if self.specificity(w) >= 1.0):
            return  # a venue of what? (「会場：茅野市民館。入場無料」 names no event of the statement)
        words = frozenset().union(*(v.words for v in theirs))
        for v in post.venues:
            c = post.clauses[v.clause]
            if c.hedged or (c.question and not asked) or v.head in self.stop:
                continue  # (「茅野市の避難所」 names the city, not a venue)
            met = self._met(v.head, words)
            if met != v.denied:
                verdict.agreements += 1  # the same venue, or another said not to be it
                continue
            tied = [f for f in theirs if self._about(post, v.clause, fact, f.clause)]
            if not tied:
                continue
            fs, fe = sentence_span(fact.claims, tied[0].clause)
            claimed = ("not_" if v.denied else "") + v.head
            verdict.conflicts.append(Conflict("place", claimed, v.start, v.end, fs, fe, 0.8))
            return

    def _status(self, post: Claims, pm: Mention, fact: IndexedFact, verdict: Verdict, used: set[int]) -> None:
        fc = fact.claims
        nouns = post.sentence_nouns(pm.clause)
        head = self._head(pm.subject)
        if head is not None and not self._met(
            head, fact.terms.keys() | fact.title_nouns | {m.lemma for m in fc.mentions}
        ):
            verdict.unknown.append(
                pm
            )  # said of something the statement never names (「有料化は検討していない」)
            return
        best, best_score = None, -1.0
        for fm in fc.mentions:
            if fm.past or fm.opinion or (fm.conditional and fm.category != "lottery"):
                continue  # (「申込多数の場合は抽選」 still says it is not first come, first served)
            same = self.vocab.same(fm.category, pm.category)
            if not same and not self.vocab.conflict(fm.category, pm.category):
                continue
            # the statement's word for the same status, when it has one, is what the post is
            # compared with (「再開」 meets 「営業を再開」, not 「休館します」), unless another of its
            # clauses is said of the post's subject (「灯籠流しは予定どおり実施」 for 「灯籠流しも中止」)
            score = (
                overlap(nouns, fc.sentence_nouns(fm.clause), self.weight)
                + 0.6 * (fm.lemma == pm.lemma)
                + 100 * same
                + 0.01 * (fc.clauses[fm.clause].sentence > 0)  # the body says it more fully than the title
            )
            if head is not None and self._met(head, frozenset(fm.subject)):
                score += 200
            if score > best_score:
                best, best_score = fm, score
        if best is None:
            fee = [x for x in fc.slots if x.kind == "amount" and x.value[1] == "円" and x.value[0] > 0]
            if (
                pm.category == "free"
                and not pm.negated
                and fee
                and self._about(post, pm.clause, fact, fee[0].clause)
            ):
                # 「無料になる」 while the statement names a price (手数料は1点500円)
                fs, fe = sentence_span(fc, fee[0].clause)
                verdict.conflicts.append(Conflict("status", "free", pm.start, pm.end, fs, fe, 0.8))
                return
            verdict.unknown.append(pm)
            return
        fs, fe = sentence_span(fc, best.clause)
        if self.vocab.same(best.category, pm.category):
            if best.negated == pm.negated:
                verdict.agreements += 1
                self._status_slots(post, pm, fact, best, verdict, used)
                return
            if same_end(post, pm, fc, best):
                verdict.agreements += 1  # 「営業は8月31日で終了」 of 「8月31日まで営業します」
                return
            strength = 1.0 if best.lemma == pm.lemma else 0.85
        elif not best.negated and not pm.negated:
            strength = 0.9
        else:
            verdict.agreements += 1
            return
        if not self._about(post, pm.clause, fact, best.clause):
            verdict.unknown.append(pm)  # 「パン屋がオープン」 against a road closed for a festival
            return
        value = ("not_" if pm.negated else "") + pm.category
        verdict.conflicts.append(Conflict("status", value, pm.start, pm.end, fs, fe, strength))

    def _denied(self, post: Claims, fact: IndexedFact, verdict: Verdict, asked: bool, whole: bool) -> None:
        """The post affirms what a sentence of the statement denies (`analysis.misinfo.denials`);
        a denial of the whole city (「市全域への避難指示は…ありません」) only when the post says
        the whole city too (`whole`)."""
        if not fact.denials:
            return
        fc = fact.claims
        for i, c in enumerate(post.clauses):
            if c.negated or c.denies or any(m.clause == i and m.negated for m in post.mentions):
                continue  # 「人には感染しないって」「予約なしで行けた」: it says what the statement says
            if _UNCHANGED.search(self.text, c.start, c.end):
                continue  # 「和室と調理室は据え置き」: unchanged, as the statement says
            if c.question and not asked:
                continue
            sentence = post.sentence_of(i)
            # 「まだ避難指示は出てないけど、気をつけて」: a sentence that denies it itself
            nouns = c.nouns if any(x.negated or x.denies for x in sentence) else post.sentence_nouns(i)
            for d in fact.denials:
                if d.whole and not whole:
                    continue
                shared, own = d.shared(nouns)
                if own and len(shared) >= 2 and overlap(shared, d.words, self.weight) >= _DENIAL_MIN:
                    fs, fe = sentence_span(fc, d.clause)
                    claimed = "+".join(sorted(shared)[:3])
                    verdict.conflicts.append(Conflict("denied", claimed, c.start, c.end, fs, fe, 0.8))
                    return


def asserted(doc: View, claims: Claims, span: Span, asked: bool) -> bool:
    """An alarming word the post asserts: not denied, not a condition, an opinion or a plain question."""
    if not claims.clauses:
        return False
    ci = claims.clause_at(span.start)
    negated, conditional, opinion, question = modality(doc, claims.clauses, ci, span.tok_start, span.tok_end)
    return not (negated or conditional or opinion or (question and not asked))


def first_claim(claims: Claims) -> tuple[int, int]:
    c = next((c for c in claims.clauses if c.nouns), claims.clauses[0] if claims.clauses else None)
    return (c.start, c.end) if c else (0, 0)


def denial_span(fact: IndexedFact) -> tuple[int, int]:
    c = next((c for c in fact.claims.clauses if c.negated), None)
    if c is None:
        return 0, 0
    s = fact.claims.sentence_of(fact.claims.clauses.index(c))
    return s[0].start, s[-1].end
