"""save_batch on the real databases: over-long values never fail a batch, ids stay linkable."""

from __future__ import annotations

from sqlmodel import Session, select

from collector.db import make_engine, migrate, session_scope
from collector.pipeline import save_batch
from collector.sources.base import Batch, NewFact, NewPost, State
from collector.store import FetchState, OfficialStatement, Post, Source, utcnow


def test_over_long_values_are_fitted_and_parent_links_still_match(db_url):
    migrate(db_url)
    engine = make_engine(db_url)
    long_id = "at://did:plc:" + "x" * 600
    parent = NewPost(
        platform="bluesky", external_id=long_id, text="親", author="a" * 400, language="ja-JP-x-" + "z" * 40
    )
    child = NewPost(
        platform="bluesky", external_id="child", text="子", in_reply_to=long_id, thread_root=long_id
    )
    fact = NewFact(external_id="f" * 700, title="お知らせ", text="本文")
    state = State(key="k" * 800, etag='W/"' + "e" * 600 + '"', cursor="c" * 5000)
    try:
        with session_scope(engine) as session:
            source = Source(name="s", kind="bluesky")
            session.add(source)
            session.flush()
            assert save_batch(session, source, Batch([parent, child], [fact], [state]), utcnow()) == (2, 1)
        with Session(engine) as session:
            posts = {p.text: p for p in session.exec(select(Post)).all()}
            assert len(posts["親"].external_id) <= 500 and len(posts["親"].author) == 300
            assert posts["子"].in_reply_to == posts["子"].thread_root == posts["親"].external_id
            assert len(posts["親"].language) <= 16
            assert len(session.exec(select(OfficialStatement)).one().external_id) <= 500
            saved = session.exec(select(FetchState)).one()
            assert saved.cursor == "c" * 5000  # a cursor is never cut: it would no longer resume
        with session_scope(engine) as session:  # the same batch again: nothing new, no error
            source = session.exec(select(Source)).one()
            assert save_batch(session, source, Batch([parent, child], [fact], [state]), utcnow()) == (0, 0)
    finally:
        engine.dispose()
