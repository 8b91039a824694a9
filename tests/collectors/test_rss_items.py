"""What a feed item becomes: ids, titles, plain text, outlets, counts (hand-shaped feeds, see their README)."""

from __future__ import annotations

from datetime import UTC, datetime

from collector.htmltext import html_to_text
from collector.settings import SourceSettings
from collector.sources.rss import parse_feed
from tests.conftest import FIXTURES

RSS = FIXTURES / "rss"


def _parse(name: str, url: str, role: str = "mention", content_type: str = "application/rss+xml"):
    source = SourceSettings(name="s", kind="rss", url=url, role=role)
    return parse_feed((RSS / name).read_bytes(), content_type, source)


def test_google_news_items_keep_headline_outlet_and_no_html():
    posts, facts, note = _parse(
        "google_news_search.xml", "https://news.google.com/rss/search?q=%E8%8C%85%E9%87%8E%E5%B8%82&hl=ja"
    )
    assert not facts and not note
    by_outlet = {p.author: p for p in posts}
    assert set(by_outlet) == {"長野日報", "信濃毎日新聞デジタル", "市民タイムス&ニュース"}
    single = by_outlet["長野日報"]
    assert single.title == "茅野市、蓼科湖周辺の駐車場を有料化へ 来春から"  # " - 長野日報" moved to author
    assert single.text == ""  # its summary only repeated the headline and the outlet
    assert single.url.startswith("https://news.google.com/rss/articles/CBMi")
    assert single.external_id == "CBMiYWh0dHBzOi8vd3d3Lm5hZ2Fuby1ucC5jby5qcC9hcnRpY2xlcy8xMjM0NTbSAQA"
    assert single.created_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert single.language == "ja"
    cluster = by_outlet["信濃毎日新聞デジタル"]
    assert cluster.title == "八ヶ岳の山小屋 - 茅野市の冬季閉鎖と登山者への呼びかけ"  # an inner " - " stays
    assert cluster.text.splitlines() == [
        "冬の八ヶ岳、登山計画書の提出を 茅野署（ライブドアニュース）",
        "山小屋が冬季休業に 茅野市（Yahoo!ニュース）",
    ]
    assert by_outlet["市民タイムス&ニュース"].title == "「茅野市の水道水が危ない」はデマ 市が注意呼びかけ"
    for p in posts:
        assert "<" not in p.text and "&nbsp;" not in p.text and "すべての記事を表示" not in p.text


def test_hatena_bookmark_items_keep_the_page_excerpt_and_bookmark_count():
    posts, _, _ = _parse("hatena_bookmark_search.xml", "https://b.hatena.ne.jp/search/text?q=x&mode=rss")
    first, second = posts
    assert first.external_id == first.url == "https://anond.hatelabo.jp/20261123101500"
    assert first.title == "茅野市に移住して三年たった"
    assert first.text.startswith("茅野市に移住して三年。") and "はてなブックマーク" not in first.text
    assert first.repost_count == 128 and second.repost_count == 3
    assert first.author == "anond.hatelabo.jp"  # the bookmarked page's site, not Hatena
    assert first.created_at == datetime(2026, 11, 23, 1, 21, 44, tzinfo=UTC)  # dc:date +09:00
    assert second.title == "蓼科の紅葉と温泉めぐり｜長野県茅野市 - 旅のしおり"


def test_official_feed_fills_the_fact_base_not_the_posts():
    posts, facts, _ = _parse(
        "municipal_shinchaku.xml", "https://www.city.chino.lg.jp/rss/10/list1.xml", role="official"
    )
    assert posts == []
    assert [f.title for f in facts][0] == "水道水の水質検査結果について（令和8年11月）"
    water = facts[0]
    assert water.url == water.external_id == "https://www.city.chino.lg.jp/soshiki/suido/12345.html"
    assert "水質基準に適合" in water.text
    assert water.published_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert facts[1].text == ""  # an announcement with a title only is still a fact
    assert facts[2].text == "説明会を開催します。\n日時：12月5日（土）午後2時"


