"""What a text claims, clause by clause: statuses, dates, times, amounts and the nouns they are about.

The same extraction runs on posts and on official statements, so the two can be compared
slot by slot (`analysis.misinfo.compare`). It reads the tokens `analysis.text` produced and
the normalised text; it never tokenises again. Statuses and their scope words are data in
`lexicons/misinfo_claims.toml`.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.misinfo.phrases import (
    LEXICONS,
    Match,
    PhraseSet,
    Token,
    View,
    ends_as_question,
    is_boundary,
    read_list,
)
from analysis.misinfo.synonyms import lexeme_forms

_SENTENCE_END = {"。", "!", "?", "\n", "！", "？"}
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

    @property
    def asserted(self) -> bool:
        return not (self.conditional or self.opinion)


@dataclass(frozen=True)
class Slot:
    """A date, time or amount found in the text."""

    kind: str  # "date" | "weekday" | "time" | "amount"
    value: tuple  # date: (month|None, first_day, last_day); weekday: (n,); time: (minutes,); amount: (value, unit)
    start: int
    end: int
    clause: int
    negated: bool = False  # 「16日じゃなくて17日」

    def label(self) -> str:
        if self.kind == "date":
            month, lo, hi = self.value
            day = str(lo) if lo == hi else f"{lo}〜{hi}"
            return f"{month}月{day}日" if month else f"{day}日"
        if self.kind == "time":
            return f"{self.value[0] // 60}:{self.value[0] % 60:02d}"
        if self.kind == "weekday":
            return "月火水木金土日"[self.value[0]] + "曜"
        value, unit = self.value
        return f"{value:g}{unit}"


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


@dataclass
class Claims:
    clauses: list[Clause] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    def sentence_of(self, clause: int) -> list[Clause]:
        s = self.clauses[clause].sentence
        return [c for c in self.clauses if c.sentence == s]

    def clause_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right([c.start for c in self.clauses], offset) - 1)

    def sentence_nouns(self, clause: int) -> frozenset[str]:
        s = self.clauses[clause].sentence
        return frozenset().union(*(c.nouns for c in self.clauses if c.sentence == s))


@dataclass(frozen=True)
class Vocabulary:
    """The claim word lists, loaded once."""

    status: PhraseSet
    category: dict[str, str]  # entry text → category
    conflicts: frozenset[frozenset[str]]
    similar: frozenset[frozenset[str]]
    undo: frozenset[str]
    negation: frozenset[str]
    light: frozenset[str]
    condition_before: frozenset[str]
    condition_after: frozenset[str]
    opinion_after: frozenset[str]
    opinion_sentence: frozenset[str]
    other_time: frozenset[str]
    sources: frozenset[str]
    report_verbs: frozenset[str]
    units: tuple[str, ...]
    venue: frozenset[str]
    stopwords: frozenset[str]
    topic_cache: dict = field(default_factory=dict, compare=False)  # token shape → topic key or None

    def conflict(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.conflicts

    def same(self, a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in self.similar


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(words)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = tomllib.loads((LEXICONS / "misinfo_claims.toml").read_text("utf-8"))
    status = data["status"]
    conflicts = frozenset(frozenset(pair) for pair in status.pop("conflicts"))
    similar = frozenset(frozenset(pair) for pair in status.pop("similar", []))
    lines, category = [], {}
    for cat, words in status.items():
        for w in words:
            lines.append(w)
            category[w] = cat
    scope = data["scope"]
    return Vocabulary(
        status=PhraseSet(lines),
        category=category,
        conflicts=conflicts,
        similar=similar,
        undo=_forms(scope["undo"]),
        negation=_forms(scope["negation"]),
        light=_forms(scope["light"]),
        condition_before=_forms(scope["condition_before"]),
        condition_after=_forms(scope["condition_after"]),
        opinion_after=_forms(scope["opinion_after"]),
        opinion_sentence=_forms(scope["opinion_sentence"]),
        other_time=_forms(scope["other_time"]),
        sources=_forms(data["attribution"]["sources"]),
        report_verbs=_forms(data["attribution"]["verbs"]),
        units=tuple(sorted(data["amounts"]["units"], key=len, reverse=True)),
        venue=_forms(data["venue"]["words"]),
        stopwords=frozenset(read_list("misinfo_stopwords.txt")),
    )


def has(words: frozenset[str], t: Token) -> bool:
    return t.normalized in words or t.surface in words


def key(t: Token) -> str:
    """The form a noun is matched on: its lexeme's representative form (ゴミ → ごみ)."""
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
    for i in range(n + 1):
        if i < n:
            topic, boundary, negation, sentence_end = token_info(toks[i], vocab)
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


def _scope_after(toks: list[Token], j: int, hi: int, vocab: Vocabulary) -> tuple[bool, bool, bool]:
    """(negated, conditional, opinion) from the words after a status word, up to the clause end."""
    negated = conditional = opinion = False
    for k in range(j, hi):
        t = toks[k]
        if has(vocab.negation, t):
            negated = not negated if t.surface != "なし" else True
            continue
        if has(vocab.condition_after, t):
            conditional = True
        if has(vocab.opinion_after, t):
            opinion = True
        if (
            t.pos[0] in ("助詞", "助動詞", "補助記号", "接尾辞")
            or t.pos[1] == "非自立可能"
            or has(vocab.light, t)
        ):
            continue
        if not (conditional or opinion):
            break
    return negated, conditional, opinion


