"""Small helpers for collectors whose cursor is more than one value (kept as JSON in `State.cursor`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from collector.sources.base import State


def read_json(state: State | None) -> dict[str, Any]:
    """The JSON object saved in a state's cursor; {} when there is none or it is unreadable."""
    if state is None or not state.cursor:
        return {}
    try:
        data = json.loads(state.cursor)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def json_state(key: str, data: dict[str, Any]) -> State:
    return State(key=key, cursor=json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def iso(when: datetime) -> str:
    """UTC, millisecond ISO 8601 with Z: sortable as text and accepted by the platforms' `since`."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_iso(value: Any) -> datetime | None:
    """An ISO 8601 time as the platforms' JSON gives it (…Z, +09:00), UTC when it names no zone;
    None when it is missing, not a string or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def threads_to_read(tracks: dict[str, dict], limit: int, newest: int = 20) -> list[str]:
    """Which tracked threads to read this cycle: the `newest` most recent posts every time, then the
    rest least recently read first, `limit` in all; so no thread is starved when there are many."""
    by_age = sorted(tracks, key=lambda k: str(tracks[k].get("at", "")), reverse=True)
    rest = sorted(by_age[newest:], key=lambda k: str(tracks[k].get("read", "")))
    return (by_age[:newest] + rest)[:limit]
