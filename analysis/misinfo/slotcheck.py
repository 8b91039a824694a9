"""Slots of a post against one official statement: dates, times, amounts, periods, rises, limits
and who pays what. A mixin of `analysis.misinfo.compare.Comparer` (it uses its `_about`, `weight`,
`vocab`, `text`)."""

from __future__ import annotations

from analysis.factbase import IndexedFact
from analysis.misinfo.claims import Claims, Mention
from analysis.misinfo.extents import HOURS, Extent, month_end, period_conflict, rise_conflict
from analysis.misinfo.groups import judge, prices
from analysis.misinfo.slots import Slot
from analysis.misinfo.verdict import Conflict, Verdict, overlap, sentence_span

# 「12日に変更」: the date is the claim, not the date of another matter
DATE_STATUSES = frozenset({"changed", "decided", "as_scheduled", "postponed"})


def _date_overlap(a: tuple, b: tuple) -> bool:
    (ma, la, ha), (mb, lb, hb) = a, b
    return (ma is None or mb is None or ma == mb) and la <= hb and lb <= ha


def same_end(post: Claims, pm: Mention, fc: Claims, fm: Mention) -> bool:
    """The post ends the status on the day the statement's status ends: 「8月31日で終了」."""
    ends = [s for s in post.slots if s.kind == "date" and s.role == "until" and s.clause == pm.clause]
    if not ends:
        return False
    sentence = fc.clauses[fm.clause].sentence
    theirs = [
        s
        for s in fc.slots
        if s.kind == "date" and s.role == "until" and fc.clauses[s.clause].sentence == sentence
    ]
    return any(_date_overlap(a.value, b.value) for a in ends for b in theirs)


def _slot_agrees(slot: Slot, facts: list[Slot]) -> bool:
    if slot.kind == "date":
        return any(_date_overlap(slot.value, f.value) for f in facts)
    if slot.kind == "time" and 60 <= slot.value[0] < 7 * 60:
        # 「1時から」 of an afternoon event: an hour up to six said without 午前/午後 may be either
        return any(f.value[0] in (slot.value[0], slot.value[0] + 12 * 60) for f in facts)
    return any(slot.value == f.value for f in facts)


