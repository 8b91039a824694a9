"""`kikimimi import FILE`: JSONL and CSV (UTF-8, BOM, CP932 from Excel; English or Japanese
headers), deduped on (platform, id), malformed lines reported with file:line and skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from collector.cli import main
from tests.collectors.isolation import status, stored
from tests.conftest import write_settings

JSONL = "\n".join(
    [
        json.dumps(
            {
                "id": "x-1001",
                "text": "茅野市役所の対応が遅すぎる",
                "platform": "x",
                "author": "@resident_a",
                "author_description": "茅野市在住",
                "reply_to_official": True,
                "created_at": "2026-11-24T09:12:00+09:00",
                "in_reply_to": "x-1000",
                "thread_root": "x-1000",
                "url": "https://x.com/resident_a/status/1001",
            },
            ensure_ascii=False,
        ),
        '{"id": 1002, "text": "蓼科湖の紅葉がきれい", "platform": "x", "unknown_key": 1}',
        "{not json",
        "[1, 2]",
        '{"id": "x-1003", "platform": "x"}',
        '{"id": "x-1004", "text": "日付が変", "created_at": "昨日の夜"}',
        "",
        '{"id": "x-1005", "text": "正しい行は残る", "reply_to_official": "maybe"}',
        '{"id": "line-1", "text": "LINEの投稿", "created_at": "2026/11/24 21:05"}',
    ]
)

CSV_JA = (
    "投稿ID,本文,投稿者,投稿日時,媒体,返信先,URL,公式への返信\r\n"
    "fb-1,茅野市のごみ収集について質問です,山田,2026/11/24 9:12,facebook,,https://fb.example/1,いいえ\r\n"
    '"fb-2","改行を含む本文\r\n二行目です,カンマも",佐藤,2026/11/24 10:00,facebook,fb-1,,はい\r\n'
    "fb-3,,鈴木,2026/11/24 11:00,facebook,,,\r\n"
    "fb-4,ｶﾀｶﾅ と ①②,高橋,2026年11月24日 12時30分,facebook,,,\r\n"
    "fb-5,値が多すぎる,a,b,c,d,e,f,g,h\r\n"
)


def _settings(tmp_path, db_url):  # noqa: ANN001, ANN202
    return str(write_settings(tmp_path / "settings.toml", db_url))


def _import(settings: str, capsys, path, *extra: str, code: int = 1):  # noqa: ANN001, ANN202
    capsys.readouterr()
    assert main(["--settings", settings, "import", str(path), *extra]) == code
    return capsys.readouterr()


def test_jsonl_import_keeps_good_lines_reports_bad_ones_and_dedupes(tmp_path, db_url, capsys):
    settings = _settings(tmp_path, db_url)
    f = tmp_path / "export.jsonl"
    f.write_text(JSONL, encoding="utf-8")
    out = _import(settings, capsys, f, "--platform", "line")
    assert "imported 3 new posts" in out.out and "5 lines skipped" in out.out
    err = out.err.splitlines()
    assert err == [
        f"{f}:3: not JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{f}:4: expected a JSON object, got list",
        f"{f}:5: no text (a text column such as text or 本文 is empty)",
        f"{f}:6: created_at '昨日の夜' is not a date (use ISO 8601, e.g. 2026-11-24T09:12:00+09:00)",
        f"{f}:8: reply_to_official 'maybe' is not true/false",
    ]
    rows = {(p.platform, p.external_id): p for p in stored(db_url)["post_rows"]}
    assert set(rows) == {("x", "x-1001"), ("x", "1002"), ("line", "line-1")}
    first = rows[("x", "x-1001")]
    assert first.author == "@resident_a" and first.author_description == "茅野市在住"
    assert first.reply_to_official and first.in_reply_to == first.thread_root == "x-1000"
    assert first.created_at == datetime(2026, 11, 24, 0, 12, tzinfo=UTC)
    assert first.url == "https://x.com/resident_a/status/1001"
    assert rows[("line", "line-1")].created_at == datetime(2026, 11, 24, 12, 5, tzinfo=UTC)  # local time, JST

    again = _import(settings, capsys, f, "--platform", "line")
    assert "imported 0 new posts" in again.out and "3 already stored" in again.out
    assert len(stored(db_url)["posts"]) == 3
    health = status(settings, capsys)["import"]
    assert health["items_total"] == 3 and "5 lines skipped" in health["last_error"]


def test_excel_csv_in_cp932_with_japanese_headers(tmp_path, db_url, capsys):
    settings = _settings(tmp_path, db_url)
    f = tmp_path / "facebook.csv"
    f.write_bytes(CSV_JA.encode("cp932"))
    out = _import(settings, capsys, f)
    assert "imported 3 new posts" in out.out and "read as cp932" in out.out
    assert f"{f}:5: no text" in out.err  # fb-2 spans lines 3-4 of the file, fb-3 is line 5
    assert f"{f}:7: 10 values for 8 columns" in out.err
    rows = {p.external_id: p for p in stored(db_url)["post_rows"]}
    assert set(rows) == {"fb-1", "fb-2", "fb-4"}
    assert rows["fb-2"].text == "改行を含む本文\r\n二行目です,カンマも"
    assert rows["fb-2"].in_reply_to == "fb-1" and rows["fb-2"].reply_to_official
    assert rows["fb-1"].platform == "facebook" and rows["fb-1"].author == "山田"
    assert rows["fb-1"].created_at == datetime(2026, 11, 24, 0, 12, tzinfo=UTC)
    assert rows["fb-4"].text == "ｶﾀｶﾅ と ①②"
    assert rows["fb-4"].created_at == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def test_utf8_csv_with_and_without_bom_imports_the_same(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url)
    body = "id,text,author,created_at\nm-1,茅野市の図書館,@a,2026-11-24T09:00:00Z\n"
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text(body, encoding="utf-8")
    bom.write_text(body, encoding="utf-8-sig")
    assert "imported 1 new posts" in _import(settings, capsys, bom, "--platform", "misskey", code=0).out
    assert "imported 0 new posts" in _import(settings, capsys, plain, "--platform", "misskey", code=0).out
    post = stored(sqlite_url)["post_rows"][0]
    assert (post.platform, post.external_id, post.text) == ("misskey", "m-1", "茅野市の図書館")


def test_rows_without_an_id_get_a_stable_one(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url)
    f = tmp_path / "noid.csv"
    f.write_text(
        "本文,投稿者,日時\nおはよう茅野,a,2026/11/24 7:00\nおはよう茅野,a,2026/11/25 7:00\n", "utf-8"
    )
    assert "imported 2 new posts" in _import(settings, capsys, f, code=0).out
    assert "imported 0 new posts" in _import(settings, capsys, f, code=0).out


def test_spreadsheet_rounded_ids_are_refused_with_the_fix(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url)
    f = tmp_path / "x.csv"
    f.write_text("id,text\n1.86543E+18,茅野\n", "utf-8")
    out = _import(settings, capsys, f)
    assert "id '1.86543E+18' was rounded by a spreadsheet: export that column as text" in out.err


def test_a_file_that_cannot_be_imported_says_why(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url)
    out = _import(settings, capsys, tmp_path / "missing.jsonl", code=2)
    assert f"kikimimi: {tmp_path / 'missing.jsonl'}: file not found" in out.err
    f = tmp_path / "nocol.csv"
    f.write_text("name,value\na,1\n", "utf-8")
    out = _import(settings, capsys, f, code=2)
    assert f"{f}:1: no text column in the header ['name', 'value']" in out.err
    assert stored(sqlite_url)["posts"] == []


def test_lines_in_neither_utf8_nor_cp932_are_reported_and_the_rest_kept(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url)
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(
        '{"id": "a", "text": "UTF-8の行"}\n'.encode()
        + '{"id": "b", "text": "CP932の行"}\n'.encode("cp932")
        + b'{"id": "c", "text": "\x80\x80\xff"}\n'
    )
    out = _import(settings, capsys, f)
    assert f"{f}:3: not UTF-8 or CP932 text; save the file as UTF-8" in out.err
    assert {p.text for p in stored(sqlite_url)["post_rows"]} == {"UTF-8の行", "CP932の行"}
