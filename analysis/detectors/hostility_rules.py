"""Sentence structure for hostility: how a verb is said, who a word is aimed at.

A word list alone cannot tell 殺すぞ (a threat) from 殺される (a passive), 辞めろ (an order)
from 辞職すべき (an opinion), or ゴミども (an insult) from ゴミの日 (a collection day).
These functions read Sudachi's parts of speech and conjugation forms around a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.detectors.hostility_nouns import (  # noqa: F401 - read as rules.X by the detector
    GROUP_NOUNS,
    LOOKS,
    PEOPLE_GROUPS,
    SOMEONE,
    contempt_suffix,
    ends_clause,
    equated_with,
    group_after,
    likened_noun,
    modified_noun,
)
from analysis.text import Doc

# Auxiliary verbs and adjectives that continue a verb phrase (てやる, ちまえ, しまくれ, てくれ, ばいい)
_AUX_VERBS = frozenset(
    {"遣る", "やる", "仕舞う", "ちまう", "ちゃう", "行く", "来る", "置く", "とく", "捲る", "呉れる", "くれる",
     "居る", "貰う", "見る", "為る", "させる", "せる", "あげる", "上げる", "付ける", "込む", "出す", "切る",
     "無くなる", "なくなる", "消える", "続ける"}
)  # fmt: skip
_AUX_ADJ = frozenset({"良い", "欲しい", "無い", "ない"})
_DECLARE = frozenset({"ぞ", "ぜ", "わ", "からな", "かんな", "で", "じゃ", "や", "っす"})
# particles that keep a verb phrase going (て, ば, の …); any other particle ends it
_CONTINUING = frozenset(
    {"て", "って", "で", "ば", "ちゃ", "の", "ん", "よ", "ね", "さ", "なあ", "な", "から", "けど"}
)
_NEGATION = frozenset({"ない", "ず", "ぬ", "無い", "ん"})
_PASSIVE = frozenset({"れる", "られる"})
_FIRST_PERSON = frozenset(
    {"私", "俺", "僕", "自分", "わたし", "あたし", "おれ", "ぼく", "わし", "うち", "我"}
)
_CLAUSE_END = frozenset({"補助記号", "空白"})
_QUOTES = re.compile(r"「[^」]*」|『[^』]*』|\"[^\"]*\"|“[^”]*”")
_SENTENCE = re.compile(r"[^。!?！？\n]+[。!?！？\n]*")


@dataclass(frozen=True)
class Mood:
    """How a verb (with its auxiliaries) is said."""

    imperative: bool = False  # 死ね, 辞めろ, 晒せ, 辞めちまえ, 凸しろ
    volitional: bool = False  # 殺そう, 晒そうぜ, 凸しよう, 燃やしたろか
    declarative: bool = False  # 殺すぞ, 殺してやる, 晒すわ, 爆破します, 火つけてやりたい
    wish: bool = False  # 死ねばいいのに, 死んでくれ, 死んでほしい
    done: bool = False  # 特定した, 晒しとく (an act already done or arranged)
    prohibitive: bool = False  # ふざけるな, なめんな
    negated: bool = False
    passive: bool = False
    opinion: bool = False  # 辞職すべき, 辞めてほしい (requests, not orders)
    question: bool = False  # なめてんのか
    desire: bool = False  # 〜たい
    vow: bool = False  # 〜てやる (クビにしてやる, 晒してやる)
    last: int = 0  # index of the last word of the phrase

    @property
    def threat_question(self) -> bool:
        """殺されたいのか, 刺されたいか: do you want to be killed?"""
        return self.passive and self.desire and not self.negated

    @property
    def intent(self) -> bool:
        return (self.imperative or self.volitional or self.declarative) and not (self.negated or self.passive)


def mood(doc: Doc, i: int) -> Mood:
    """Read the verb phrase starting at word i (a verb, or a noun made a verb by する / る)."""
    lemmas, pos = doc.lemmas, doc.pos
    n = len(lemmas)
    flags: dict[str, bool] = {}
    j = i
    if pos[i][0] != "動詞":
        if i + 1 < n and lemmas[i + 1] in ("為る", "れる", "る", "り"):
            j = i + 1  # 辞職しろ, 凸る: the verb is the next word
            if lemmas[j] != "為る":
                flags["declarative"] = True  # 凸る (Sudachi reads る as an auxiliary)
        elif i + 2 < n and lemmas[i + 1] in ("に", "と") and lemmas[i + 2] == "為る":
            j = i + 2  # クビにしろ
    head = pos[j]
    if head[5].startswith("命令形") or _looks_imperative(doc, j):
        flags["imperative"] = True
    elif head[5].startswith("意志推量形"):
        flags["volitional"] = True
    elif head[5].startswith("仮定形") and (j + 1 >= n or lemmas[j + 1] != "ば"):
        flags["imperative"] = True  # Sudachi reads a lone 死ね as 仮定形
    elif j + 1 < n and _conditional(doc, j + 1) and (j + 2 >= n or pos[j + 2][0] in _CLAUSE_END):
        flags["wish"] = True  # 死ねば？ / 辞めたら？ (why don't you …)
    k = j + 1
    while k < n:
        lm, p = lemmas[k], pos[k]
        major = p[0]
        if major == "動詞" and (p[1] == "非自立可能" or lm in _AUX_VERBS):
            if lm in ("遣る", "やる") or lm == "とく":
                flags["declarative"] = True
                flags["vow"] = flags.get("vow", False) or lm in ("遣る", "やる")
        elif major == "助動詞":
            if lm in _NEGATION:
                flags["negated"] = True
            elif lm in _PASSIVE and not flags.get("declarative"):
                flags["passive"] = True
            elif lm in ("たい",):
                flags["desire"] = True
                if not flags.get("passive"):
                    flags["declarative"] = True
            elif lm == "ます" and p[5].startswith("終止形"):
                flags["declarative"] = True
            elif lm in ("べし", "べき"):
                flags["opinion"] = True
            elif lm in ("た", "だ") and doc.surface(k) == "たろ" and k + 1 < n and lemmas[k + 1] == "か":
                flags["volitional"] = True  # 燃やしたろか, 火つけたろか (Kansai: shall I burn it)
            elif lm == "た":
                if p[5].startswith("意志推量形") and k + 1 < n and lemmas[k + 1] == "か":
                    flags["volitional"] = True
                elif p[5].startswith(("終止形", "連体形")):
                    flags["done"] = True
            elif lm in ("とく", "てく"):
                flags["declarative"] = True  # 晒しとく, 電凸してく (one after another)
            elif lm in ("たり", "たる"):
                flags["declarative"] = True  # 殺したる (Kansai)
        elif major == "形容詞" and lm in _AUX_ADJ:
            if lm == "欲しい":
                flags["opinion"] = True
            elif lm == "良い" and k > 0 and (lemmas[k - 1] == "ば" or pos[k - 1][5].startswith("仮定形")):
                flags["wish"] = True
            elif lm in ("無い", "ない"):
                flags["negated"] = True
        elif major == "助詞":
            if lm in _DECLARE and p[1] == "終助詞":
                flags["declarative"] = True
            elif lm == "な" and p[1] == "終助詞" and pos[k - 1][5].startswith("終止形"):
                flags["prohibitive"] = True
            elif lm == "か" and p[1] == "終助詞":
                flags["question"] = True
            elif lm == "から" and k + 1 < n and lemmas[k + 1] in ("な", "ね"):
                flags["declarative"] = True
            elif lm not in _CONTINUING:
                break
        elif major == "形状詞" and lm == "よう":
            break
        elif major == "接尾辞" and lm in ("済み", "済"):
            flags["done"] = True  # 特定済み
        elif (
            major == "動詞"
            and lemmas[k - 1] in ("て", "で")
            and (p[5].startswith("命令形") or _looks_imperative(doc, k))
        ):
            flags["imperative"] = True  # 黙って働け: the order falls on the next verb
            break
        elif major in _CLAUSE_END or major not in ("接尾辞",):
            if lm in ("?", "？"):
                flags["question"] = True  # なめてんの？: asked with a question mark
            break
        if lm in ("呉れる", "くれる") and p[5].startswith("命令形"):
            flags["wish"] = True
        if lm in ("下さる", "くださる", "頂く", "いただく", "願う"):
            flags["opinion"] = True  # 辞めてください: a polite request, not an order
        if p[5].startswith("命令形") and lm not in ("呉れる", "くれる"):
            flags["imperative"] = True
        if p[5].startswith("意志推量形") and major == "動詞":
            flags["volitional"] = True
        k += 1
    last = k - 1
    if lemmas[last] in ("て", "で") and not flags.get("imperative") and _order_later(doc, k):
        flags["imperative"] = True  # 全員クビにしてAIに置き換えろ: the order ends the clause
    if not any(
        flags.get(f) for f in ("imperative", "volitional", "declarative", "wish", "done", "prohibitive")
    ):
        # a bare plain form ending the sentence: 市長を殺す。 / 晒す
        if head[5].startswith("終止形") and (k >= n or pos[k][0] in _CLAUSE_END or lemmas[k] in ("W", "w")):
            flags["declarative"] = True
    return Mood(last=last, **flags)


def _order_later(doc: Doc, k: int) -> bool:
    """An order (not a polite ください) among the next few words of the same clause."""
    for m in range(k, min(k + 8, len(doc.lemmas))):
        p = doc.pos[m]
        if p[0] in _CLAUSE_END:
            return False
        if p[0] == "動詞" and doc.lemmas[m] not in ("下さる", "くださる", "呉れる", "くれる"):
            if p[5].startswith("命令形") or _looks_imperative(doc, m):
                return True
    return False


def _conditional(doc: Doc, k: int) -> bool:
    """ば or たら/だら: the conditional that, left hanging, suggests (辞めたら？)."""
    return doc.lemmas[k] == "ば" or (doc.lemmas[k] in ("た", "だ") and doc.pos[k][5].startswith("仮定形"))


_U_TO_E = dict(zip("うくぐすつぬぶむる", "えけげせてねべめれ", strict=True))


def _looks_imperative(doc: Doc, j: int) -> bool:
    """黙れ read by Sudachi as 黙れる: a godan verb's e-row ending (or an ichidan ろ) ending the clause."""
    if doc.pos[j][0] != "動詞":
        return False
    surface, lemma = doc.surface(j), doc.lemmas[j]
    if not lemma or surface == lemma:
        return False
    godan = surface == lemma[:-1] + _U_TO_E.get(lemma[-1], "?")
    ichidan = lemma.endswith("る") and surface in (lemma[:-1] + "ろ", lemma[:-1] + "よ")
    if not (godan or ichidan):
        return False
    k = j + 1
    return k >= len(doc.lemmas) or doc.lemmas[k] not in ("る", "ば", "ない", "ます", "ず", "た", "て", "れる")


