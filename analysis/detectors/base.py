"""The detector seam: add a file with a class that follows `Detector`, list it in `DETECTORS`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from analysis.text import Doc
from analysis.types import AnalysisConfig, Fact, Finding, PostText


@dataclass
class Context:
    """What a detector may know beyond the post itself."""

    config: AnalysisConfig
    facts: list[Fact] = field(default_factory=list)


class Detector(Protocol):
    kind: ClassVar[str]  # "hostility", "misinformation", "leak"

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        """Findings for one relevant post; an empty list when it needs nobody."""
        ...


def default_detectors(context: Context) -> list[Detector]:
    """The detectors kikimimi runs, in order. One line per detector."""
    from analysis.detectors.hostility import HostilityDetector
    from analysis.detectors.leak import LeakDetector
    from analysis.detectors.misinformation import MisinformationDetector

    return [HostilityDetector(context), MisinformationDetector(context), LeakDetector(context)]
