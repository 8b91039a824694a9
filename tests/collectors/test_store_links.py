"""A post met again by another path gains the links that path knows, and loses nothing it had."""

from __future__ import annotations

from sqlmodel import Session, select

from collector.db import make_engine, migrate, session_scope
from collector.pipeline import save_batch
from collector.sources.base import Batch, NewPost
from collector.store import Post, Source, utcnow

ROOT = "https://mstdn.example/users/chino_city/statuses/1"


def _save(engine, posts: list[NewPost]) -> int:  # noqa: ANN001
    with session_scope(engine) as s:
        source = s.exec(select(Source).where(Source.name == "m")).first()
        if source is None:
            source = Source(name="m", kind="mastodon")
            s.add(source)
            s.flush()
        new, _ = save_batch(s, source, Batch(posts=posts), utcnow())
    return new


def _reply(**links: object) -> NewPost:
    return NewPost(
        platform="mastodon",
        external_id="https://mstdn.example/users/a/statuses/9",
        text="#茅野市 市長の説明おかしくない？",
        author="a@mstdn.example",
        **links,
    )


def test_a_reply_first_seen_in_a_hashtag_gains_its_thread_when_the_thread_is_read(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    assert _save(engine, [_reply()]) == 1  # the hashtag timeline: no parent known yet

    again = _reply(in_reply_to=ROOT, thread_root=ROOT, reply_to_official=True, author_description="茅野市民")
    assert _save(engine, [again]) == 0  # stored once

    with Session(engine) as s:
        (post,) = s.exec(select(Post)).all()
    assert (post.in_reply_to, post.thread_root, post.reply_to_official) == (ROOT, ROOT, True)
    assert post.author_description == "茅野市民"
    assert post.text == "#茅野市 市長の説明おかしくない？"


def test_what_is_known_is_never_overwritten_or_cleared(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    _save(
        engine,
        [_reply(in_reply_to=ROOT, thread_root=ROOT, reply_to_official=True, author_description="職員")],
    )
    _save(engine, [_reply(in_reply_to="other", thread_root="other", author_description="別の紹介文")])
    _save(engine, [_reply()])

    with Session(engine) as s:
        (post,) = s.exec(select(Post)).all()
    assert (post.in_reply_to, post.thread_root, post.reply_to_official) == (ROOT, ROOT, True)
    assert post.author_description == "職員"
