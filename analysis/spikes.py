"""Spikes (炎上の兆候): mention volume per topic and replies per official post against a baseline.

Pure: counts and times are handed in, the clock too. Two tests per topic — the last hour
against the previous 24 hours, and the last 24 hours against the week before — and one
per official post (its last hour of replies against the account's earlier threads).
A surge is `sensitivity` times the baseline, enough posts to matter and beyond Poisson
noise; `same_surge` with the cooldown makes one surge one alert.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.text import normalize
from analysis.types import Finding

HOUR = timedelta(hours=1)
QUIET = 0.5  # a baseline below this many posts per window is "almost nothing"
ALL_TOPIC = "all"  # every relevant mention together


@dataclass(frozen=True)
class SpikeRules:
    sensitivity: float = 3.0  # [analysis] spike_sensitivity: a surge is this many times the baseline
    cooldown: timedelta = timedelta(hours=6)  # [analysis] spike_cooldown: quiet this long ends a surge
    min_hour_count: int = 10
    min_day_count: int = 30
    min_replies: int = 10  # [analysis] thread_min_replies
    baseline_hours: int = 24
    min_history_hours: int = 12  # fewer hours of history: no hourly baseline yet
    week_days: int = 7
    min_history_days: int = 3
    min_baseline_threads: int = 3
    noise_z: float = 3.0  # and the rise must be beyond Poisson noise


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Spike:
    """One surge: which topic, when, how big against which baseline."""

    topic: str  # e.g. "all", "gomi", "replies:bluesky:at://…"
    label: str
    subject: str  # "mentions" | "replies"
    window_start: datetime  # the hour (mentions) or sliding hour (replies) that surged
    trigger: str  # "hour" | "day" | "replies"
    count: int  # posts in the triggering window
    baseline: float  # the usual count for such a window
    hour_count: int = 0
    day_count: int = 0
    history: int = 0  # hours, days or earlier threads the baseline is made of
    sensitivity: float = 3.0

    @property
    def ratio(self) -> float:
        return self.count / max(self.baseline, QUIET)

    @property
    def severity(self) -> str:
        return "high" if self.ratio >= 2 * self.sensitivity and self.count >= 30 else "medium"

    @property
    def score(self) -> float:
        over = math.log(max(self.ratio / self.sensitivity, 1.0)) / math.log(4)
        return round(min(1.0, 0.5 + 0.5 * over), 3)


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    return tomllib.loads((Path(__file__).parent / "lexicons" / "spikes.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def load_topics() -> tuple[Topic, ...]:
    data = tomllib.loads((Path(__file__).parent / "lexicons" / "topics.toml").read_text("utf-8"))
    return tuple(
        Topic(key, str(t["label"]), tuple(normalize(w) for w in t["words"])) for key, t in data.items()
    )


def topics_of(text: str, topics: Sequence[Topic]) -> list[str]:
    """The topics a post's text mentions (all mentions count towards `ALL_TOPIC` as well)."""
    norm = normalize(text)
    return [ALL_TOPIC] + [t.key for t in topics if any(w in norm for w in t.words)]


def hour_floor(dt: datetime) -> datetime:
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.replace(minute=0, second=0, microsecond=0)


def is_surge(count: int, mean: float, rules: SpikeRules, min_count: int) -> bool:
    """Enough posts, `sensitivity` times the baseline, and beyond noise (Poisson z-score)."""
    if count < min_count or count < rules.sensitivity * max(mean, QUIET):
        return False
    return (count - mean) >= rules.noise_z * math.sqrt(max(mean, 1.0))


