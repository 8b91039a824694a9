"""What an official statement denies, worked out once when the statement is indexed.

A statement denies something in a clause that ends in a negation (「そのような事実はありません」
「インターネットでの投票はできません」「ATMの操作をお願いしたり、手数料を求めたりすることは絶対に
ありません」). The denial covers the words of that clause and of the clauses before it in its
sentence (the whole sentence after 「そのような」「事実」). A post that affirms those words claims
what the statement denies, but only when it shares a word the statement does not also affirm
elsewhere: 「市内のその他の地区には避難指示は出ていません」 denies nothing about 避難指示 itself,
which the statement's title and first sentence affirm, and a request in the negative (「電池が
入った製品は出さないでください」) is advice, not a denial.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from analysis.misinfo.claims import Claims
from analysis.misinfo.extents import patterns as extent_patterns
from analysis.misinfo.synonyms import concepts

_ANAPHORA = ("事実", "そのよう", "そういった", "こうした")
# a sentence that tells what others say or pretend (「『還付金がある』と言ってATMへ誘導する不審な電話」)
# affirms nothing of its own
_REPORTED = re.compile(r"」(?:と(?:言|い|云|の)|って)|名乗|をかた|を装")
# a clause that a negation after it also covers: things listed (「〜したり、」「〜や」), not a
# clause of its own (「点検を行いましたが、」)
_COORDINATED = re.compile(r"(?:たり|だり|や|とか|なく|ず)[、,]?\s*$")
_REQUEST = re.compile(r"(?:ないで|ないよう|ず)(?:に)?(?:ください|下さい|お願い|願い)|控え|ご遠慮|しないこと")


@dataclass(frozen=True)
class Denial:
    clause: int  # the negated clause of the statement
    words: frozenset[str]  # topic words the negation covers
    own: frozenset[str]  # those the statement does not affirm anywhere else
    whole: bool = False  # it denies it of the whole city (「市全域への避難指示は発令していません」)

    def shared(self, nouns: frozenset[str]) -> tuple[frozenset[str], bool]:
        """(statement words the post's nouns meet, directly or as near-synonyms; whether one of
        them is the denial's own)."""
        met = nouns & self.words
        rest = nouns - met
        if rest:
            table = concepts()
            mine = {g for w in rest for g in table.get(w, ())}
            if mine:
                met |= {w for w in self.words - met if mine & table.get(w, frozenset())}
        return frozenset(met), bool(met & self.own)


def denials(
    claims: Claims, text: str, title_nouns: frozenset[str], stop: frozenset[str] = frozenset()
) -> list[Denial]:
    """The denials of one statement (its `claims` from `analysis.misinfo.claims.extract`); `stop`:
    words never counted (the city's name)."""
    negated = [
        i
        for i, c in enumerate(claims.clauses)
        if c.negated and not _REQUEST.search(text[c.start : claims.sentence_of(i)[-1].end])
    ]
    if not negated:
        return []
    denied_sentences = {claims.clauses[i].sentence for i in negated}
    affirmed = set(title_nouns)
    reported: dict[int, bool] = {}
    for i, c in enumerate(claims.clauses):
        if c.sentence in denied_sentences:
            continue
        if c.sentence not in reported:
            sentence = claims.sentence_of(i)
            reported[c.sentence] = bool(_REPORTED.search(text[sentence[0].start : sentence[-1].end]))
        if not reported[c.sentence]:
            affirmed |= c.nouns
    out = []
    for i in negated:
        c = claims.clauses[i]
        if any(a in text[c.start : c.end] for a in _ANAPHORA):
            words = claims.sentence_nouns(i)
        else:
            words = set(c.nouns)
            for x in reversed(claims.clauses[:i]):  # 「〜をお願いしたり、〜を求めたりすることは…ありません」
                if x.sentence != c.sentence or not _COORDINATED.search(text[x.start : x.end]):
                    break
                words |= x.nouns
            words = frozenset(words)
        words -= stop
        if words:
            whole = extent_patterns()["claimed_all"].search(text, c.start, c.end) is not None
            out.append(Denial(i, words, words - affirmed, whole))
    return out


def expand(words: set[str], variants: Callable[[str], tuple[str, ...]]) -> set[str]:
    """The words, their spelling variants and their near-synonyms: every form a post may use."""
    table = concepts()
    groups = {g for w in words for g in table.get(w, ())}
    out = set(words)
    for w in words:
        out.update(variants(w))
    if groups:
        out.update(w for w, gs in table.items() if gs & groups)
    return out
