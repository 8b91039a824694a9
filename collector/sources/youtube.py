"""YouTube (Data API v3): the comments under the official channel's videos, on a quota budget.

Key from the env var named by `token_env` (default KIKIMIMI_YOUTUBE_API_KEY); without one the
source is disabled. A quiet run costs 2 units: the uploads playlist (1) and one `videos.list`
for the newest videos' comment counts (1). Only a video whose count moved is read again,
newest threads first (`order=time`, 1 unit a page), down to the threads already collected;
threads with more replies than the page carries are completed with `comments.list`. The
channel's uploads playlist is looked up once (`channels.list`, 1 unit; never `search`, 100).
Units spent are counted in the source's state; a quota error holds the source until the
quota resets at midnight Pacific time.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from collector.http import FetchError, Http, RateLimited
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewPost, SourceDisabled, State
from collector.sources.youtube_api import Api, Quota, YouTubeError, comment_to_post, video_to_post

log = logging.getLogger("kikimimi.youtube")

DEFAULT_BASE = "https://www.googleapis.com/youtube/v3"
DEFAULT_TOKEN_ENV = "KIKIMIMI_YOUTUBE_API_KEY"
WATCH_VIDEOS = 10  # the channel's newest videos whose comments are followed
PAGE = 100  # maxResults for comment lists (50 for the others)


@dataclass
class Run:
    api: Api
    source: SourceSettings
    states: dict[str, State]
    channel: dict[str, str] = field(default_factory=dict)
    posts: dict[str, NewPost] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)  # comment id → author channel id
    new_states: list[State] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def saved(self, key: str) -> dict[str, Any]:
        state = self.states.get(key)
        return json.loads(state.cursor) if state and state.cursor else {}

    def keep(self, post: NewPost | None, author_channel: str = "") -> None:
        if post and post.external_id not in self.posts:
            self.posts[post.external_id] = post
            self.authors[post.external_id] = author_channel

    async def find_channel(self) -> None:
        """The channel and its uploads playlist, looked up once and remembered."""
        self.channel = self.saved("channel")
        wanted = self.source.channel_id or (self.source.accounts[0] if self.source.accounts else "")
        if self.channel.get("asked") == wanted and self.channel.get("uploads"):
            return
        if not wanted:
            raise SourceDisabled(
                f'youtube source {self.source.name!r}: set channel_id (UC…) or accounts = ["@handle"]'
            )
        by = {"id": wanted} if wanted.startswith("UC") else {"forHandle": "@" + wanted.lstrip("@")}
        data = await self.api.get("channels", {"part": "snippet,contentDetails", **by})
        items = data.get("items") or []
        if not items:
            raise FetchError(f"YouTube channel {wanted!r} not found; check channel_id / accounts", 404)
        item = items[0]
        snippet = item.get("snippet") or {}
        self.channel = {
            "asked": wanted,
            "id": item["id"],
            "uploads": ((item.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads", ""),
            "title": str(snippet.get("title") or ""),
            "handle": str(snippet.get("customUrl") or ""),
            "description": str(snippet.get("description") or ""),
        }
        if not self.channel["uploads"]:
            raise FetchError(f"YouTube channel {wanted!r} has no uploads playlist", 404)
        self.new_states.append(State(key="channel", cursor=json.dumps(self.channel)))

    async def newest_videos(self) -> list[dict]:
        data = await self.api.get(
            "playlistItems",
            {"part": "snippet,contentDetails", "playlistId": self.channel["uploads"], "maxResults": 50},
        )

        def when(item: dict) -> str:
            return str(
                (item.get("contentDetails") or {}).get("videoPublishedAt")
                or item["snippet"].get("publishedAt")
            )

        items = sorted(data.get("items") or [], key=when, reverse=True)[:WATCH_VIDEOS]
        ids = [
            (i.get("contentDetails") or {}).get("videoId") or i["snippet"]["resourceId"]["videoId"]
            for i in items
        ]
        if not ids:
            return []
        videos = await self.api.get(
            "videos", {"part": "snippet,statistics", "id": ",".join(ids), "maxResults": 50}
        )
        return [v for v in videos.get("items") or [] if v.get("id")]

    async def video(self, video: dict) -> None:
        """New comments under one video, if its comment count moved since the last run."""
        key = f"video:{video['id']}"
        saved = self.saved(key)
        count = (video.get("statistics") or {}).get("commentCount")
        if count is not None and (str(saved.get("count")) == str(count) or str(count) == "0"):
            if not saved:
                self.new_states.append(State(key=key, cursor=json.dumps({"count": count})))
            return  # nothing new under this video: no unit spent
        try:
            complete = await self.threads(video["id"], saved, int(count or 0) - int(saved.get("count") or 0))
        except YouTubeError as e:
            if e.reason not in ("commentsDisabled", "videoNotFound", "forbidden"):
                raise
            self.notes.append(f"video {video['id']}: {e.reason}")
            complete = True
        if complete:
            saved["count"] = count
        self.new_states.append(State(key=key, cursor=json.dumps(saved)))

    async def threads(self, video_id: str, saved: dict, expected: int) -> bool:
        """Newest threads first, until a page brings nothing new and the count's rise is accounted
        for; a list longer than the page budget is read on from where the last run stopped.
        True when everything under the video has been read."""
        params = {"part": "snippet,replies", "videoId": video_id, "order": "time", "maxResults": PAGE}
        params["textFormat"] = "plainText"
        budget, found, token = self.source.max_pages, 0, None
        newest = saved.get("newest", "")
        while budget:
            data = await self.api.get(
                "commentThreads", dict(params, **({"pageToken": token} if token else {}))
            )
            budget -= 1
            changed = await self.thread_page(video_id, data, saved, newest)
            found += changed
            token = data.get("nextPageToken")
            if not token:
                saved.pop("resume", None)
                return True
            if not changed and found >= expected:
                break
        else:
            saved["resume"] = saved.get("resume") or token
            return False
        token = saved.get("resume")
        try:
            while token and budget:
                data = await self.api.get("commentThreads", dict(params, pageToken=token))
                budget -= 1
                await self.thread_page(video_id, data, saved, newest)
                token = data.get("nextPageToken")
        except YouTubeError as e:  # a page token too old to use: the rest is out of reach
            self.notes.append(f"video {video_id}: older comments not read ({e.reason})")
            token = None
        saved["resume"] = token
        return not token

    async def thread_page(self, video_id: str, data: dict, saved: dict, newest: str) -> int:
        """One page of threads kept; returns how many comments on it were new."""
        replies: dict[str, int] = saved.setdefault("replies", {})
        changed = 0
        for thread in data.get("items") or []:
            snippet = thread.get("snippet") or {}
            top = snippet.get("topLevelComment") or {}
            total = int(snippet.get("totalReplyCount") or 0)
            published = str((top.get("snippet") or {}).get("publishedAt") or "")
            changed += published > newest
            self.keep(comment_to_post(top, video_id, self.channel["id"], total), _author(top))
            known = replies.get(thread["id"], 0)
            if total > known:
                changed += total - known
                if await self.thread_replies(video_id, thread, total):
                    replies[thread["id"]] = total
            saved["newest"] = max(saved.get("newest", ""), published)
        return changed

    async def thread_replies(self, video_id: str, thread: dict, total: int) -> bool:
        """The replies of one thread: those the thread page carries, the rest from `comments.list`."""
        included = (thread.get("replies") or {}).get("comments") or []
        for reply in included:
            self.keep(comment_to_post(reply, video_id, self.channel["id"]), _author(reply))
        if len(included) >= total:
            return True
        token = None
        for _ in range(self.source.max_pages):
            params = {
                "part": "snippet",
                "parentId": thread["id"],
                "maxResults": PAGE,
                "textFormat": "plainText",
            }
            data = await self.api.get("comments", dict(params, **({"pageToken": token} if token else {})))
            for reply in data.get("items") or []:
                self.keep(comment_to_post(reply, video_id, self.channel["id"]), _author(reply))
            token = data.get("nextPageToken")
            if not token:
                return True
        return False

    async def describe_authors(self) -> None:
        """Commenters' channel descriptions (they matter to leak detection): 50 per unit."""
        wanted = sorted({a for a in self.authors.values() if a} - {self.channel.get("id")})
        descriptions: dict[str, str] = {self.channel.get("id", ""): self.channel.get("description", "")}
        try:
            for i in range(0, len(wanted), 50):
                data = await self.api.get("channels", {"part": "snippet", "id": ",".join(wanted[i : i + 50])})
                for item in data.get("items") or []:
                    descriptions[item["id"]] = str((item.get("snippet") or {}).get("description") or "")
        except FetchError as e:
            self.notes.append(f"commenters' profiles not read: {e}")
        for eid, channel in self.authors.items():
            if channel in descriptions and not self.posts[eid].author_description:
                self.posts[eid].author_description = descriptions[channel]


