"""The detector seam: add a file with a class that follows `Detector`, list it in `DETECTORS`.

A detector may also have `prefilter(text) -> bool` (see `Prefilter`): a cheap test on the
normalised text, built from the same word lists as the detector, that returns False only
when `detect` would certainly find nothing. `Analyzer` then skips the detector, and a post
whose every detector is skipped is never tokenised. `tests/analysis/test_fast_path.py`
checks on every labelled post that the gates change no result.

A detector may also have `veto(post, doc, context) -> {kind: why}` (see `Vetoer`): the engine
drops the learned model's finding of a kind a detector vetoes (never a rule's finding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from analysis.text import Doc
from analysis.types import AnalysisConfig, Fact, Finding, PostText


@dataclass
class Context:
    """What a detector may know beyond the post itself.

    `fast` False turns off every gate and shortcut that only saves time (a detector's
    prefilter, indexes that skip work): the slow path the fast one is checked against.
    """

    config: AnalysisConfig
    facts: list[Fact] = field(default_factory=list)
    fast: bool = True


class Detector(Protocol):
    kind: ClassVar[str]  # "hostility", "misinformation", "leak"

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        """Findings for one relevant post; an empty list when it needs nobody."""
        ...


@runtime_checkable
class Prefilter(Protocol):
    """Optional: False only when `detect` would certainly find nothing in this normalised text."""

    def prefilter(self, text: str) -> bool: ...


@runtime_checkable
class Vetoer(Protocol):
    """Optional: {kind: why} when the rules establish the post is certainly not of that kind (a
    warning against a rumour is not misinformation); asked only where the model alone proposes it."""

    def veto(self, post: PostText, doc: Doc, context: Context) -> dict[str, str]: ...


def default_detectors(context: Context) -> list[Detector]:
    """The detectors kikimimi runs, in order. One line per detector."""
    from analysis.detectors.hostility import HostilityDetector
    from analysis.detectors.leak import LeakDetector
    from analysis.detectors.learned import LearnedDetector
    from analysis.detectors.misinformation import MisinformationDetector

    misinformation = MisinformationDetector(context)
    return [
        HostilityDetector(context),
        misinformation,
        LeakDetector(context),
        # the learned second opinion: last, only what the rules missed; it names the statement a
        # post is about from the misinformation detector's index (read only, built once)
        LearnedDetector(context, statements=misinformation.index),
    ]
