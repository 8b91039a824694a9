"""An evidence package for legal steps (発信者情報開示請求): one UTF-8 text file a lawyer can read.

It holds the post exactly as collected (no masking: it is the evidence), the author's profile
as collected, the collection times, the detection and the triage history, and a SHA-256 hash.
The hash is over the canonical JSON line at the end of the file, so anyone can recompute it:
take that line's UTF-8 bytes and run `sha256sum`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from collector.store import KIND_LABELS, STATUS_LABELS
from dashboard.queries.detail import AlertDetail, PostView

RECORD_FIELDS = (
    "platform",
    "external_id",
    "url",
    "author",
    "author_name",
    "author_description",
    "title",
    "text",
    "created_at",
    "collected_at",
    "content_hash",
)


@dataclass
class Package:
    file_name: str
    data: bytes
    sha256: str


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def record(post: PostView) -> dict:
    values = {k: getattr(post, k) for k in RECORD_FIELDS}
    values["created_at"], values["collected_at"] = _iso(post.created_at), _iso(post.collected_at)
    return values


def canonical(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _block(text: str) -> str:
    """Text as an indented block: nothing in it can end the block or be read as markup."""
    return "\n".join("    " + line for line in (text or "").split("\n"))


def _fmt(dt: datetime | None, zone: ZoneInfo) -> str:
    if dt is None:
        return "不明"
    return f"{dt.astimezone(zone).strftime('%Y-%m-%d %H:%M:%S %Z')}（UTC {dt.isoformat()}）"


def build(
    detail: AlertDetail,
    parent: PostView | None,
    exported_by: str,
    now: datetime,
    zone: ZoneInfo,
    history_labels: dict[str, str] | None = None,
) -> Package:
    post = detail.post
    if post is None:
        raise ValueError("このアラートには対象の投稿がありません。")
    rec = record(post)
    line = canonical({"alert_id": detail.id, "post": rec, "parent": record(parent) if parent else None})
    digest = hashlib.sha256(line.encode("utf-8")).hexdigest()
    text_digest = hashlib.sha256((post.text or "").encode("utf-8")).hexdigest()
    out = [
        "証拠保全記録（発信者情報開示請求用）",
        "=" * 40,
        f"作成日時: {_fmt(now, zone)}",
        f"作成者: {exported_by}",
        "作成: kikimimi（聞き耳）。投稿は収集時のまま記録しています（マスキングなし）。",
        "",
        "■ 対象の投稿",
        f"プラットフォーム: {post.platform}",
        f"投稿URL: {post.url or '（なし）'}",
        f"投稿ID: {post.external_id}",
        f"投稿日時: {_fmt(post.created_at, zone)}",
        f"収集日時: {_fmt(post.collected_at, zone)}",
        f"収集元ソース: {post.source or '不明'}",
        f"返信先ID: {post.in_reply_to or '（なし）'}",
        "",
        "■ 投稿者（収集時点のプロフィール）",
        f"アカウント: {post.author}",
        f"表示名: {post.author_name or '（なし）'}",
        "プロフィール文:",
        _block(post.author_description or "（なし）"),
        "",
        "■ 本文（収集時のまま）",
    ]
    if post.title:
        out += ["題名:", _block(post.title)]
    out += [_block(post.text), ""]
    if parent is not None:
        out += [
            "■ 返信先の投稿（文脈）",
            f"アカウント: {parent.author}　投稿日時: {_fmt(parent.created_at, zone)}",
            f"URL: {parent.url or '（なし）'}",
            _block(parent.text),
            "",
        ]
    out += [
        "■ 検知内容",
        f"アラート番号: #{detail.id}　種類: {KIND_LABELS.get(detail.kind, detail.kind)}　重要度: {detail.severity}",
        f"ガイドライン条項: {detail.clause}　理由: {detail.reason}",
        "該当箇所: " + ("、".join(str(e.get("text", "")) for e in detail.evidence) or "（なし）"),
        f"状態: {STATUS_LABELS.get(detail.status, detail.status)}　担当: {detail.assignee or '（未定）'}",
        "",
        "■ 対応履歴",
    ]
    labels = history_labels or {}
    for e in detail.history:
        out.append(
            f"{_fmt(e.at, zone)} {e.actor}: {labels.get(e.field_name, e.field_name)} "
            f"{e.old_value or '—'} → {e.new_value or '—'}".replace("\n", " ")
        )
    if not detail.history:
        out.append("（なし）")
    out += [
        "",
        "■ ハッシュ（改ざんの検証用）",
        f"SHA-256（下の記録 JSON 1 行の UTF-8 バイト列）: {digest}",
        f"SHA-256（本文のみの UTF-8 バイト列）: {text_digest}",
        f"収集時に記録されたハッシュ: {post.content_hash or '（なし）'}",
        "",
        "■ 記録 JSON（この 1 行がハッシュの対象です）",
        line,
        "",
    ]
    stamp = now.astimezone(zone).strftime("%Y%m%d-%H%M%S")
    return Package(f"kikimimi-evidence-alert{detail.id}-{stamp}.txt", "\n".join(out).encode("utf-8"), digest)
