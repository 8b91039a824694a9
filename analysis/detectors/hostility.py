"""Hostility (clause 4(6)): aggression aimed at the city, its staff, mayor or accounts.

Insults, contempt, threats (violence, arson, bombing, exposing identity, flooding the
office with calls), wishing someone dead, harassment of named staff, demands to quit.
Civil criticism, complaints and requests are not hostility: the city must hear its
critics. Words come from lexicons/hostility/ (editable lists); whether a word is meant
(殺すぞ vs 殺人的な暑さ, 辞めろ vs 辞職すべき, ゴミども vs ゴミの日) is read from the
sentence around it (hostility_rules).

Speed: `prefilter` tells from the text alone (before Sudachi) that no listed word, phrase or
pattern can be in a post; it is built from the same lists (`Lexicon.may_match`), so a word
added to a list is in the gate at once. tests/analysis/test_fast_path.py checks on every
corpus post that the gates change no result.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from analysis.clauses import clause
from analysis.detectors import hostility_rules as rules
from analysis.detectors.base import Context
from analysis.detectors.hostility_lexicon import DIR, TARGET_KINDS, Hit, Lexicon, load
from analysis.relevance import city_names, staff_profile
from analysis.text import Doc, analyse_text, normalize
from analysis.types import Evidence, Finding, PostText

_UNAIMED = 0.8  # no target named and not a reply: weaker
_AT_OTHERS = 0.6  # aimed at someone who is not the city (観光客, 上司): not a 4(6) matter unless a threat
_REPORTED = 0.5  # a news report about violence or abuse
_MOCKERY = 0.1  # laughter (ww, 草, (笑)) next to a hostile word
_CATEGORY_ORDER = ("threat", "harassment", "death_wish", "quit_demand", "insult", "rude")
_ADDRESS = re.compile(r"\s?[^\s、。!?]{0,8}?\d")  # the city's name followed by a street and number


@dataclass(frozen=True)
class Signal:
    category: str  # threat | death_wish | quit_demand | insult | rude
    subtype: str
    weight: float
    hit: Hit


@lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    return tomllib.loads((DIR / "categories.toml").read_text("utf-8"))


class HostilityDetector:
    kind: ClassVar[str] = "hostility"

    def __init__(self, context: Context, lexicon_dir: Path | None = None):
        self.context = context
        self.lexicon: Lexicon = load(lexicon_dir or DIR)
        self.city_names = city_names(context.config)
        # False: no gate skips anything (the slow path the fast one is checked against)
        self.fast = context.fast

    def prefilter(self, text: str) -> bool:
        """False when no word, phrase or pattern of the lists can be in this normalised text, nor in
        it with its spaces taken out (`_despaced`): `detect` would find nothing. `Lexicon.may_match`
        builds the test from the same lists `detect` matches (lexicons/hostility/*.txt), so a word
        added to a list is in the gate too; tests/analysis/test_fast_path.py checks it on every
        corpus post."""
        if self.lexicon.may_match(text):
            return True
        return " " in text and self.lexicon.may_match(normalize(text.replace(" ", "")))

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        if post.author_description and staff_profile(post.author_description, self.city_names):
            return []  # the city's own staff: not a reaction to the city (their conduct is the leak check's)
        signals = self.signals(doc, post.reply_to_official)
        spaced = _despaced(doc)
        if spaced is not None:
            signals += self.signals(spaced, post.reply_to_official)
        if not signals:
            return []
        targets = _targets(doc, self.lexicon, context)
        # no one of the city named, only private people (a neighbour, 山崎さんち) or no one at all:
        # exposing them is the leak check's matter, not aggression towards the city
        private = not post.reply_to_official and set(targets) <= {"person", "other"}
        if private:
            signals = [s for s in signals if s.subtype != "exposure"]
            if not signals:
                return []
        private = private and bool(targets)
        aimed = post.reply_to_official or (any(t != "other" for t in targets) and not private)
        # news about abuse; read from the words (blogs come by RSS too, so not from the platform)
        reported = self.lexicon.reports(doc.text)
        score = 1.0
        for s in _strongest(signals):
            score *= 1 - s.weight
        score = 1 - score
        if doc.laughter:  # 無能ｗｗｗ: mockery makes an insult worse
            score = 1 - (1 - score) * (1 - _MOCKERY)
        if not aimed:
            score *= _AT_OTHERS if "other" in targets else _UNAIMED
        if reported and not any(s.category == "threat" and s.subtype != "weapon" for s in signals):
            score *= _REPORTED
        return [self._finding(post, doc, signals, targets, min(score, 1.0))]

    def signals(self, doc: Doc, reply: bool = False) -> list[Signal]:
        """Each hostile use of a listed word in the doc, after idioms, quotes and self-talk are set aside."""
        lex = self.lexicon
        hits = lex.match(doc, self.fast)
        if not hits:
            return []
        idioms = lex.idiom_spans(doc.text, self.fast)
        quotes = rules.quote_spans(doc.text)
        whole_quote = any(b - a >= 0.7 * len(doc.text) for a, b in quotes)
        out: list[Signal] = []
        for h in hits:
            if rules.inside(idioms, h.begin, h.end) or _overlaps(idioms, h):
                continue
            if not whole_quote and rules.inside(quotes, h.begin, h.end):
                continue
            if rules.mentioned(doc, h.last):
                continue  # 国賊という言葉は…: talked about, not said
            s = _judge(h, doc, lex, reply)
            if s is not None:
                out.append(s)
        return out

    def _finding(
        self, post: PostText, doc: Doc, signals: list[Signal], targets: list[str], score: float
    ) -> Finding:
        labels = _labels()
        cats = {s.category for s in signals if s.subtype != "weapon"}  # 🔪 alone adds weight, not a kind
        cats = cats or {"threat"}
        if "person" in targets and cats & {"insult", "threat", "death_wish", "quit_demand"}:
            cats.add("harassment")
        category = next(c for c in _CATEGORY_ORDER if c in cats)
        if category == "threat":
            severity = "critical"
        elif category in ("harassment", "death_wish") or score >= 0.85:
            severity = "high"
        else:
            severity = "medium" if score >= 0.5 else "low"
        evidence = []
        seen: set[tuple[int, int]] = set()
        for s in sorted(signals, key=lambda s: s.hit.begin):
            a, b = doc.raw_span(s.hit.begin, s.hit.end)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            evidence.append(
                Evidence(a, b, doc.raw[a:b], s.category if not s.subtype else f"{s.category}:{s.subtype}")
            )
        names = [labels["category"][c] for c in _CATEGORY_ORDER if c in cats]
        quoted = "、".join(f"「{e.text}」" for e in evidence[:3])
        target = labels["target"].get(targets[0], "") if targets else labels["target"]["reply"]
        reason = labels["reason"].format(what="・".join(names), words=quoted, target=target or "市")
        # threats, harassment and death wishes have their own steps; otherwise the clause's advice
        action = labels["action"].get(category) or clause("4(6)").action
        details = {
            "category": category,
            "categories": [c for c in _CATEGORY_ORDER if c in cats],
            "subtypes": sorted({s.subtype for s in signals if s.subtype}),
            "target": targets[0] if targets else ("account" if post.reply_to_official else ""),
            "targets": targets,
        }
        return Finding(
            kind=self.kind,
            severity=severity,
            score=round(score, 4),
            clause="4(6)",
            reason=reason,
            evidence=evidence,
            action=action,
            details=details,
        )


def _overlaps(spans: list[tuple[int, int]], h: Hit) -> bool:
    """An idiom that starts inside the hit (死ぬほど over 死ぬ) sets the hit aside too."""
    return any(h.begin <= a < h.end for a, _ in spans)


def _strongest(signals: list[Signal]) -> list[Signal]:
    """One signal per listed word and place, so a repeated word does not add up without end."""
    best: dict[tuple[str, int], Signal] = {}
    for s in signals:
        key = (s.category, s.hit.begin)
        if key not in best or s.weight > best[key].weight:
            best[key] = s
    return list(best.values())


def _judge(h: Hit, doc: Doc, lex: Lexicon, reply: bool = False) -> Signal | None:
    e = h.entry
    if not e.forms:  # a regular expression: the phrase says it all, unless it is quoted
        if e.tag != "weapon" and rules.reported_speech(doc, h.last, thought=False):
            return None  # 頭がお花畑って言われても / 殺すぞと言われた
        category = {"death": "death_wish", "quit": "quit_demand", "targeted": "insult"}.get(e.kind, e.kind)
        return Signal(category, e.tag, e.weight, h)
    if e.kind == "insult":
        if rules.reported_speech(doc, h.last):
            return None  # 税金泥棒と言われないように: the word is quoted, not said
        if e.pos == "動詞" or e.pos == "形容詞":
            m = rules.mood(doc, h.last)
            if m.negated:
                return None
        if rules.about_oneself(doc, h.first):
            return None
        noun = rules.modified_noun(doc, h.last)
        if (
            noun >= 0
            and not _is_target_word(doc, noun, lex)
            and doc.pos[noun][1] != "固有名詞"
            and doc.lemmas[noun] not in rules.GROUP_NOUNS
        ):
            return None  # バカなこと, アホな企画: criticism of an act, not a person
        return Signal("insult", e.tag, e.weight, h)
    if e.kind == "targeted":
        if _attached_to_target(doc, h, lex) or (reply and _said_in_reply(doc, h)):
            return Signal("insult", "targeted", e.weight, h)
        return None
    m = rules.mood(doc, h.last)
    if rules.reported_speech(doc, m.last):
        return None  # ふざけるなと言いたい: the word is quoted, not said
    if e.kind == "threat":
        obj = rules.object_of(doc, h.first)
        if (
            obj >= 0
            and not _is_target_word(doc, obj, lex)
            and doc.pos[obj][:3] != ("名詞", "固有名詞", "人名")
        ):
            return None  # カロリーを燃やそう, 原因を特定した
        if m.intent or m.wish or m.threat_question or (e.tag == "exposure" and m.done and not m.passive):
            return Signal("threat", e.tag, e.weight, h)
        return None
    if e.kind == "death":
        if (m.imperative or m.wish or m.opinion) and not (m.negated or m.passive):  # 死ね, 死んでほしい
            return Signal("death_wish", e.tag, e.weight, h)
        return None
    if e.kind == "quit":
        if not (m.imperative or m.wish or m.vow) or m.negated or m.opinion or m.passive:
            return None  # クビにしてやる is a vow; 辞めるわ (I quit) and 辞職すべき are not
        if e.tag == "ambiguous" and not _person_told(doc, h, lex):
            return None
        return Signal("quit_demand", e.tag, e.weight, h)
    if e.kind == "rude":
        if m.opinion:
            return None  # 帰ってください, 黙っていただけますか: a polite request
        if (m.imperative or m.prohibitive or m.question or m.negated) and not m.passive and not m.done:
            return Signal("rude", e.tag, e.weight, h)
        return None
    return None


def _target_kind(doc: Doc, i: int, lex: Lexicon) -> str | None:
    """The target a noun names, reading compounds Sudachi splits (市+長 → 市長, 市+職員)."""
    kind = lex.targets.get(doc.lemmas[i]) or lex.targets.get(doc.surface(i))
    if kind is None and doc.pos[i][0] == "接尾辞" and i > 0:
        kind = lex.targets.get(doc.surface(i - 1) + doc.surface(i))
    if kind is None and doc.pos[i][0] == "名詞" and len(doc.lemmas[i]) >= 3 and doc.lemmas[i][-1] in "課係":
        kind = "office"  # 子育て支援課, 収納係: a unit of the office, however Sudachi joins it
    return kind


def _names_people(doc: Doc, i: int, lex: Lexicon) -> bool:
    """A target made of people (staff, office, mayor, you), not the city as such (市のゴミ is its garbage)."""
    kind = _target_kind(doc, i, lex)
    return (kind is not None and kind != "city") or doc.pos[i][:3] == ("名詞", "固有名詞", "人名")


def _is_target_word(doc: Doc, i: int, lex: Lexicon) -> bool:
    return _target_kind(doc, i, lex) is not None or doc.pos[i][2] == "地名"


def _attached_to_target(doc: Doc, h: Hit, lex: Lexicon, last: int | None = None) -> bool:
    """クソ市長, 役所のゴミども, 職員はゴミ, ゴミが。, 人殺しの市長, ゴミ集団 — not ゴミの日, ゴミ出し, クソ寒い."""
    n = len(doc.lemmas)
    last = h.last if last is None else last
    if last + 1 < n and _is_target_word(doc, last + 1, lex):
        return True  # クソ市長, ゴミ職員
    if (
        h.entry.tag != "literal"
        and last + 2 < n
        and doc.lemmas[last + 1] == "、"
        and any(_names_people(doc, k, lex) for k in range(last + 2, min(last + 4, n)))
        and rules.clause_start(doc, h.first) == h.first
    ):
        return True  # …ボケ、茅野市役所: called a name, then addressed
    if rules.contempt_suffix(doc, last):
        return True  # ゴミども, 豚野郎
    for noun in (rules.modified_noun(doc, last), rules.likened_noun(doc, last)):
        if noun >= 0 and _names_people(doc, noun, lex):
            return True  # 人殺しの市長, 低レベルな市役所, ハイエナみたいな役人
    like = rules.likened_noun(doc, last)
    if like >= 0 and last == h.last and doc.lemmas[like] in rules.SOMEONE:
        return _attached_to_target(doc, h, lex, like)  # 職員はハエみたいなもんだ: said of them
    if like >= 0 and doc.surface(like) in rules.LOOKS:
        start = rules.sentence_start(doc, h.first)  # 広報担当、ブタみたいな顔しやがって
        return any(_names_people(doc, k, lex) for k in range(start, h.first))
    same = rules.equated_with(doc, last)
    if same >= 0 and last == h.last:
        return _attached_to_target(doc, h, lex, same)  # 市長は人殺しと同じ: said of the mayor
    group = rules.group_after(doc, last)
    if group >= 0 and last == h.last:  # ゴミ集団, 詐欺師の集まり: a group of people called so
        return rules.ends_clause(doc, group) or _attached_to_target(doc, h, lex, group)
    if not rules.ends_clause(doc, last):
        return False
    start = rules.sentence_start(doc, h.first)
    # a word that is also a thing here needs more than a comma: 茅野市のごみ、10月から… is garbage
    said_of = h.entry.tag != "literal" or last + 1 >= n or doc.lemmas[last + 1] != "、"
    if said_of and any(_names_people(doc, k, lex) for k in range(max(start, h.first - 9), h.first)):
        return True  # 職員はゴミ, 役所のカス, 窓口の女、ブスのくせに
    if rules.clause_start(doc, h.first) != h.first:
        return False
    if last + 1 < n and doc.lemmas[last + 1] == "が":
        return True  # ゴミが。
    return rules.commanding(doc, start)  # 出てくんな、ゴミ: called out after an order


def _said_in_reply(doc: Doc, h: Hit) -> bool:
    """In a reply to the city, a name for people that ends its clause is said of the city's people
    (…返金しろや詐欺集団, 操り人形かよ); a word that is also a thing (ゴミ) needs more than that."""
    if h.entry.tag == "literal":
        return False
    group = rules.group_after(doc, h.last)
    return rules.ends_clause(doc, h.last) or (group >= 0 and rules.ends_clause(doc, group))


def _person_told(doc: Doc, h: Hit, lex: Lexicon) -> bool:
    """市長やめろ / お前ら首だ / …なら広報やめちまえ: the nearest noun before the word is someone
    of the city, so a person is told to quit, not a thing stopped (イベントはやめろ)."""
    floor = max(0, rules.clause_start(doc, h.first) - 3)
    k = h.first - 1
    while k >= floor and doc.pos[k][0] in ("助詞", "補助記号", "副詞", "空白"):
        k -= 1
    return k >= floor and (_is_target_word(doc, k, lex) or doc.pos[k][:3] == ("名詞", "固有名詞", "人名"))


def _targets(doc: Doc, lex: Lexicon, context: Context) -> list[str]:
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
                    if _ADDRESS.match(doc.text, doc.ends[i]):
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


def _despaced(doc: Doc) -> Doc | None:
    """し ね よ 無 能: letters spaced out to dodge filters, joined again (offsets kept)."""
    text = doc.text
    if text.count(" ") < 2:  # 殺 す ぞ: two spaces are enough
        return None
    import re

    if not re.search(r"(?:^|\s)\S\s\S\s\S(?:\s|$)", text):
        return None
    keep = [k for k, ch in enumerate(text) if ch != " "]
    joined = "".join(text[k] for k in keep)
    sub = analyse_text(joined)
    starts = [doc.raw_span(k, k + 1)[0] for k in keep]
    ends = [doc.raw_span(k, k + 1)[1] for k in keep]
    if sub.offsets is not None:  # the joined text normalised once more (rare): map through it
        s2, e2 = sub.offsets
        starts, ends = [starts[k] for k in s2], [ends[k - 1] for k in e2]
    return Doc(doc.raw, sub.text, sub.lemmas, sub.pos, sub.begins, sub.ends, (starts, ends), sub._morphemes)
