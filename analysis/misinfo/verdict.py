"""What comparing a post with one official statement found: conflicts and agreements."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.misinfo.claims import Claims, Mention


@dataclass(frozen=True)
class Conflict:
    slot: str  # "status" | "date" | "time" | "weekday" | "amount" | "denied"
    claimed: str  # normalised claimed value, part of the claim key
    start: int  # the claim in the post (normalised-text offsets)
    end: int
    fact_start: int  # the statement's words it contradicts (offsets into the statement's text)
    fact_end: int
    strength: float  # 0..1


@dataclass
class Verdict:
    conflicts: list[Conflict] = field(default_factory=list)
    agreements: int = 0
    unknown: list[Mention] = field(default_factory=list)  # claimed statuses the statement never mentions

    @property
    def best(self) -> Conflict | None:
        """The strongest conflict; among near-equals the first positive claim, so repeats of one
        rumour get one claim key (「中止が決定」 rather than 「振替開催はありません」)."""
        if not self.conflicts:
            return None
        top = max(c.strength for c in self.conflicts)
        near = [c for c in self.conflicts if c.strength >= top - 0.15]
        return min(near, key=lambda c: (c.claimed.startswith("not_"), c.start))


def overlap(a: frozenset[str], b: frozenset[str], weight) -> float:
    return sum(weight(t) for t in a & b)


def sentence_span(claims: Claims, clause: int) -> tuple[int, int]:
    s = claims.clauses[clause].sentence
    cs = [c for c in claims.clauses if c.sentence == s]
    return cs[0].start, cs[-1].end
