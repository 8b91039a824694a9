"""What a status word is said of: the noun phrase marked as its subject or topic.

「白樺湖の灯籠流しも今年は花火と一緒に中止って」 says 中止 of 灯籠流し (marked by も), not of 花火;
「有料化は検討していない」 says 検討 of 有料化. A statement that cancels one event and holds
another (「花火大会は中止します。灯籠流しは予定どおり実施します」) is compared clause by clause
through these subjects, and a post whose subject the statement never names is about something
else (「ビーナスラインの有料化は検討していない」 against 「解除の見込みは未定です」).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analysis.misinfo.view import Token

_TOPIC_MARKERS = frozenset({"は", "も", "って", "なら"})  # the sentence's topic, looked for first
_MARKERS = frozenset({"が", "、", ","})  # else the nearest subject
_JOINERS = frozenset({"の", "・", "と", "や"})
_SENTENCE_END = frozenset({"。", "!", "?", "\n", "！", "？"})


def subject(
    toks: Sequence[Token], start: int, lo: int, key: Callable[[Token], str | None]
) -> tuple[str, ...]:
    """Topic words of the noun phrase a status word at token `start` is said of, looked for
    back to `lo` (the start of its sentence): the nearest one marked as a topic (は, も, って),
    else the nearest marked by が or a comma; the head (last word) first. 「ウォーキング大会は、
    倒木の撤去が終わらないため中止します」 is said of the 大会, not of the 撤去."""
    for markers in (_TOPIC_MARKERS, _MARKERS):
        k = start - 1
        while k > lo:
            t = toks[k]
            if t.surface in _SENTENCE_END:
                break
            if t.surface in markers:
                words = _phrase(toks, k - 1, lo, key)
                if words:
                    return words
            k -= 1
    return ()


def _phrase(toks: Sequence[Token], k: int, lo: int, key: Callable[[Token], str | None]) -> tuple[str, ...]:
    """The topic words of the noun phrase ending at token k (read backwards through の, ・, と)."""
    words: list[str] = []
    while k >= lo:
        t = toks[k]
        word = key(t)
        if word is not None:
            words.append(word)
        elif t.surface in _JOINERS and words:
            pass
        elif t.pos[0] not in ("接尾辞", "名詞") and not (t.pos[0] == "補助記号" and t.surface in "「」『』"):
            break
        k -= 1
    return tuple(words)