def clause_start(doc: Doc, i: int) -> int:
    """Index of the first word of the clause containing word i (after 、。! etc.)."""
    k = i
    while k > 0 and doc.pos[k - 1][0] not in _CLAUSE_END:
        k -= 1
    return k


def sentence_start(doc: Doc, i: int) -> int:
    """Index of the first word of the sentence containing word i (after 。!? or a line break)."""
    k = i
    while k > 0 and doc.lemmas[k - 1] not in ("。", "!", "?", "\n", "．"):
        k -= 1
    return k


def object_of(doc: Doc, i: int) -> int:
    """Index of the noun marked by を (or は/も/が) right before word i, or -1."""
    k = i - 1
    if k >= 0 and doc.pos[k][0] == "副詞":
        k -= 1
    if k >= 1 and doc.lemmas[k] in ("を", "は", "も", "が") and doc.pos[k][0] == "助詞":
        return k - 1
    return -1


def quote_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTES.finditer(text)]


def inside(spans: list[tuple[int, int]], begin: int, end: int) -> bool:
    return any(a <= begin and end <= b for a, b in spans)


def sentence_of(text: str, begin: int) -> tuple[int, int]:
    for m in _SENTENCE.finditer(text):
        if m.start() <= begin < m.end():
            return m.span()
    return 0, len(text)


