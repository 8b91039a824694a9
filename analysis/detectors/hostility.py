"""Hostility (clause 4(6)): aggression aimed at the city, its staff, mayor or accounts.

Insults, contempt, threats (violence, arson, bombing, exposing identity, flooding the
office with calls), wishing someone dead, harassment of named staff, demands to quit.
Civil criticism, complaints and requests are not hostility: the city must hear its
critics. Words come from lexicons/hostility/ (editable lists); whether a word is meant
(殺すぞ vs 殺人的な暑さ, 辞めろ vs 辞職すべき, ゴミども vs ゴミの日) is read from the
sentence around it: how a verb is said (hostility_rules), what a noun is said of
(hostility_nouns), who is aimed at (hostility_targets). Exposing a private person (a
neighbour's address) is the leak check's matter, not 4(6); a phrase in reported speech
(〜って言われた) is quoted, not said.

Speed: `prefilter` tells from the text alone (before Sudachi) that no listed word, phrase or
pattern can be in a post; it is built from the same lists (`Lexicon.may_match`), so a word
added to a list is in the gate at once. tests/analysis/test_fast_path.py checks on every
corpus post that the gates change no result.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from analysis.clauses import clause
from analysis.detectors import hostility_rules as rules
from analysis.detectors import hostility_targets as aim
from analysis.detectors.base import Context
from analysis.detectors.hostility_lexicon import DIR, Hit, Lexicon, load
from analysis.relevance import city_names, staff_profile
from analysis.text import Doc, analyse_text, normalize
from analysis.types import Evidence, Finding, PostText

_UNAIMED = 0.8  # no target named and not a reply: weaker
_AT_OTHERS = 0.6  # aimed at someone who is not the city (観光客, 上司): not a 4(6) matter unless a threat
_REPORTED = 0.5  # a news report about violence or abuse
_MOCKERY = 0.1  # laughter (ww, 草, (笑)) next to a hostile word
_CATEGORY_ORDER = ("threat", "harassment", "death_wish", "quit_demand", "insult", "rude")


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
        targets = aim.targets(doc, self.lexicon, context)
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
            and not aim.is_target_word(doc, noun, lex)
            and doc.pos[noun][1] != "固有名詞"
            and doc.lemmas[noun] not in rules.GROUP_NOUNS
        ):
            return None  # バカなこと, アホな企画: criticism of an act, not a person
        return Signal("insult", e.tag, e.weight, h)
    if e.kind == "targeted":
        if aim.attached_to_target(doc, h, lex) or (reply and aim.said_in_reply(doc, h)):
            return Signal("insult", "targeted", e.weight, h)
        return None
    m = rules.mood(doc, h.last)
    if rules.reported_speech(doc, m.last):
        return None  # ふざけるなと言いたい: the word is quoted, not said
    if e.kind == "threat":
        obj = rules.object_of(doc, h.first)
        if (
            obj >= 0
            and not aim.is_target_word(doc, obj, lex)
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
        if e.tag == "ambiguous" and not aim.person_told(doc, h, lex):
            return None
        return Signal("quit_demand", e.tag, e.weight, h)
    if e.kind == "rude":
        if m.opinion:
            return None  # 帰ってください, 黙っていただけますか: a polite request
        if (m.imperative or m.prohibitive or m.question or m.negated) and not m.passive and not m.done:
            return Signal("rude", e.tag, e.weight, h)
        return None
    return None


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
