"""A source made of parts (accounts, hashtags, searches): one failing part is a note, all failing is a failure."""

from __future__ import annotations

from collections.abc import Awaitable

from collector.http import FetchError, RateLimited


class Parts:
    """Runs the parts of one collect() call and decides how the source as a whole went."""

    def __init__(self) -> None:
        self.count = 0
        self.failed: list[tuple[str, FetchError]] = []

    async def run(self, label: str, job: Awaitable[None], *, counts: bool = True) -> bool:
        """Await one part. A long rate limit stops the whole source (its states are not advanced)."""
        self.count += counts
        try:
            await job
        except RateLimited:
            raise
        except FetchError as e:
            self.failed.append((label, e))
            return False
        return True

    def fail(self, label: str, error: FetchError | str, parts: int = 1) -> None:
        """Record `parts` parts as failed with one note (e.g. every account, when the lookup failed)."""
        self.count += parts
        error = error if isinstance(error, FetchError) else FetchError(error)
        self.failed.extend([(label, error)] + [("", error)] * (parts - 1))

    @property
    def notes(self) -> list[str]:
        return [f"{label}: {e}" for label, e in self.failed if label]

    def raise_if_all_failed(self) -> None:
        if self.failed and len(self.failed) >= self.count:
            first = self.failed[0][1]
            raise FetchError("; ".join(self.notes), first.status, first.retry_after)
