"""A YouTube Data API v3 server on 127.0.0.1: channels, playlistItems, videos, commentThreads, comments;
the key, a daily quota and the error bodies (tests/fixtures/youtube/README.md)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from tests.localserver import LocalServer, Request, Response

FIXTURES = Path(__file__).parent.parent / "fixtures" / "youtube" / "python-youtube"
JSON_TYPE = {"Content-Type": "application/json; charset=UTF-8"}


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text("utf-8"))


def api_error(status: int, reason: str, domain: str, message: str) -> Response:
    """An error body shaped as the API's error reference shows it."""
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return Response(status, body, JSON_TYPE)


QUOTA = (
    403,
    "quotaExceeded",
    "youtube.quota",
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
)
DISABLED = (
    403,
    "commentsDisabled",
    "youtube.commentThread",
    'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter has disabled comments.',
)


def _token(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    return int(base64.b64decode(token).decode().split(":")[1]) if token else 0


class FakeYouTube:
    def __init__(self, server: LocalServer, key: str = "AIza-test-key", prefix: str = "/youtube/v3"):
        self.server = server
        self.key = key
        self.prefix = prefix
        self.quota_left = 10_000
        self.channels: dict[str, dict] = {}
        self.uploads: dict[str, list[str]] = {}  # playlist id → video ids
        self.videos: dict[str, dict] = {}
        self.threads: dict[str, dict] = {}
        self.replies: dict[str, list[dict]] = {}  # thread id → replies
        self.recorded_reply_pages: dict[str, list[dict]] = {}
        self.comments_disabled: set[str] = set()
        self.included_replies = 5  # how many replies a thread carries in `replies.comments`
        self.calls: list[tuple[str, dict[str, str]]] = []
        self._serial = 0
        for resource in ("channels", "playlistItems", "videos", "commentThreads", "comments", "search"):
            server.add(f"{prefix}/{resource}", self._guard(resource))

    @property
    def base_url(self) -> str:
        return self.server.url(self.prefix)

    # -- data ------------------------------------------------------------------------------
    def channel(self, cid: str, title: str, handle: str, description: str) -> dict:
        item = copy.deepcopy(load("apidata/channels/info.json")["items"][0])
        item["id"] = cid
        item["snippet"].update(title=title, customUrl=handle, description=description)
        item["snippet"]["localized"] = {"title": title, "description": description}
        self.channels[cid] = item
        self.uploads.setdefault("UU" + cid[2:], [])
        return item

    def video(
        self,
        channel: dict,
        vid: str,
        title: str,
        description: str = "",
        published: str | None = None,
        recorded: dict | None = None,
    ) -> dict:
        item = copy.deepcopy(recorded or load("apidata/videos/videos_info_multi.json")["items"][0])
        item["id"] = vid
        if not recorded:
            item["snippet"].update(title=title, description=description, channelId=channel["id"])
            item["snippet"]["publishedAt"] = published or f"2026-11-{10 + len(self.videos):02d}T01:00:00Z"
        self.videos[vid] = item
        self.uploads["UU" + channel["id"][2:]].append(vid)
        return item

    def comment(self, video: str, author: tuple[str, str], text: str, parent: dict | None = None) -> dict:
        """A top-level comment (a thread) or a reply, shaped like the recorded ones."""
        self._serial += 1
        template = load("apidata/comment_threads/comment_threads_by_video_paged_1.json")["items"][0]
        comment = copy.deepcopy(template["snippet"]["topLevelComment"])
        cid = f"Ugz{self._serial:019d}AaABAg"
        snippet = comment["snippet"]
        snippet.update(
            authorDisplayName=author[1],
            authorChannelId={"value": author[0]},
            authorChannelUrl=f"http://www.youtube.com/channel/{author[0]}",
            textDisplay=text.replace("\n", "<br>"),
            textOriginal=text,
            publishedAt=f"2026-11-24T{self._serial // 60:02d}:{self._serial % 60:02d}:00Z",
            videoId=video,
        )
        snippet["updatedAt"] = snippet["publishedAt"]
        if parent:
            comment["id"] = f"{parent['id']}.{self._serial:022d}"
            snippet["parentId"] = parent["id"]
            del snippet["videoId"]
            self.replies.setdefault(parent["id"], []).append(comment)
            return comment
        comment["id"] = cid
        thread = copy.deepcopy(template)
        thread.update(id=cid)
        thread["snippet"].update(videoId=video, topLevelComment=comment, totalReplyCount=0)
        self.threads[cid] = thread
        return thread

    def add_recorded_threads(self, path: str) -> None:
        for thread in load(path)["items"]:
            self.threads[thread["id"]] = thread

    # -- serving ---------------------------------------------------------------------------
    def _guard(self, resource: str):  # noqa: ANN202
        def handle(req: Request) -> Response:
            args = {k: v[0] for k, v in req.query.items()}
            self.calls.append((resource, args))
            if (req.headers.get("x-goog-api-key") or args.get("key")) != self.key:  # the API takes either
                return Response(400, load("error_response.json"), JSON_TYPE)  # recorded keyInvalid body
            if self.quota_left <= 0:
                return api_error(*QUOTA)
            self.quota_left -= 100 if resource == "search" else 1
            return getattr(self, "_" + resource)(args)

        return handle

    @staticmethod
    def _list(kind: str, items: list[dict], args: dict[str, str], default_size: int = 5) -> Response:
        size = int(args.get("maxResults") or default_size)
        start = _offset(args.get("pageToken"))
        body: dict[str, Any] = {"kind": kind, "etag": f"etag-{start}"}
        if start + size < len(items):
            body["nextPageToken"] = _token(start + size)
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
        body["items"] = items[start : start + size]
        return Response(200, body, JSON_TYPE)

    def _channels(self, args: dict[str, str]) -> Response:
        if "forHandle" in args:
            found = [
                c
                for c in self.channels.values()
                if c["snippet"].get("customUrl", "").lower() == args["forHandle"].lower()
            ]
        else:
            found = [self.channels[i] for i in args["id"].split(",") if i in self.channels]
        items = []
        for c in found:
            item = {k: v for k, v in c.items() if k in ("kind", "etag", "id") or k in args["part"].split(",")}
            if "contentDetails" in args["part"]:
                item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": "UU" + c["id"][2:]}}
            items.append(item)
        return self._list("youtube#channelListResponse", items, args)

    def _playlistItems(self, args: dict[str, str]) -> Response:
        if args["playlistId"] not in self.uploads:
            return api_error(
                404,
                "playlistNotFound",
                "youtube.playlistItem",
                "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
            )
        template = load("apidata/playlist_items/playlist_items_paged_1.json")["items"][0]
        items = []
        for vid in reversed(self.uploads[args["playlistId"]]):  # the uploads playlist lists the newest first
            item = copy.deepcopy(template)
            item["id"] = base64.b64encode(f"{args['playlistId']}.{vid}".encode()).decode()
            item["snippet"].update(
                resourceId={"kind": "youtube#video", "videoId": vid}, playlistId=args["playlistId"]
            )
            item["snippet"].update(
                title=self.videos[vid]["snippet"]["title"],
                publishedAt=self.videos[vid]["snippet"]["publishedAt"],
            )
            item["contentDetails"] = {
                "videoId": vid,
                "videoPublishedAt": self.videos[vid]["snippet"]["publishedAt"],
            }
            items.append(item)
        return self._list("youtube#playlistItemListResponse", items, args)

    def _count(self, vid: str) -> int:
        threads = [t for t in self.threads.values() if t["snippet"].get("videoId") == vid]
        return len(threads) + sum(len(self.replies.get(t["id"], [])) for t in threads)

    def _videos(self, args: dict[str, str]) -> Response:
        items = []
        for vid in args["id"].split(","):
            if vid in self.videos:
                item = copy.deepcopy(self.videos[vid])
                item.pop("player", None)
                item["statistics"] = {
                    "viewCount": "1234",
                    "likeCount": "12",
                    "favoriteCount": "0",
                    "commentCount": str(self._count(vid)),
                }
                items.append(item)
        return self._list("youtube#videoListResponse", items, args)

    def _commentThreads(self, args: dict[str, str]) -> Response:
        vid = args["videoId"]
        if vid in self.comments_disabled:
            return api_error(*DISABLED)
        threads = [t for t in self.threads.values() if t["snippet"].get("videoId") == vid]
        threads.sort(key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"], reverse=True)
        out = []
        for t in threads:
            item = copy.deepcopy(t)
            replies = self.replies.get(t["id"])
            if replies is not None:
                item["snippet"]["totalReplyCount"] = len(replies)
                if "replies" in args["part"]:
                    item["replies"] = {"comments": copy.deepcopy(replies[: self.included_replies])}
            out.append(item)
        return self._list("youtube#commentThreadListResponse", out, args, default_size=20)

    def _comments(self, args: dict[str, str]) -> Response:
        parent = args["parentId"]
        if parent in self.recorded_reply_pages:  # served as recorded, their page token included
            pages = self.recorded_reply_pages[parent]
            token = args.get("pageToken")
            page = next(
                (
                    p
                    for i, p in enumerate(pages)
                    if token == (pages[i - 1].get("nextPageToken") if i else None)
                ),
                None,
            )
            return (
                Response(200, page, JSON_TYPE)
                if page
                else api_error(400, "invalidPageToken", "youtube.parameter", "bad token")
            )
        return self._list("youtube#commentListResponse", self.replies.get(parent, []), args, default_size=20)

    def _search(self, args: dict[str, str]) -> Response:
        return Response(200, {"kind": "youtube#searchListResponse", "items": []}, JSON_TYPE)