def _author(comment: dict) -> str:
    return str(((comment.get("snippet") or {}).get("authorChannelId") or {}).get("value") or "")


class YouTubeCollector:
    kind: ClassVar[str] = "youtube"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        env = source.token_env or DEFAULT_TOKEN_ENV
        key = os.environ.get(env, "").strip()
        if not key:
            raise SourceDisabled(
                f"youtube source {source.name!r} is off: no API key in the environment variable {env} "
                "(create a key for YouTube Data API v3 in Google Cloud and set it there)"
            )
        quota = Quota.load(states["quota"].cursor if "quota" in states else None)
        quota.check()  # still waiting for the reset: no request at all
        api = Api(http, (source.base_url or DEFAULT_BASE).rstrip("/"), key, env, quota)
        run = Run(api, source, states)
        try:
            await run.find_channel()
            videos = await run.newest_videos()
            for video in videos:  # the official posts first: threads need their root even if a run stops
                run.keep(video_to_post(video, run.channel))
            for video in videos:
                await run.video(video)
            await run.describe_authors()
        except RateLimited as e:
            if not run.posts:
                raise
            run.notes.append(str(e))  # keep what was read; the saved quota state holds the next runs
        log.info(
            "youtube source=%s posts=%d units_run=%d units_today=%d",
            source.name,
            len(run.posts),
            quota.run_units,
            quota.units,
        )
        run.new_states.append(State(key="quota", cursor=quota.dump()))
        return Batch(posts=list(run.posts.values()), states=run.new_states, errors=run.notes)
