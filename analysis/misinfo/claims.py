"""What a text claims, clause by clause: statuses, dates, times, amounts and the nouns they are about.

The same extraction runs on posts and on official statements, so the two can be compared
slot by slot (`analysis.misinfo.compare`). It reads the tokens `analysis.text` produced and
the normalised text; it never tokenises again. Statuses and their scope words are data in
`lexicons/misinfo_claims.toml`.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field

from analysis.misinfo import slots
from analysis.misinfo.modality import modality, past
from analysis.misinfo.phrases import Match, clause_end_after, ends_as_question, is_boundary
from analysis.misinfo.slots import Slot
from analysis.misinfo.subjects import subject
from analysis.misinfo.synonyms import lexeme_forms
from analysis.misinfo.view import Token, View
from analysis.misinfo.vocab import Vocabulary, has, vocabulary

__all__ = [
    "Claims",
    "Clause",
    "Mention",
    "Slot",
    "Vocabulary",
    "extract",
    "has",
    "modality",
    "topic_key",
    "vocabulary",
]

_SENTENCE_END = {"。", "!", "?", "\n", "！", "？"}
_VENUE_STATUSES = frozenset({"held", "open", "changed", "as_scheduled"})  # 「〜でやる」「〜で開催」
_TOPIC_POS1 = {"普通名詞", "固有名詞"}


@dataclass(frozen=True)
class Mention:
    """One status word: 中止, 延期, 無料 … and how it is said."""

    category: str
    lemma: str
    start: int  # character offsets into the normalised text
    end: int
    clause: int
    negated: bool = False
    conditional: bool = False  # 「荒天の場合は中止」「中止になるかも」
    opinion: bool = False  # 「中止にすべき」「中止してほしい」
    question: bool = False  # its clause ends as a question
    past: bool = False  # 「通行止めとしていた」: a state that held before, not what holds now
    subject: tuple[str, ...] = ()  # what it is said of (「灯籠流しも…中止」: 灯籠流し), head first

    @property
    def asserted(self) -> bool:
        return not (self.conditional or self.opinion)


@dataclass
class Clause:
    start: int  # characters
    end: int
    tok_start: int
    tok_end: int
    sentence: int
    nouns: frozenset[str] = frozenset()
    negated: bool = False  # the clause itself ends in a negation (「そのような事実はありません」)
    question: bool = False  # its sentence ends as a question
    hedged: bool = False  # a wish, a condition or another year (「28日まで開いてたら良かったのに」)
    denies: bool = False  # a negation anywhere in it (「人にはうつらないって」「予約なしで」)


@dataclass
class Claims:
    clauses: list[Clause] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    venues: list = field(default_factory=list)  # `venues.Venue`: places named as where it happens

    def sentence_of(self, clause: int) -> list[Clause]:
        s = self.clauses[clause].sentence
        return [c for c in self.clauses if c.sentence == s]

    def clause_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right([c.start for c in self.clauses], offset) - 1)

    def sentence_nouns(self, clause: int) -> frozenset[str]:
        s = self.clauses[clause].sentence
        return frozenset().union(*(c.nouns for c in self.clauses if c.sentence == s))


def key(t: Token) -> str:
    """The form a noun is matched on: its lexeme's representative form (ゴミ → ごみ); a word in
    Latin letters as written (Sudachi normalises 「HP」 to a company name)."""
    if t.surface.isascii():
        return t.surface.upper()
    return lexeme_forms().get(t.normalized) or lexeme_forms().get(t.surface) or t.normalized


def is_topic_noun(t: Token, vocab: Vocabulary) -> bool:
    """Nouns that say what a text is about (not numbers, counters, stopwords or status words)."""
    return (
        t.pos[0] == "名詞"
        and t.pos[1] in _TOPIC_POS1
        and t.pos[2] != "助数詞可能"
        and len(t.surface) > 1 - (t.pos[1] == "固有名詞" or not t.surface.isascii())
        and t.normalized not in vocab.stopwords
        and t.surface not in vocab.stopwords
        and t.normalized not in vocab.category
        and t.surface not in vocab.category
        and key(t) not in vocab.stopwords
    )


def token_info(t: Token, vocab: Vocabulary) -> tuple[str | None, bool, bool, bool]:
    """(topic word or None, ends a clause, is a negation, ends a sentence), memoised per word
    shape: a stream repeats its words, so each is worked out once."""
    shape = (t.normalized, t.surface, t.pos)
    cache = vocab.topic_cache
    info = cache.get(shape)
    if info is None:
        topic = key(t) if is_topic_noun(t, vocab) else None
        info = (topic, is_boundary(t), has(vocab.negation, t), t.surface in _SENTENCE_END)
        if len(cache) > 200_000:
            cache.clear()
        cache[shape] = info
    return info


def topic_key(t: Token, vocab: Vocabulary) -> str | None:
    return token_info(t, vocab)[0]


def _clauses(doc: View, vocab: Vocabulary, terms: Counter | None = None) -> list[Clause]:
    """Clauses of the text; `terms` (if given) receives the count of each topic word."""
    out: list[Clause] = []
    toks = doc.tokens
    start_tok, sentence = 0, 0
    nouns: set[str] = set()
    negs: list[int] = []
    n = len(toks)
    cache = vocab.topic_cache
    for i in range(n + 1):
        if i < n:
            t = toks[i]
            info = cache.get((t[1], t[0], t[2]))  # (normalized, surface, pos): see token_info
            topic, boundary, negation, sentence_end = info if info is not None else token_info(t, vocab)
            if topic is not None:
                nouns.add(topic)
                if terms is not None:
                    terms[topic] += 1
                    terms.positions.setdefault(topic, i)
            if negation:
                negs.append(i)
            if not boundary:
                continue
            end_tok = i + 1
        else:
            end_tok, sentence_end = n, False
        if end_tok > start_tok:
            negated = bool(negs) and negs[-1] >= max(start_tok, end_tok - 4)
            out.append(
                Clause(
                    toks[start_tok].begin,
                    toks[end_tok - 1].end,
                    start_tok,
                    end_tok,
                    sentence,
                    frozenset(nouns),
                    negated,
                    denies=bool(negs) and negs[-1] >= start_tok,
                )
            )
            nouns = set()
        start_tok = end_tok
        if sentence_end:
            sentence += 1
    last: dict[int, Clause] = {}
    for c in out:
        last[c.sentence] = c
    asks = {s: ends_as_question(toks, c.tok_start) for s, c in last.items()}
    for c in out:
        c.question = asks[c.sentence]
    return out


def _attributive(toks: list[Token], j: int) -> bool:
    """「有料観覧席」「無料シャトルバス」: a status word that names a kind of thing, not its status
    (a following noun that is not itself an action: 「中止決定」「無料開放」 still claim)."""
    if j >= len(toks):
        return False
    t = toks[j]
    return t.pos[0] == "名詞" and t.pos[1] == "普通名詞" and t.pos[2] == "一般"


def _subject_key(t: Token, vocab: Vocabulary) -> str | None:
    """A topic word, or a status noun a status is said of (「有料化は検討していない」)."""
    key_ = topic_key(t, vocab)
    if key_ is None and t.pos[0] == "名詞" and t.normalized in vocab.category:
        return t.normalized
    return key_


def _mentions(doc: View, clauses: list[Clause], matches: list[Match]) -> list[Mention]:
    toks = doc.tokens
    vocab = vocabulary()
    out: list[Mention] = []
    starts = [c.tok_start for c in clauses]
    first: dict[int, int] = {}  # sentence → its first token
    for c in clauses:
        first.setdefault(c.sentence, c.tok_start)
    for m in matches:
        cat = vocab.category[m.entry.text]
        if cat != "required" and _attributive(toks, m.end):
            continue
        if m.entry.text == "なくなる" and toks[m.start].pos[0] == "助動詞":
            continue  # 「車が通れなくなる」「使えなくなる」: a verb's negation, not something abolished
        if m.entry.text == "なし":
            # 「予約なしで」「所得制限なし」 say what is not needed; 「フェアもなし」 at a clause end cancels
            if m.start and toks[m.start - 1].pos[0] == "名詞":
                cat = "not_required"
            elif clause_end_after(toks, m.end) is None:
                continue
        ci = max(0, bisect.bisect_right(starts, m.start) - 1)
        negated, conditional, opinion, question = modality(doc, clauses, ci, m.start, m.end)
        begin, end = toks[m.start].begin, toks[m.end - 1].end
        if cat == "required" and m.entry.text.endswith(("と", "きゃ", "ければ")):
            negated = False  # 「予約しないとできない」: the negation after it is the claim itself
        was = past(toks, m.end, clauses[ci].tok_end)
        said_of = subject(toks, m.start, first[clauses[ci].sentence], lambda t: _subject_key(t, vocab))
        if cat in ("required", "not_required") and m.start and (k := topic_key(toks[m.start - 1], vocab)):
            said_of = (k,)  # 「申請しないと」「予約なしで」: what is (not) needed comes just before
        out.append(
            Mention(cat, m.entry.text, begin, end, ci, negated, conditional, opinion, question, was, said_of)
        )
    return out


def extract(
    doc: View, status: list[Match] | None = None, terms: Counter | None = None, statement: bool = False
) -> Claims:
    """Clauses, status mentions and slots of one text (a post or an official statement).

    `status`: the status-word matches when the caller already scanned the tokens; `terms`
    (a `factbase.Terms`) receives the text's topic words in the same pass."""
    return complete(outline(doc, terms), doc, status, statement)