def test_broken_cms_feed_keeps_every_item_apart_and_readable():
    posts, _, note = _parse("quirks.xml", "https://cms.example.jp/rss.xml")
    assert "ill-formed but readable" in note and "1 empty items" in note
    ids = [p.external_id for p in posts]
    assert len(ids) == len(set(ids)) == 5  # the shared guid does not merge two items
    assert [p.title for p in posts][:2] == ["同じ guid その1", "同じ guid その2"]
    assert ids[0].startswith("https://cms.example.jp/#") and ids[1].startswith("https://cms.example.jp/#")
    assert ids[2] == "cms.example.jp#3"  # a bare number is only unique within its feed
    assert ids[3] == "https://cms.example.jp/topics/4?utm_source=rss"  # no guid: the link
    assert ids[4].startswith("sha256:")  # neither: a hash of the content
    assert posts[0].text == "茅野市の話題その1 です"  # &nbsp; read though XML does not define it
    assert posts[1].text == "茅野市の話題その2 & 続き"  # the script is gone
    assert posts[4].text == "本文だけの\n項目"


def test_ids_are_the_same_on_every_fetch():
    first, _, _ = _parse("quirks.xml", "https://cms.example.jp/rss.xml")
    again, _, _ = _parse("quirks.xml", "https://cms.example.jp/rss.xml")
    assert [p.external_id for p in first] == [p.external_id for p in again]


def test_guid_marked_not_a_permalink_is_the_id_and_the_link_the_url():
    posts, _, _ = _parse("blog_mentions.xml", "https://blog.example.jp/search.rss")
    assert posts[0].external_id == "blog.example.jp#blog-1001"
    assert posts[0].url == "https://blog.example.jp/yamanobori/2026/11/tateshina"
    assert posts[0].text == "茅野市の蓼科湖周辺は紅葉がちょうど見頃でした。\n駐車場は少し混んでいました。"


def test_atom_entries_become_plain_text_posts():
    posts, _, _ = _parse(
        "atom_blog.xml", "https://yatsugatake.example.jp/feed.atom", content_type="application/atom+xml"
    )
    library, firewood = posts
    assert library.external_id == "tag:yatsugatake.example.jp,2026:entry-1187"
    assert library.title == "茅野市の新しい図書館に行ってきた"
    assert library.text == "茅野市の新しい図書館に行ってきました。\n閲覧席が広く、“静かに”過ごせます。"
    assert library.created_at == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # published, not updated
    assert firewood.text == "薪を割りました。"
    assert firewood.author == "八ヶ岳ふもと日記"


def test_html_to_text_reads_like_the_page():
    html = (
        "<div><p>市長&nbsp;会見&amp;質疑<br>第2部</p><ul><li>一</li><li>二</li></ul>"
        "<script>var a = '<p>x</p>';</script><style>p { color: red }</style>"
        "<!-- comment --><p>&#x8305;&#37326;&hellip;&unknown;</p></div>"
    )
    assert html_to_text(html) == "市長 会見&質疑\n第2部\n一\n二\n茅野…&unknown;"
    assert html_to_text("1 < 2 and AT&T") == "1 < 2 and AT&T"
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"
    assert html_to_text("全角\u3000スペース\u200bと改行\r\n") == "全角 スペースと改行"


def test_json_feed_items_become_posts_like_any_feed():
    import json

    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "蓼科ノート",
        "language": "ja",
        "authors": [{"name": "たてしな"}],
        "items": [
            {
                "id": "https://note.example.jp/p/42",
                "url": "https://note.example.jp/p/42",
                "title": "茅野市の新しいバス路線",
                "content_html": "<p>乗ってみました。<script>x()</script></p>",
                "date_published": "2026-11-24T08:00:00+09:00",
            },
            {"id": 43, "content_text": "短い投稿", "date_modified": "2026-11-24T10:00:00Z"},
        ],
    }
    source = SourceSettings(name="note", kind="rss", url="https://note.example.jp/feed.json")
    posts, _, _ = parse_feed(json.dumps(feed, ensure_ascii=False).encode(), "application/feed+json", source)
    bus, short = posts
    assert (bus.external_id, bus.title, bus.text) == (
        "https://note.example.jp/p/42",
        "茅野市の新しいバス路線",
        "乗ってみました。",
    )
    assert bus.author == "たてしな" and bus.language == "ja"
    assert bus.created_at == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert short.external_id == "note.example.jp#43" and short.text == "短い投稿"
    assert short.created_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_json_that_is_not_a_feed_is_a_clear_error():
    import pytest

    from collector.http import FetchError

    source = SourceSettings(name="api", kind="rss", url="https://example.jp/api")
    with pytest.raises(FetchError, match="not a readable feed: JSON, but not a JSON Feed"):
        parse_feed(b'{"error": "login required"}', "application/json", source)