def about_oneself(doc: Doc, i: int) -> bool:
    """自分がバカだった / 俺ってアホ: the speaker insults themself."""
    start = clause_start(doc, i)
    return any(doc.lemmas[k] in _FIRST_PERSON for k in range(max(start, i - 4), i))


def commanding(doc: Doc, start: int) -> bool:
    """The sentence from `start` gives an order or a prohibition (出てくんな, 消えろ)."""
    for k in range(start, len(doc.lemmas)):
        p = doc.pos[k]
        if p[5].startswith("命令形") or (doc.lemmas[k] == "な" and p[1] == "終助詞" and pos_ends(doc, k - 1)):
            return True
        if doc.lemmas[k] in ("。", "!", "?"):
            break
    return False


def pos_ends(doc: Doc, k: int) -> bool:
    """A verb in a form な can forbid (出るな, 出てくんな, すんな)."""
    return (
        k >= 0
        and doc.pos[k][0] in ("動詞", "助動詞")
        and doc.pos[k][5].startswith(("終止形", "連体形-撥音便"))
    )


_TALK_ABOUT_WORDS = frozenset(
    {"言葉", "表現", "単語", "呼び方", "ワード", "発言", "言い方", "暴言", "書き込み"}
)


def mentioned(doc: Doc, last: int) -> bool:
    """国賊という言葉は使うべきでない: the word is talked about, not used."""
    n = len(doc.lemmas)
    k = last + 1
    if k < n and doc.lemmas[k] in ("と", "って"):
        k += 1
        if k < n and doc.lemmas[k] in ("言う", "いう"):
            k += 1
        return k < n and doc.lemmas[k] in _TALK_ABOUT_WORDS
    return k < n and doc.lemmas[k] in ("等", "など") and k + 2 < n and doc.lemmas[k + 2] in _TALK_ABOUT_WORDS


def reported_speech(doc: Doc, last: int, thought: bool = True) -> bool:
    """ふざけるなと言いたい / 死ねって書かれてた: words quoted as speech, not said to someone.

    `thought` False: …と思う is the speaker's own view (人としてどうかと思う), not a quote."""
    n = len(doc.lemmas)
    verbs = ("言う", "書く", "叫ぶ", "言える", "いう", "呼ぶ", "書き込む") + (("思う",) if thought else ())
    for k in range(last + 1, min(last + 4, n - 1)):
        if doc.lemmas[k] in ("と", "って", "なんて", "とか") and doc.pos[k][0] == "助詞":
            return doc.lemmas[k + 1] in verbs
        if doc.pos[k][0] not in ("助詞", "助動詞"):
            return False
    return False
