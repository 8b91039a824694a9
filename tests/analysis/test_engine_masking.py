"""No finding of any detector carries a resident's personal data unmasked."""

from __future__ import annotations

import json

from analysis.engine import _mask_personal_data
from analysis.types import Evidence, Finding

PHONE = "090-2716-5583"


def test_a_quoted_phone_number_in_any_finding_is_masked() -> None:
    quote = f"両角の携帯{PHONE}に凸しろ"
    finding = Finding(
        kind="hostility",
        severity="critical",
        score=0.9,
        clause="4(6)",
        reason=f"「{quote}」を含む投稿です。",
        evidence=[Evidence(0, len(quote), quote, "threat"), Evidence(0, 2, "両角", "target")],
    )

    _mask_personal_data(finding)

    shown = json.dumps(finding.to_json(), ensure_ascii=False)
    assert "2716" not in shown and "5583" not in shown
    assert finding.evidence[0].masked and "凸しろ" in finding.evidence[0].text
    assert finding.evidence[1] == Evidence(0, 2, "両角", "target")  # nothing to hide: left as it was
