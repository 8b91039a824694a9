"""Hostility (clause 4(6)) — first thin version: a few insult lemmas. The analysis issue replaces it."""

from __future__ import annotations

from typing import ClassVar

from analysis.clauses import clause
from analysis.detectors.base import Context
from analysis.text import Doc
from analysis.types import Evidence, Finding, PostText

_INSULTS = {"馬鹿", "阿呆", "無能", "死ね", "税金泥棒"}


class HostilityDetector:
    kind: ClassVar[str] = "hostility"

    def __init__(self, context: Context):
        self.context = context

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        hits = [t for t in doc.tokens if t.normalized in _INSULTS or t.dictionary in _INSULTS]
        if not hits:
            return []
        return [
            Finding(
                kind=self.kind,
                severity="medium",
                score=0.7,
                clause="4(6)",
                reason="侮辱的な表現を含む投稿です。",
                evidence=[Evidence(t.begin, t.end, doc.text[t.begin : t.end], "insult") for t in hits],
                action=clause("4(6)").action,
            )
        ]
