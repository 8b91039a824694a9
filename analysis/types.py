"""The data that crosses the analysis seam: posts in, findings out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class PostText:
    """One post as analysis sees it (the `classify` input keys)."""

    id: str
    text: str
    platform: str = "unknown"
    author: str = ""
    author_description: str = ""
    reply_to_official: bool = False
    created_at: datetime | None = None
    title: str = ""  # feed items: headline, analysed with the text


@dataclass(frozen=True)
class Fact:
    """One official statement of the city: the fact base misinformation is checked against."""

    id: str
    title: str
    text: str
    url: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class Evidence:
    """A span of the post's original text that supports a finding.

    `start`/`end` are character offsets into the text given to the detector
    (title and text joined by a newline when a title exists). `masked` is set
    when the span holds personal data: only the masked form may be stored or shown.
    """

    start: int
    end: int
    text: str
    label: str = ""
    masked: bool = False


@dataclass
class Finding:
    """One reason a post needs a person to look at it."""

    kind: str  # "hostility" | "misinformation" | "leak" | "thread" | "spike"
    severity: str  # one of SEVERITIES
    score: float  # 0..1
    clause: str  # guideline clause id, e.g. "4(6)"; see analysis.clauses
    reason: str  # Japanese, one or two sentences
    evidence: list[Evidence] = field(default_factory=list)
    action: str = ""  # recommended action, Japanese
    fact_id: str | None = None  # misinformation: the official statement that corrects it
    fact_url: str | None = None
    confirmed: bool = False  # misinformation: match above the confirm threshold
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 3)
        data["evidence"] = [
            {"start": e.start, "end": e.end, "text": e.text, "label": e.label}
            | ({"masked": True} if e.masked else {})
            for e in self.evidence
        ]
        return {k: v for k, v in data.items() if v not in (None, {}, "") or k in ("reason", "clause")}


@dataclass
class Result:
    """The analysis of one post."""

    id: str
    relevant: bool
    flags: list[Finding] = field(default_factory=list)
    relevance_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "relevant": self.relevant, "flags": [f.to_json() for f in self.flags]}


@dataclass(frozen=True)
class AnalysisConfig:
    """What analysis needs from the settings, as plain values (analysis never reads files of its own settings)."""

    city_name: str = "茅野市"
    aliases: tuple[str, ...] = ("茅野市", "茅野", "ちのし", "Chino City")
    official_accounts: tuple[str, ...] = ()
    embargoed_terms: tuple[str, ...] = ()
    # place names in the city that make a post relevant (default: 茅野市's, as in settings.toml)
    local_terms: tuple[str, ...] = (
        "蓼科", "白樺湖", "車山", "尖石", "ビーナスライン", "茅野駅", "縄文のビーナス", "仮面の女神", "蓼科湖", "奥蓼科",
    )  # fmt: skip
    hostility_threshold: float = 0.5
    misinfo_suggest_threshold: float = 0.35
    misinfo_confirm_threshold: float = 0.6
    leak_threshold: float = 0.5
    # the learned second opinion (analysis/learned.py): a model file ("" = the one shipped in
    # analysis/models/) and per-kind thresholds (None = the one chosen at training time)
    model_enabled: bool = True
    model_path: str = ""
    model_hostility_threshold: float | None = None
    model_misinfo_threshold: float | None = None
    model_leak_threshold: float | None = None
