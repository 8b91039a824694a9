"""Pure Japanese text analysis: posts and official statements in, findings out.

No database, no network, no clock: everything it needs is passed in.
"""

from analysis.engine import Analyzer
from analysis.types import AnalysisConfig, Evidence, Fact, Finding, PostText, Result

__all__ = ["Analyzer", "AnalysisConfig", "Evidence", "Fact", "Finding", "PostText", "Result"]
