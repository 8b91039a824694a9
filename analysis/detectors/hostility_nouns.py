"""Nouns said of people in hostility: who a word for a person is pinned on, and how.

ゴミ is garbage until it is said of someone: ゴミども, 職員はゴミだ, ゴミ集団, 人殺しの市長,
ハイエナみたいな役人, 市長は人殺しと同じ. These functions read the words right after a listed
word (Sudachi's lemmas and parts of speech) and say whether it is said of people.
"""

from __future__ import annotations

from analysis.text import Doc

CLAUSE_END = frozenset({"補助記号", "空白"})
CONTEMPT_SUFFIX = frozenset({"共", "ども", "め", "野郎", "連中", "等", "ら"})
# what may follow a word said as a predicate: ゴミが, クズだな, カスすぎ, 奴隷なんだよ
PREDICATE_TAIL = frozenset(
    {"が", "だ", "じゃ", "です", "よ", "な", "ね", "か", "の", "すぎる", "過ぎる", "め", "!", "わ", "ぞ", "ぜ", "や",
     "じゃん"}
)  # fmt: skip

# バカの集まり, 無能集団: a group of the insulted, so still about people
GROUP_NOUNS = frozenset(
    {"集まり", "集団", "巣窟", "吹き溜まり", "群れ", "揃い", "ばかり", "だらけ", "連中", "寄せ集め", "軍団", "一味", "見本市", "博覧会",
     "オンパレード", "総本山", "極み", "塊", "権化", "化身", "典型", "見本"}
)  # fmt: skip
_LIKE = frozenset({"みたい", "よう", "並み", "同然"})  # ハイエナみたいな役人, 泥棒同然の職員
SOMEONE = frozenset({"もの", "もん", "者", "奴", "やつ", "存在", "連中"})  # ハエみたいなもんだ
LOOKS = frozenset({"顔", "面", "ツラ", "つら", "顔つき", "体型", "声", "目"})  # ブタみたいな顔


# groups that can only be of people (not ゴミだらけ, 猿の群れ, ゴミの吹き溜まり: those are things)
PEOPLE_GROUPS = frozenset({"集まり", "集団", "巣窟", "寄せ集め", "軍団", "一味", "連中"})


def group_after(doc: Doc, last: int) -> int:
    """ゴミ集団 / クズの寄せ集め / 詐欺師の集まり: index of the group of people after the word, or -1."""
    k = last + 1
    n = len(doc.lemmas)
    if k < n and doc.lemmas[k] == "の" and k + 1 < n:
        k += 1
    return k if k < n and doc.lemmas[k] in PEOPLE_GROUPS else -1


def equated_with(doc: Doc, last: int) -> int:
    """市長は人殺しと同じ / 泥棒と一緒だ: index of 同じ / 一緒 / 変わらない said after the word, or -1."""
    k = last + 1
    n = len(doc.lemmas)
    if (
        k + 1 < n
        and doc.lemmas[k] == "と"
        and doc.lemmas[k + 1] in ("同じ", "一緒", "変わる", "同類", "同罪")
    ):
        return k + 1 if doc.lemmas[k + 1] != "変わる" else min(k + 2, n - 1)
    return -1


def likened_noun(doc: Doc, last: int) -> int:
    """ハイエナみたいな役人 / 泥棒同然の職員: index of the noun likened to the word, or -1."""
    k = last + 1
    n = len(doc.lemmas)
    if (
        k + 2 < n
        and doc.lemmas[k] in _LIKE
        and doc.surface(k + 1) in ("な", "の")
        and doc.pos[k + 2][0] == "名詞"
    ):
        return k + 2
    return -1


def modified_noun(doc: Doc, last: int) -> int:
    """バカなこと / アホな企画 / ほんずなしの役場: index of the noun the word modifies, or -1."""
    k = last + 1
    n = len(doc.lemmas)
    if k + 1 < n and doc.surface(k) in ("な", "の") and doc.pos[k + 1][0] == "名詞":
        return k + 1
    return -1


def contempt_suffix(doc: Doc, last: int) -> bool:
    """ゴミども, クズ共, 豚野郎: a contemptuous plural or suffix after the word."""
    k = last + 1
    return k < len(doc.lemmas) and doc.lemmas[k] in CONTEMPT_SUFFIX and doc.pos[k][0] in ("接尾辞", "名詞")


def ends_clause(doc: Doc, last: int) -> bool:
    """The word is said as a predicate or exclamation: ゴミが。/ クズだな / カスすぎ / ブスのくせに"""
    k = last + 1
    n = len(doc.lemmas)
    if k + 1 < n and doc.lemmas[k] == "の" and doc.lemmas[k + 1] in ("癖", "くせ", "分際"):
        return True
    while k < n and doc.lemmas[k] in PREDICATE_TAIL:
        k += 1
    return k >= n or doc.pos[k][0] in CLAUSE_END or doc.lemmas[k] in ("W", "w", "草")