def check_volume(
    topic: str,
    label: str,
    hourly: Mapping[datetime, int],
    hour: datetime,
    history_start: datetime,
    rules: SpikeRules,
) -> Spike | None:
    """Is `hour` (its count so far) a surge for this topic? `hourly`: posts per UTC hour."""
    hour, first = hour_floor(hour), hour_floor(history_start)
    count = hourly.get(hour, 0)
    earlier = [hour - HOUR * h for h in range(1, rules.baseline_hours + 1)]
    earlier = [h for h in earlier if h >= first]
    day = sum(hourly.get(hour - HOUR * h, 0) for h in range(24))
    weeks = []
    for k in range(1, rules.week_days + 1):
        end = hour - HOUR * 24 * k
        if end - HOUR * 23 >= first:
            weeks.append(sum(hourly.get(end - HOUR * h, 0) for h in range(24)))
    common = dict(topic=topic, label=label, subject="mentions", window_start=hour, hour_count=count)
    if len(earlier) >= rules.min_history_hours:
        mean = statistics.fmean(hourly.get(h, 0) for h in earlier)
        if is_surge(count, mean, rules, rules.min_hour_count):
            return Spike(
                **common,
                trigger="hour",
                count=count,
                baseline=mean,
                day_count=day,
                history=len(earlier),
                sensitivity=rules.sensitivity,
            )
    if len(weeks) >= rules.min_history_days:
        mean = statistics.fmean(weeks)
        if is_surge(day, mean, rules, rules.min_day_count):
            return Spike(
                **common,
                trigger="day",
                count=day,
                baseline=mean,
                day_count=day,
                history=len(weeks),
                sensitivity=rules.sensitivity,
            )
    return None


def check_replies(
    topic: str,
    label: str,
    last_hour: int,
    window_start: datetime,
    earlier_peaks: Sequence[int],
    rules: SpikeRules,
) -> Spike | None:
    """Replies to one official post in its last sliding hour against the account's earlier threads' peaks."""
    if len(earlier_peaks) < rules.min_baseline_threads:
        return None
    mean = statistics.fmean(earlier_peaks)
    if not is_surge(last_hour, mean, rules, rules.min_replies):
        return None
    return Spike(
        topic=topic,
        label=label,
        subject="replies",
        window_start=window_start,
        trigger="replies",
        count=last_hour,
        baseline=mean,
        hour_count=last_hour,
        history=len(earlier_peaks),
        sensitivity=rules.sensitivity,
    )


def same_surge(last_above: datetime | None, at: datetime, cooldown: timedelta) -> bool:
    """Still the surge already alerted? (it was above its baseline less than `cooldown` from `at`)"""
    return last_above is not None and abs(at - last_above) < cooldown


def explain(spike: Spike, tz: tzinfo = UTC) -> str:
    """Three lines: what is happening, how big, what to do next."""
    t = _texts()
    local = spike.window_start.astimezone(tz)
    window = f"{local:%m/%d %H:%M}〜"
    what = t["what"][spike.subject].format(label=spike.label, window=window)
    size = t["size"]
    nums = dict(count=spike.count, baseline=f"{spike.baseline:.1f}", ratio=f"{spike.ratio:.0f}")
    if spike.trigger == "replies":
        how = size["replies"].format(threads=spike.history, **nums)
    elif spike.trigger == "day":
        how = size["day"].format(days=spike.history, **nums)
    elif spike.baseline < QUIET:
        how = size["hour_quiet"].format(**nums)
    else:
        how = size["hour"].format(hours=spike.history, **nums)
    return "\n".join([what, how, t["next"][spike.subject]])


def spike_finding(spike: Spike, tz: tzinfo = UTC) -> Finding:
    return Finding(
        kind="spike",
        severity=spike.severity,
        score=spike.score,
        clause="4(6)",
        reason=explain(spike, tz),
        action=_texts()["next"][spike.subject],
        details={
            "topic": spike.topic,
            "label": spike.label,
            "subject": spike.subject,
            "trigger": spike.trigger,
            "window_start": spike.window_start.isoformat(),
            "count": spike.count,
            "baseline": round(spike.baseline, 2),
            "ratio": round(spike.ratio, 1),
            "hour_count": spike.hour_count,
            "day_count": spike.day_count,
            "history": spike.history,
        },
    )