def outline(doc: View, terms: Counter | None = None) -> Claims:
    """The clauses of a text and (into `terms`) its topic words, nothing more yet: enough to find
    the statements it may be about (`complete` adds what it claims)."""
    return Claims(clauses=_clauses(doc, vocabulary(), terms))


def complete(
    claims: Claims, doc: View, status: list[Match] | None = None, statement: bool = False, places: bool = True
) -> Claims:
    """Status mentions, hedges, slots and (with `places`, else see `add_venues`) venues of a text
    `outline` read."""
    vocab = vocabulary()
    clauses = claims.clauses
    if status is None:
        status = vocab.status.scan(doc.tokens, doc.text).get("", [])
    claims.mentions = _mentions(doc, clauses, status) if clauses else []
    hedges = vocab.opinion_after | vocab.condition_before | vocab.condition_after | vocab.other_time
    if not hedges.isdisjoint(doc.words):
        for c in clauses:
            c.hedged = any(has(hedges, t) for t in doc.tokens[c.tok_start : c.tok_end])
    if not clauses:
        return claims
    if places:
        add_venues(claims, doc, statement)
    starts = [c.start for c in clauses]
    for kind, value, start, end, negated, role in slots.find(doc.text, vocab.units):
        ci = max(0, bisect.bisect_right(starts, start) - 1)
        claims.slots.append(Slot(kind, value, start, end, ci, negated, role))
    return claims


def add_venues(claims: Claims, doc: View, statement: bool = False) -> None:
    """The places a text names as venues (`analysis.misinfo.venues`), when it may name any."""
    vocab = vocabulary()
    if any(w in doc.text for w in vocab.venue) or any(m.category in _VENUE_STATUSES for m in claims.mentions):
        from analysis.misinfo.venues import venues  # (venues reads Claims: imported when needed)

        claims.venues = venues(doc, claims, vocab, statement)
