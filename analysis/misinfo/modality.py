"""How a word is said: denied, as a condition, as an opinion or a wish, as a question, as a
state that held before (「通行止めとしていた」). Read from the words after it in its clause and
sentence; the word lists are `lexicons/misinfo_claims.toml` [scope].
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analysis.misinfo.phrases import is_boundary
from analysis.misinfo.view import Token, View
from analysis.misinfo.vocab import Vocabulary, has, vocabulary

if TYPE_CHECKING:
    from analysis.misinfo.claims import Clause

_SENTENCE_END = {"。", "!", "?", "\n", "！", "？"}


def _scope_after(toks: list[Token], j: int, hi: int, vocab: Vocabulary) -> tuple[bool, bool, bool]:
    """(negated, conditional, opinion) from the words after a status word, up to the clause end."""
    negated = conditional = opinion = False
    for k in range(j, hi):
        t = toks[k]
        if has(vocab.negation, t):
            negated = not negated if t.surface != "なし" else True
            continue
        if has(vocab.condition_after, t) or _looks_like(toks, k):
            conditional = True
        if has(vocab.opinion_after, t):
            opinion = True
        if (
            t.pos[0] in ("助詞", "助動詞", "補助記号", "接尾辞")
            or t.pos[1] == "非自立可能"
            or has(vocab.light, t)
            or (t.pos[0] == "名詞" and toks[k - 1].surface == "の")  # 「避難の指示は出ていない」
        ):
            continue
        if not (conditional or opinion):
            break
    return negated, conditional, opinion


def _looks_like(toks: list[Token], k: int) -> bool:
    """「中止になりそう」: そう after a verb's continuative form is a guess (unlike 「中止だそう」,
    which is hearsay)."""
    t = toks[k]
    if t.surface != "そう" or t.pos[1] != "助動詞語幹" or k == 0:
        return False
    prev = toks[k - 1].pos
    return len(prev) > 5 and prev[5].startswith("連用形")


def past(toks: list[Token], j: int, hi: int) -> bool:
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
    if (
        not opinion
        and end < sentence_end
        and ("よう" in doc.text or "ょう" in doc.text or "こう" in doc.text)
    ):
        opinion = _WISH.search(doc.text, toks[end].begin, toks[sentence_end - 1].end) is not None
    return negated, conditional, opinion, c.question


# 「開催されますように」「通らないようにしよう」: a wish or an intention, not a claim
_WISH = re.compile(
    r"ますように|ように(?:[!！。\s#]|$)|ようにしよう|ようにしましょう|(?:し|こ|行こ)う(?:[!！。\s#か]|$)|ましょう"
)