class SlotChecks:
    def _who_pays(
        self, post: Claims, fact: IndexedFact, verdict: Verdict, text: str, asked: bool
    ) -> set[int]:
        """Prices and free admission the post says of a group, judged against the statement's price
        for that group (`analysis.misinfo.groups`); the offsets of the post's words judged."""
        said = [  # 「無料になったわけではない」 says it is paid
            (m.start, m.end, m.clause, (m.category == "free") != m.negated)
            for m in post.mentions
            if m.category in ("free", "paid") and m.asserted and (asked or not m.question)
        ]
        judged: set[int] = set()
        for j in judge(prices(text, post, said), fact.prices):
            if not j.by_group and not self._about(post, j.price.clause, fact, j.against.clause):
                continue
            judged.add(j.price.start)
            if j.agrees:
                verdict.agreements += 1
                continue
            fs, fe = sentence_span(fact.claims, j.against.clause)
            yen = j.price.yen
            slot, claimed = (
                ("amount", f"{yen:g}円") if yen > 0 else ("status", "free" if yen == 0 else "paid")
            )
            verdict.conflicts.append(Conflict(slot, claimed, j.price.start, j.price.end, fs, fe, 0.85))
        return judged

    @staticmethod
    def _conflict(found: Extent, post: Claims, fact: IndexedFact) -> Conflict:
        fs, fe = sentence_span(fact.claims, found.fact_clause)
        if found.slot == "scope":  # the claim is the post's sentence (「茅野市全域で断水」)
            start, end = sentence_span(post, post.clause_at(found.start))
        else:
            start, end = found.start, found.end
        return Conflict(found.slot, found.claimed, start, end, fs, fe, found.strength)

    def _status_slots(
        self, post: Claims, pm: Mention, fact: IndexedFact, fm: Mention, verdict: Verdict, used: set[int]
    ) -> None:
        """Same status, but on another day or at another time (「予定通り9日に開催」 vs 16日に延期)."""
        fc = fact.claims
        f_sentence = fc.clauses[fm.clause].sentence
        for n, slot in enumerate(post.slots):
            if slot.negated or slot.kind not in ("date", "time"):
                continue
            if slot.clause != pm.clause:
                continue
            near = [
                s for s in fc.slots if s.kind == slot.kind and fc.clauses[s.clause].sentence == f_sentence
            ]
            if not near:
                continue
            used.add(n)
            if _slot_agrees(slot, near):
                verdict.agreements += 1
            else:
                fs, fe = sentence_span(fc, fm.clause)
                verdict.conflicts.append(Conflict(slot.kind, slot.label(), slot.start, slot.end, fs, fe, 0.9))

    def _slots(self, post: Claims, fact: IndexedFact, verdict: Verdict, used: set[int], asked: bool) -> None:
        fc = fact.claims
        # clauses whose status the statement never mentions (「冬季閉鎖は11月15日から」 against a
        # reopening): their dates are of that other matter; a change's date is the claim itself
        unknown = {id(m) for m in verdict.unknown if m.category not in DATE_STATUSES}
        elsewhere = {m.clause for m in verdict.unknown if id(m) in unknown} - {
            m.clause for m in post.mentions if id(m) not in unknown
        }
        for n, slot in enumerate(post.slots):
            clause = post.clauses[slot.clause]
            if n in used or slot.negated or clause.hedged or (clause.question and not asked):
                continue
            about = lambda c, pc=slot.clause: self._about(post, pc, fact, c)  # noqa: E731
            if slot.role == "per" or (slot.kind in ("date", "time", "weekday") and slot.clause in elsewhere):
                continue  # 「1世帯あたり」; a date of a status the statement never mentions (冬季閉鎖)
            if slot.kind == "amount" and slot.role:
                # 「100円アップ」「倍になる」: a rise, compared only with the statement's rises
                found = rise_conflict(slot, fc, fact.doc.text, about)
                if found is True:
                    verdict.agreements += 1
                elif found:
                    verdict.conflicts.append(self._conflict(found, post, fact))
                continue
            if slot.kind == "amount":
                same_unit = [
                    s
                    for s in fc.slots
                    if s.kind == "amount" and s.value[1] == slot.value[1] and s.role != "per"
                ]
            else:
                same_unit = [s for s in fc.slots if s.kind == slot.kind]
            if slot.kind == "date" and slot.role == "until":
                # 「5月いっぱい使えない」: an end, compared with the statement's ends when it gives any
                slot = month_end(slot)
                same_unit = [s for s in same_unit if s.role == "until"] or same_unit
            if not same_unit and slot.kind == "amount" and slot.value[1] in HOURS and fact.periods:
                found = period_conflict(slot, fact.periods, about)
                if found is not None:
                    verdict.conflicts.append(self._conflict(found, post, fact))
                continue
            if not same_unit:
                free = [m for m in fc.mentions if m.category == "free" and m.asserted and not m.negated]
                if (
                    slot.kind == "amount"
                    and slot.value[1] == "円"
                    and slot.value[0] > 0
                    and free
                    and self._about(post, slot.clause, fact, free[0].clause)
                ):
                    # 「入場料1000円取るって」 while the statement says 入場は無料
                    fs, fe = sentence_span(fc, free[0].clause)
                    verdict.conflicts.append(
                        Conflict("amount", slot.label(), slot.start, slot.end, fs, fe, 0.8)
                    )
                continue
            if _slot_agrees(slot, same_unit):
                verdict.agreements += 1
                continue
            nouns = post.sentence_nouns(slot.clause)
            near = max(
                same_unit,
                key=lambda s: (
                    overlap(nouns, fc.sentence_nouns(s.clause), self.weight),
                    fc.clauses[s.clause].sentence > 0,
                ),
            )
            if not self._about(post, slot.clause, fact, near.clause):
                continue  # a date of something else (「院長が3月末で辞める」 against a press briefing)
            tied = overlap(nouns, fc.sentence_nouns(near.clause), self.weight) > 0
            strength = {"amount": 0.8, "date": 0.7, "time": 0.7, "weekday": 0.6, "within": 0.8}[
                slot.kind
            ] + 0.1 * tied
            if slot.kind == "date" and slot.value[1:] == (1, 31):
                strength -= 0.15  # a month alone
            fs, fe = sentence_span(fc, near.clause)
            verdict.conflicts.append(
                Conflict(slot.kind, slot.label(), slot.start, slot.end, fs, fe, strength)
            )
