"""Japanese feeds read right whatever their declarations say.

The bodies are the hand-shaped municipal 新着情報 feed (tests/fixtures/rss/README.md) encoded
the ways Japanese sites serve feeds, with right, wrong and missing declarations in the XML
and in the HTTP Content-Type.
"""

from __future__ import annotations

import re

import pytest

from collector.charset import to_utf8
from collector.settings import SourceSettings
from collector.sources.rss import parse_feed
from tests.conftest import FIXTURES

UTF8_FEED = (FIXTURES / "rss" / "municipal_shinchaku.xml").read_text("utf-8")
SOURCE = SourceSettings(name="city-news", kind="rss", url="https://www.city.chino.lg.jp/rss/10/list1.xml")
TITLES_CP932 = [
    "水道水の水質検査結果について（令和8年11月）",
    "①ごみ収集日の変更について（12月から）",
    "蓼科湖周辺駐車場の有料化に関する説明会～髙島地区～",
]


def _feed(declared: str | None, text: str = UTF8_FEED) -> str:
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    return re.sub(r"^<\?xml[^>]*\?>", decl, text)


def _plain(text: str) -> str:
    """The feed without the characters EUC-JP / ISO-2022-JP cannot carry (① and 髙 are CP932 extensions)."""
    return text.replace("①", "").replace("髙", "高").replace("～", "〜")


def _titles(body: bytes, content_type: str) -> list[str]:
    posts, facts, _ = parse_feed(body, content_type, SourceSettings(**{**SOURCE.__dict__, "role": "mention"}))
    return [p.title for p in posts]


CP932_CASES = [
    # (what a site does, xml declaration, Content-Type)
    ("Shift_JIS declared in the XML, text/xml without charset", "Shift_JIS", "text/xml"),
    ("Shift_JIS in both", "Shift_JIS", "application/rss+xml; charset=Shift_JIS"),
    ("lowercase sjis alias", "sjis", "application/xml"),
    ("Windows-31J label", "Windows-31J", "application/xml"),
    ("header says utf-8, body is Shift_JIS", "Shift_JIS", "application/xml; charset=utf-8"),
    ("both say UTF-8, body is Shift_JIS", "UTF-8", "text/xml; charset=UTF-8"),
    ("no declaration at all", None, "application/rss+xml"),
    ("no declaration, no Content-Type", None, ""),
    ("header says us-ascii", "Shift_JIS", "text/xml; charset=us-ascii"),
    ("HTML content type", "Shift_JIS", "text/html; charset=Shift_JIS"),
]


@pytest.mark.parametrize("case,declared,content_type", CP932_CASES, ids=[c[0] for c in CP932_CASES])
def test_shift_jis_feed_with_cp932_characters_reads_right(case, declared, content_type):
    body = _feed(declared).encode("cp932")
    assert _titles(body, content_type) == TITLES_CP932


UTF8_CASES = [
    ("XML says Shift_JIS, body is UTF-8", "Shift_JIS", "text/xml"),
    ("both say Shift_JIS, body is UTF-8", "Shift_JIS", "application/xml; charset=Shift_JIS"),
    ("XML says EUC-JP, body is UTF-8", "EUC-JP", "application/rss+xml"),
    ("text/xml without charset (us-ascii by the XML rules)", "UTF-8", "text/xml"),
    ("byte-order mark, no declaration", None, "application/xml"),
]


@pytest.mark.parametrize("case,declared,content_type", UTF8_CASES, ids=[c[0] for c in UTF8_CASES])
def test_utf8_feed_under_a_wrong_declaration_reads_right(case, declared, content_type):
    body = _feed(declared).encode("utf-8")
    if "byte-order" in case:
        body = b"\xef\xbb\xbf" + body
    assert _titles(body, content_type) == TITLES_CP932


EUC_CASES = [
    ("EUC-JP declared", "EUC-JP", "application/xml", "euc_jp"),
    ("EUC-JP with NEC row 13 (①), declared EUC-JP", "EUC-JP", "text/xml", "euc_jis_2004"),
    ("EUC-JP undeclared", None, "application/xml", "euc_jp"),
    ("EUC-JP under a utf-8 header", "EUC-JP", "application/xml; charset=utf-8", "euc_jp"),
    ("EUC-JP under a Shift_JIS declaration", "Shift_JIS", "application/xml", "euc_jp"),
    ("ISO-2022-JP declared", "ISO-2022-JP", "application/xml", "iso2022_jp"),
    ("ISO-2022-JP under a utf-8 header", "ISO-2022-JP", "text/xml; charset=utf-8", "iso2022_jp"),
    ("ISO-2022-JP undeclared", None, "application/xml", "iso2022_jp"),
]


@pytest.mark.parametrize("case,declared,content_type,codec", EUC_CASES, ids=[c[0] for c in EUC_CASES])
def test_euc_jp_and_iso_2022_jp_feeds_read_right(case, declared, content_type, codec):
    text = _plain(_feed(declared))
    expected = [_plain(t) for t in TITLES_CP932]
    if "NEC" in case:
        text = text.replace("ごみ収集日", "①ごみ収集日")
        expected[1] = "①" + expected[1]
    assert _titles(text.encode(codec), content_type) == expected


def test_what_was_wrong_is_noted_for_the_source_health():
    body = _feed("Shift_JIS").encode("utf-8")
    _, _, note = parse_feed(body, "text/xml", SOURCE)
    assert "declared Shift_JIS but the body is UTF-8" in note
    body = _feed("UTF-8").encode("cp932")
    _, _, note = parse_feed(body, "application/xml; charset=utf-8", SOURCE)
    assert "declared utf-8 but the body is cp932" in note


def test_a_shift_jis_feed_with_stray_bytes_keeps_every_item():
    body = _feed("Shift_JIS").encode("cp932").replace("水道水".encode("cp932"), b"\x81\xff\xfe")
    titles = _titles(body, "text/xml")
    assert titles[1:] == TITLES_CP932[1:]
    assert titles[0].endswith("の水質検査結果について（令和8年11月）")


def test_a_utf8_feed_cut_inside_a_character_keeps_every_item():
    """CMSs that cut descriptions at a byte count leave half a character behind."""
    cut = "11月の定期水質検査".encode()[:-1]
    body = _feed("UTF-8").encode().replace("11月の定期水質検査".encode(), cut)
    decoded = to_utf8(body, "application/xml; charset=utf-8")
    assert decoded.encoding == "utf-8" and "not valid utf-8" in decoded.note
    assert _titles(body, "application/xml; charset=utf-8") == TITLES_CP932


def test_other_declared_encodings_are_left_to_feedparser():
    body = '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title></channel></rss>'
    decoded = to_utf8(body.encode("latin-1"), "application/xml")
    assert decoded.encoding is None and decoded.body == body.encode("latin-1")


def test_half_width_katakana_in_shift_jis_stays_half_width():
    body = (FIXTURES / "rss" / "rss091_shiftjis.xml").read_bytes()
    posts, _, _ = parse_feed(
        body, "text/xml", SOURCE.__class__(name="bbs", kind="rss", url="http://bbs.example.jp/")
    )
    assert [p.title for p in posts] == ["茅野駅前の工事はいつまで？", "ﾊﾝｶｸ 半角カナの書き込み"]
    assert posts[0].text == "茅野駅前の工事、いつ終わるんでしょうか。①歩道が狭い②案内が少ない"
    assert posts[1].text == "ﾁﾉｼ ﾉ ｲﾍﾞﾝﾄ"
