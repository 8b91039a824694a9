"""Who hostility is aimed at: the city, its offices, staff, mayor and accounts, or someone else.

A listed word insults the city only when it is pinned on one of its people (`attached_to_target`:
クソ市長, 職員はゴミ, ゴミ集団, 人殺しの市長); a post is aimed at the city when it names one of them
or replies to its account (`targets`); a quit demand is one when a person is told (`person_told`).
Target words come from lexicons/hostility/targets.txt; the shapes of phrases from hostility_nouns.
"""

from __future__ import annotations

import re

from analysis.detectors import hostility_rules as rules
from analysis.detectors.base import Context
from analysis.detectors.hostility_lexicon import TARGET_KINDS, Hit, Lexicon
from analysis.text import Doc

ADDRESS = re.compile(r"\s?[^\s、。!?]{0,8}?\d")  # the city's name followed by a street and number


def target_kind(doc: Doc, i: int, lex: Lexicon) -> str | None:
    """The target a noun names, reading compounds Sudachi splits (市+長 → 市長, 市+職員)."""
    kind = lex.targets.get(doc.lemmas[i]) or lex.targets.get(doc.surface(i))
    if kind is None and doc.pos[i][0] == "接尾辞" and i > 0:
        kind = lex.targets.get(doc.surface(i - 1) + doc.surface(i))
    if kind is None and doc.pos[i][0] == "名詞" and len(doc.lemmas[i]) >= 3 and doc.lemmas[i][-1] in "課係":
        kind = "office"  # 子育て支援課, 収納係: a unit of the office, however Sudachi joins it
    return kind


def names_people(doc: Doc, i: int, lex: Lexicon) -> bool:
    """A target made of people (staff, office, mayor, you), not the city as such (市のゴミ is its garbage)."""
    kind = target_kind(doc, i, lex)
    return (kind is not None and kind != "city") or doc.pos[i][:3] == ("名詞", "固有名詞", "人名")


def is_target_word(doc: Doc, i: int, lex: Lexicon) -> bool:
    return target_kind(doc, i, lex) is not None or doc.pos[i][2] == "地名"


def attached_to_target(doc: Doc, h: Hit, lex: Lexicon, last: int | None = None) -> bool:
    """クソ市長, 役所のゴミども, 職員はゴミ, ゴミが。, 人殺しの市長, ゴミ集団 — not ゴミの日, ゴミ出し, クソ寒い."""
    n = len(doc.lemmas)
    last = h.last if last is None else last
    if last + 1 < n and is_target_word(doc, last + 1, lex):
        return True  # クソ市長, ゴミ職員
    if (
        h.entry.tag != "literal"
        and last + 2 < n
        and doc.lemmas[last + 1] == "、"
        and any(names_people(doc, k, lex) for k in range(last + 2, min(last + 4, n)))
        and rules.clause_start(doc, h.first) == h.first
    ):
        return True  # …ボケ、茅野市役所: called a name, then addressed
    if rules.contempt_suffix(doc, last):
        return True  # ゴミども, 豚野郎
    for noun in (rules.modified_noun(doc, last), rules.likened_noun(doc, last)):
        if noun >= 0 and names_people(doc, noun, lex):
            return True  # 人殺しの市長, 低レベルな市役所, ハイエナみたいな役人
    like = rules.likened_noun(doc, last)
    if like >= 0 and last == h.last and doc.lemmas[like] in rules.SOMEONE:
        return attached_to_target(doc, h, lex, like)  # 職員はハエみたいなもんだ: said of them
    if like >= 0 and doc.surface(like) in rules.LOOKS:
        start = rules.sentence_start(doc, h.first)  # 広報担当、ブタみたいな顔しやがって
        return any(names_people(doc, k, lex) for k in range(start, h.first))
    same = rules.equated_with(doc, last)
    if same >= 0 and last == h.last:
        return attached_to_target(doc, h, lex, same)  # 市長は人殺しと同じ: said of the mayor
    group = rules.group_after(doc, last)
    if group >= 0 and last == h.last:  # ゴミ集団, 詐欺師の集まり: a group of people called so
        return rules.ends_clause(doc, group) or attached_to_target(doc, h, lex, group)
    if not rules.ends_clause(doc, last):
        return False
    start = rules.sentence_start(doc, h.first)
    # a word that is also a thing here needs more than a comma: 茅野市のごみ、10月から… is garbage
    said_of = h.entry.tag != "literal" or last + 1 >= n or doc.lemmas[last + 1] != "、"
    if said_of and any(names_people(doc, k, lex) for k in range(max(start, h.first - 9), h.first)):
        return True  # 職員はゴミ, 役所のカス, 窓口の女、ブスのくせに
    if rules.clause_start(doc, h.first) != h.first:
        return False
    if last + 1 < n and doc.lemmas[last + 1] == "が":
        return True  # ゴミが。
    return rules.commanding(doc, start)  # 出てくんな、ゴミ: called out after an order


def said_in_reply(doc: Doc, h: Hit) -> bool:
    """In a reply to the city, a name for people that ends its clause is said of the city's people
    (…返金しろや詐欺集団, 操り人形かよ); a word that is also a thing (ゴミ) needs more than that."""
    if h.entry.tag == "literal":
        return False
    group = rules.group_after(doc, h.last)
    return rules.ends_clause(doc, h.last) or (group >= 0 and rules.ends_clause(doc, group))


def person_told(doc: Doc, h: Hit, lex: Lexicon) -> bool:
    """市長やめろ / お前ら首だ / …なら広報やめちまえ: the nearest noun before the word is someone
    of the city, so a person is told to quit, not a thing stopped (イベントはやめろ)."""
    floor = max(0, rules.clause_start(doc, h.first) - 3)
    k = h.first - 1
    while k >= floor and doc.pos[k][0] in ("助詞", "補助記号", "副詞", "空白"):
        k -= 1
    return k >= floor and (is_target_word(doc, k, lex) or doc.pos[k][:3] == ("名詞", "固有名詞", "人名"))


def targets(doc: Doc, lex: Lexicon, context: Context) -> list[str]:
    """Kinds of target named in the post (office, mayor, staff, account, you, person, city, other).

    The city's name counts as a target only as the city (茅野市, 茅野市役所), not as a place
    (茅野に住んでる元カレ); "other" is someone who is not the city (観光客, 上司).
    """
    found: list[str] = []
    targets = lex.targets
    lemmas = doc.lemmas
    names = set(context.config.aliases) | set(context.config.local_terms)
    for i, lemma in enumerate(lemmas):
        kind = targets.get(lemma)
        if kind is None:
            p = doc.pos[i]
            if p[1] == "固有名詞" and p[2] in ("人名", "地名"):
                surface = doc.surface(i)
                if surface in names or lemma in names:
                    kind = "city" if surface.endswith(("市", "市役所", "市長")) else None
                    if ADDRESS.match(doc.text, doc.ends[i]):
                        kind = None  # 茅野市ちの2718-3: an address, not the city addressed
                elif p[2] == "人名":
                    kind = "person"
            elif p[0] == "接尾辞" and i:
                kind = targets.get(lemmas[i - 1] + lemma)  # 市+長, 市+職員
            elif lemma in lex.others:
                kind = "other"
            elif p[0] == "名詞" and len(lemma) >= 3 and lemma[-1] in "課係":
                kind = "office"  # 子育て支援課
        if kind and kind not in found:
            found.append(kind)
    return sorted(found, key=TARGET_KINDS.index)  # the most specific first: 市長 over 市