def _past(toks: list[Token], j: int, hi: int) -> bool:
    """「〜としていた」「〜していました」: the state before, as a statement tells of an update."""
    for k in range(j, hi - 1):
        t = toks[k]
        if t.normalized in ("居る", "てる") and any(x.normalized == "た" for x in toks[k + 1 : k + 3]):
            return True
        if t.pos[0] not in ("助詞", "助動詞") and t.pos[1] != "非自立可能":
            return False
    return False


def _undone(toks: list[Token], j: int, vocab: Vocabulary) -> bool:
    """「通行止めを解除」「通行止め、11月5日に解除」: a later undo word in the same sentence."""
    for k in range(j, min(len(toks), j + 12)):
        t = toks[k]
        if has(vocab.undo, t):
            nxt = toks[k + 1].surface if k + 1 < len(toks) else ""
            return nxt not in ("まで", "待ち", "見込み", "予定", "の見込み", "前")
        if t.surface in _SENTENCE_END:
            return False
        if t.pos[0] in ("助詞", "助動詞", "補助記号", "接尾辞") or t.pos[1] in ("数詞", "読点"):
            continue
        if t.pos[2] == "助数詞可能" or t.pos[1] == "非自立可能" or has(vocab.light, t):
            continue
        return False
    return False


def _request(toks: list[Token], j: int, hi: int) -> bool:
    """「早く決めて」「中止してよ」: a status verb in the て-form at the end asks, it does not tell."""
    k = j
    while k < hi and toks[k].normalized in ("為る", "ます"):
        k += 1
    if k >= len(toks) or toks[k].surface not in ("て", "で") or toks[k].pos[1] != "接続助詞":
        return False
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return (
        nxt is None
        or is_boundary(nxt)
        or nxt.surface in ("よ", "ね", "ほしい", "欲しい", "ください", "下さい", "くれ")
    )


def modality(
    doc: View, clauses: list[Clause], ci: int, start: int, end: int
) -> tuple[bool, bool, bool, bool]:
    """(negated, conditional, opinion, question) of the words tokens[start:end] in clause `ci`."""
    vocab = vocabulary()
    toks = doc.tokens
    c = clauses[ci]
    negated, conditional, opinion = _scope_after(toks, end, c.tok_end, vocab)
    if not vocab.undo.isdisjoint(doc.words) and _undone(toks, end, vocab):
        negated = not negated
    conditional = conditional or any(has(vocab.condition_before, t) for t in toks[c.tok_start : start])
    if not vocab.other_time.isdisjoint(doc.words):
        conditional = conditional or any(has(vocab.other_time, t) for t in toks[c.tok_start : c.tok_end])
    opinion = opinion or _request(toks, end, c.tok_end)
    sentence_end = max(x.tok_end for x in clauses if x.sentence == c.sentence)
    opinion = opinion or any(has(vocab.opinion_sentence, t) for t in toks[end:sentence_end])
    return negated, conditional, opinion, c.question


def _mentions(doc: View, clauses: list[Clause], matches: list[Match]) -> list[Mention]:
    toks = doc.tokens
    vocab = vocabulary()
    out: list[Mention] = []
    starts = [c.tok_start for c in clauses]
    for m in matches:
        ci = max(0, bisect.bisect_right(starts, m.start) - 1)
        negated, conditional, opinion, question = modality(doc, clauses, ci, m.start, m.end)
        begin, end = toks[m.start].begin, toks[m.end - 1].end
        cat = vocab.category[m.entry.text]
        past = _past(toks, m.end, clauses[ci].tok_end)
        out.append(Mention(cat, m.entry.text, begin, end, ci, negated, conditional, opinion, question, past))
    return out


_DATE = re.compile(
    r"(?:(\d{1,2})月|(?<![\d/.])(\d{1,2})/(?=\d{1,2}(?![\d/])))(\d{1,2})?(日|上旬|中旬|下旬|末)?"
)
_MONTH = re.compile(r"(?<![\d/.])(\d{1,2})月(?![\d上中下末])")
_YEAR_END = re.compile(r"年内いっぱい|年内まで|年末まで")
_DAY = re.compile(r"(?<![\d月/.:])(\d{1,2})日(?!間)")
_WEEKDAY = re.compile(
    r"(?:([月火水木金土日])曜|[(（]([月火水木金土日])(?:曜日?)?[)）]|([月火水木金土日])・(?=[月火水木金土日]曜))"
)
_TIME = re.compile(r"(午前|午後|朝|夜|夕方|昼)?(\d{1,2})(?:時(?!間)(半|\d{1,2}分)?|:(\d{2})(?!\d))")
_DIGIT = re.compile(r"\d")
_PERIODS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31), "末": (25, 31)}
_NEG_AFTER = re.compile(r"^(?:じゃなく|ではなく|じゃな|でな|ではな)")


