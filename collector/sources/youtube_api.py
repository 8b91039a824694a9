"""YouTube Data API v3 over the shared client: the key, the daily quota, error bodies, comment → `NewPost`.

Every call this collector makes costs 1 unit (channels, playlistItems, videos, commentThreads,
comments; `search` would cost 100 and is never used). The default quota is 10,000 units a day,
reset at midnight Pacific time. There are no rate-limit headers: quota and key problems arrive
in the body, `{"error": {"code", "message", "errors": [{"reason", "domain", "message"}]}}`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from collector.htmltext import html_to_text
from collector.http import FetchError, Http, RateLimited
from collector.sources.base import NewPost
from collector.sources.cursors import from_iso

PACIFIC = ZoneInfo("America/Los_Angeles")
DAILY_UNITS = 10_000  # the default quota per project and day
OWN_SHARE = 9_000  # stop before the last units: people may use the same key by hand
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
SHORT_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
KEY_REASONS = {"keyInvalid", "keyExpired", "accessNotConfigured", "ipRefererBlocked", "forbidden"}


class YouTubeError(FetchError):
    """An error body with a `reason` the caller may handle (commentsDisabled, videoNotFound)."""

    def __init__(self, message: str, status: int, reason: str):
        super().__init__(message, status)
        self.reason = reason


def seconds_to_reset(now: float | None = None) -> float:
    """Seconds until the next midnight in Pacific time, when the daily quota starts again."""
    now_pt = datetime.fromtimestamp(time.time() if now is None else now, PACIFIC)
    midnight = datetime.combine(now_pt.date() + timedelta(days=1), datetime.min.time(), tzinfo=PACIFIC)
    return max(60.0, midnight.timestamp() - now_pt.timestamp())


def quota_day(now: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if now is None else now, PACIFIC).date().isoformat()


@dataclass
class Quota:
    """Units spent today (estimated: 1 per call) and, after a quota error, when to try again."""

    day: str = field(default_factory=quota_day)
    units: int = 0
    blocked_until: float = 0.0
    run_units: int = 0

    @classmethod
    def load(cls, raw: str | None) -> Quota:
        data = json.loads(raw) if raw else {}
        if data.get("day") != quota_day():
            return cls(blocked_until=float(data.get("blocked_until") or 0))
        return cls(
            day=data["day"],
            units=int(data.get("units", 0)),
            blocked_until=float(data.get("blocked_until") or 0),
        )

    def dump(self) -> str:
        return json.dumps({"day": self.day, "units": self.units, "blocked_until": self.blocked_until})

    def check(self) -> None:
        wait = self.blocked_until - time.time()
        if wait > 0:
            raise RateLimited(
                f"YouTube quota used up; waiting for the reset at midnight Pacific time (in {wait / 3600:.1f} h)",
                429,
                wait,
            )
        if self.units >= OWN_SHARE:
            self.blocked_until = time.time() + seconds_to_reset()
            raise RateLimited(
                f"YouTube: about {self.units} of {DAILY_UNITS} daily units spent today; "
                f"resuming after midnight Pacific time (in {seconds_to_reset() / 3600:.1f} h)",
                429,
                seconds_to_reset(),
            )


@dataclass
class Api:
    http: Http
    base: str
    key: str
    key_env: str
    quota: Quota

    async def get(self, resource: str, params: dict[str, Any]) -> dict[str, Any]:
        self.quota.check()
        self.quota.units += 1
        self.quota.run_units += 1
        response = await self.http.get(  # the key in a header keeps it out of every logged URL
            f"{self.base}/{resource}",
            params=params,
            headers={"X-Goog-Api-Key": self.key},
            expect=(200, 400, 403, 404),
        )
        try:
            data = response.json()
        except ValueError:
            raise FetchError(
                f"YouTube {resource}: HTTP {response.status_code}, not JSON: {response.text[:120]!r}",
                response.status_code,
            ) from None
        if response.status_code == 200 and isinstance(data, dict) and "error" not in data:
            return data
        error = data.get("error") if isinstance(data, dict) else None
        error = error if isinstance(error, dict) else {"message": str(error or data)[:200]}
        reasons = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)]
        reason = reasons[0] if reasons else str(error.get("status") or "")
        message = html_to_text(str(error.get("message") or ""))[:300]
        status = response.status_code
        if reason in QUOTA_REASONS:
            self.quota.blocked_until = time.time() + seconds_to_reset()
            raise RateLimited(
                f"YouTube quota used up ({reason}, about {self.quota.units} units spent today); "
                f"the quota resets at midnight Pacific time (in {seconds_to_reset() / 3600:.1f} h)",
                status,
                seconds_to_reset(),
            )
        if reason in SHORT_LIMIT_REASONS:
            raise RateLimited(f"YouTube asks to slow down ({reason}): {message}", status, 60.0)
        if reason in KEY_REASONS or status == 400 and "key" in message.lower():
            raise FetchError(
                f"YouTube refused the API key in {self.key_env} ({reason}: {message}); check the key and that "
                "YouTube Data API v3 is enabled for its Google Cloud project",
                status,
            )
        raise YouTubeError(f"YouTube {resource}: HTTP {status} {reason}: {message}", status, reason)


def comment_to_post(comment: dict, video_id: str, channel_id: str, reply_count: int = 0) -> NewPost | None:
    """A comment under the channel's video: a reply to the official post (the video) or to a comment."""
    snippet = comment.get("snippet") or {}
    if not comment.get("id"):
        return None
    author_channel = (snippet.get("authorChannelId") or {}).get("value", "")
    text = snippet.get("textOriginal")
    if text is None:
        text = html_to_text(snippet.get("textDisplay") or "")
    official = bool(author_channel) and author_channel == channel_id
    name = str(snippet.get("authorDisplayName") or "")
    return NewPost(
        platform="youtube",
        external_id=comment["id"],
        text=text,
        url=f"https://www.youtube.com/watch?v={video_id}&lc={comment['id']}",
        author=name or author_channel,
        author_name=name,
        created_at=from_iso(snippet.get("publishedAt")),
        in_reply_to=snippet.get("parentId") or video_id,
        thread_root=video_id,
        like_count=int(snippet.get("likeCount") or 0),
        reply_count=reply_count,
        is_official=official,
        reply_to_official=not official,
    )


def video_to_post(video: dict, channel: dict[str, str]) -> NewPost:
    """The channel's own video as an official post, so that its comment threads have a root."""
    snippet = video.get("snippet") or {}
    stats = video.get("statistics") or {}
    return NewPost(
        platform="youtube",
        external_id=video["id"],
        title=str(snippet.get("title") or ""),
        text=str(snippet.get("description") or ""),
        url=f"https://www.youtube.com/watch?v={video['id']}",
        author=channel.get("handle") or channel.get("title", ""),
        author_name=channel.get("title", ""),
        author_description=channel.get("description", ""),
        created_at=from_iso(snippet.get("publishedAt")),
        language=(snippet.get("defaultLanguage") or snippet.get("defaultAudioLanguage") or None),
        reply_count=int(stats.get("commentCount") or 0),
        like_count=int(stats.get("likeCount") or 0),
        is_official=True,
    )
