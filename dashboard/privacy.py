"""Residents' personal data, masked wherever the dashboard shows or exports it outside the alert itself.

`analysis.pii.mask` does the masking when it is installed; without it, text that may hold
personal data is withheld. `collector.delivery.safe.scrub` then hides long digit runs and
obvious secrets whatever the masker missed.
"""

from __future__ import annotations

from collector.delivery.safe import masker, scrub

WITHHELD = "［個人情報保護のため非表示］"


def mask_text(text: str, sensitive: bool = True) -> str:
    """Text as it may leave the alert view: personal data masked; withheld when it cannot be masked."""
    text = text or ""
    mask = masker()
    if mask is not None:
        try:
            masked = mask(text)
        except Exception:  # noqa: BLE001 - a masker bug must not leak the raw text
            return WITHHELD if sensitive else scrub(text)
        if isinstance(masked, str):
            return scrub(masked)
        return WITHHELD
    if sensitive:
        return WITHHELD
    return scrub(text)
