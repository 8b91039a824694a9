"""What of a post may appear in a message: masked, bounded, free of long digit runs.

Personal data is masked by `analysis.pii.mask` when it is available; without it, a leak
alert shows no post text at all. Either way a last pass hides any long run of digits
(マイナンバー, phone and card numbers), whatever the text or the detector missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:  # written alongside; absent in older checkouts
    from analysis.pii import mask as _pii_mask
except Exception:  # noqa: BLE001 - any failure to import means "no masker"
    _pii_mask = None

MASK = "＊＊＊"
# 10 or more digits, possibly split by spaces, hyphens, dots or brackets: never shown
_DIGIT_RUN = re.compile(r"\d(?:[\s\-‐－―.()（）]*\d){9,}")
_SECRET = re.compile(
    r"(?i)(pass(?:word)?|パスワード|暗証番号|pw|token|secret|api[_-]?key)(\s*[:=：は]\s*)\S+"
)
_URL_SECRET = re.compile(r"(?i)([?&](?:access_token|token|key|sig|signature|password)=)[^&\s]+")


def masker() -> Callable[[str], str] | None:
    return _pii_mask


def scrub(text: str) -> str:
    """The last pass on anything shown: long digit runs (any width) and obvious secrets hidden."""
    text = _DIGIT_RUN.sub(MASK, text or "")
    text = _SECRET.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _URL_SECRET.sub(lambda m: m.group(1) + MASK, text)


def excerpt(text: str, kind: str, limit: int = 140) -> str:
    """The post text as it may be shown for an alert of this kind ('' when it may not)."""
    mask = masker()
    if mask is not None:
        try:
            text = mask(text or "")
        except Exception:  # noqa: BLE001 - a masker bug must not leak the raw text
            return ""
        if not isinstance(text, str):
            return ""
    elif kind == "leak":
        return ""
    text = " ".join(scrub(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def evidence_words(evidence: list[dict], limit: int = 5) -> list[str]:
    """The evidence spans as shown: their masked form, scrubbed again."""
    words = []
    for e in evidence or []:
        word = scrub(str(e.get("text", "")))
        if e.get("label") in ("mynumber", "my_number", "password", "credential", "phone", "address", "email"):
            if not e.get("masked"):
                word = MASK
        if word and word not in words:
            words.append(word)
    return words[:limit]
