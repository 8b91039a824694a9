"""misinformation detector — placeholder returning nothing; the analysis issue builds it."""

from __future__ import annotations

from typing import ClassVar

from analysis.detectors.base import Context
from analysis.text import Doc
from analysis.types import Finding, PostText


class MisinformationDetector:
    kind: ClassVar[str] = "misinformation"

    def __init__(self, context: Context):
        self.context = context

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        return []