def _dates(text: str) -> list[tuple[tuple, int, int]]:
    out: list[tuple[tuple, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        month = int(m.group(1) or m.group(2))
        day, unit = m.group(3), m.group(4)
        if not 1 <= month <= 12 or (m.group(2) and not day):
            continue
        if day and (unit == "日" or m.group(2)):
            lo = hi = int(day)
        elif unit in _PERIODS and not day:
            lo, hi = _PERIODS[unit]
        elif not day and not unit:
            continue  # 「10月から」: a month alone is too vague to contradict
        else:
            continue
        out.append(((month, lo, hi), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _MONTH.finditer(text):  # 「来年3月まで」: the whole month
        month = int(m.group(1))
        if 1 <= month <= 12 and not any(a <= m.start() < b for a, b in taken):
            out.append(((month, 1, 31), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    explicit = sorted((s, v[0], v[1]) for v, s, _ in out)  # (offset, month, first day)
    for m in _YEAR_END.finditer(text):
        out.append(((12, 31, 31), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _DAY.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        day = int(m.group(1))
        if not 1 <= day <= 31:
            continue
        i = bisect.bisect_right(explicit, (m.start(), 99, 99)) - 1
        month = explicit[i][1] if i >= 0 else None
        if month and day < explicit[i][2] and re.search("から|〜|~|-", text[explicit[i][0] : m.start()]):
            month = month % 12 + 1  # 「12月29日から3日まで」: into the next month
        out.append(((month, day, day), m.start(), m.end()))
        explicit.insert(i + 1, (m.start(), month, day))
    return out


def _times(text: str) -> list[tuple[tuple, int, int]]:
    out = []
    for m in _TIME.finditer(text):
        part, hour = m.group(1), int(m.group(2))
        if hour > 24 or text[max(0, m.start() - 1) : m.start()] == "/":
            continue
        minute = (
            30
            if m.group(3) == "半"
            else int((m.group(3) or "0").rstrip("分") or 0)
            if m.group(3)
            else int(m.group(4) or 0)
        )
        if part in ("午後", "夜", "夕方") and hour < 12:
            hour += 12
        out.append(((hour * 60 + minute,), m.start(), m.end()))
    for m in re.finditer("正午", text):
        out.append(((12 * 60,), m.start(), m.end()))
    return out


@lru_cache(maxsize=1)
def _amount_re() -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in vocabulary().units)
    return re.compile(rf"(?<![\d第.,/])(\d+(?:,\d{{3}})*(?:\.\d+)?)(万|千|億)?({units})")


def _amounts(text: str) -> list[tuple[tuple, int, int]]:
    out = []
    scale = {"万": 10_000, "千": 1_000, "億": 100_000_000, None: 1}
    for m in _amount_re().finditer(text):
        value = float(m.group(1).replace(",", "")) * scale[m.group(2)]
        out.append(((value, m.group(3)), m.start(), m.end()))
    return out


_SLOT_HINT = re.compile(
    r"\d\s*(?:[月日時/:]|[万千億]?円)|年内|年末まで|\d+(?:,\d{3})*[万千億]?\s*[^\s\d,.、。]"
)


def has_slot(text: str) -> bool:
    """A number with something after it (a date, a time, an amount): what slots are made of."""
    return _SLOT_HINT.search(text) is not None


def extract(doc: View, status: list[Match] | None = None, terms: Counter | None = None) -> Claims:
    """Clauses, status mentions and slots of one text (a post or an official statement).

    `status`: the status-word matches when the caller already scanned the tokens; `terms`
    (a `factbase.Terms`) receives the text's topic words in the same pass."""
    vocab = vocabulary()
    clauses = _clauses(doc, vocab, terms)
    if status is None:
        status = vocab.status.scan(doc.tokens, doc.text).get("", [])
    claims = Claims(clauses=clauses, mentions=_mentions(doc, clauses, status) if clauses else [])
    hedges = vocab.opinion_after | vocab.condition_before | vocab.condition_after | vocab.other_time
    if not hedges.isdisjoint(doc.words):
        for c in clauses:
            c.hedged = any(has(hedges, t) for t in doc.tokens[c.tok_start : c.tok_end])
    if not clauses:
        return claims
    starts = [c.start for c in clauses]
    text = doc.text
    digits = _DIGIT.search(text) is not None
    found = [("date", *d) for d in _dates(text)] if digits or "年" in text else []
    if digits:
        found += [("time", *t) for t in _times(text)]
        found += [("amount", *a) for a in _amounts(text)]
    for m in _WEEKDAY.finditer(text):
        wd = m.group(1) or m.group(2) or m.group(3)
        found.append(("weekday", ("月火水木金土日".index(wd),), m.start(), m.end()))
    for kind, value, start, end in found:
        ci = max(0, bisect.bisect_right(starts, start) - 1)
        negated = bool(_NEG_AFTER.match(text[end : end + 6]))
        claims.slots.append(Slot(kind, value, start, end, ci, negated))
    claims.slots.sort(key=lambda s: s.start)
    return claims
