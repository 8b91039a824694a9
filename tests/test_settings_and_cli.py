"""Settings validation and the CLI's verbs, as an operator meets them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from collector.cli import VERBS, main
from collector.settings import SettingsError, load_settings, parse_duration
from tests.conftest import classify_cli

REPO = Path(__file__).parent.parent


def test_repository_settings_file_is_valid_and_names_the_city():
    s = load_settings(REPO / "settings.toml")
    assert s.city.name == "茅野市"
    assert "茅野" in s.city.aliases
    assert any(src.role == "official" for src in s.sources)
    assert all(src.kind == "rss" for src in s.sources)  # the defaults need no account


def test_partial_file_takes_defaults_for_missing_tables(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('[leak]\nembargoed_terms = ["新庁舎移転"]\n', encoding="utf-8")
    s = load_settings(p)
    assert s.leak.embargoed_terms == ["新庁舎移転"]
    assert s.city.name == "茅野市"
    assert s.database.url.startswith("sqlite:///")
    assert s.analysis_config().embargoed_terms == ("新庁舎移転",)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[[sources]]\nname = "bsky"\nkind = "bluesky"\nbase_url = "bsky.app"\n',
            "base_url must start with http",
        ),
        ('[[sources]]\nname = "a"\nkind = "rss"\n', "needs url"),
        ('[[sources]]\nname = "a"\nkind = "facebook"\nurl = "https://x"\n', "kind: 'facebook' is not one of"),
        ('[[sources]]\nname = "a"\nkind = "rss"\nurl = "https://x"\ninterval = "often"\n', "interval"),
        ('[email]\nport = "25"\n', "[email].port must be int"),
        ('[email]\nsecurity = "tls"\n', "security must be"),
        ('[digest]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ('[city]\nalias = ["茅野"]\n', "unknown key 'alias'"),
        ("[citty]\n", "unknown table [citty]"),
        (
            '[[sources]]\nname = "a"\nkind = "rss"\nurl = "https://x"\n[[sources]]\nname = "a"\nkind = "rss"\nurl = "https://y"\n',
            "used twice",
        ),
    ],
)
def test_invalid_settings_name_file_key_and_fix(tmp_path, toml, expected):
    p = tmp_path / "bad.toml"
    p.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        load_settings(p)
    assert str(p) in str(e.value)
    assert expected in str(e.value)


def test_invalid_settings_stop_the_cli_with_one_clear_line(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text('[[sources]]\nname = "bsky"\nkind = "bluesky"\nbase_url = "ftp://x"\n', encoding="utf-8")
    assert main(["--settings", str(p), "status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad.toml" in err[0] and "[[sources]] #1 'bsky'" in err[0] and "base_url" in err[0]


def test_broken_toml_is_reported_with_its_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("[city\nname = 1", encoding="utf-8")
    with pytest.raises(SettingsError, match="broken.toml: not valid TOML"):
        load_settings(p)


def test_database_url_env_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KIKIMIMI_DATABASE_URL", "sqlite:///elsewhere.db")
    assert load_settings(REPO / "settings.toml").database.url == "sqlite:///elsewhere.db"


def test_settings_env_variable_picks_the_file(tmp_path, monkeypatch):
    p = tmp_path / "other.toml"
    p.write_text('[city]\nname = "諏訪市"\naliases = ["諏訪市"]\n', encoding="utf-8")
    monkeypatch.setenv("KIKIMIMI_SETTINGS", str(p))
    assert load_settings().city.name == "諏訪市"


def test_durations():
    assert parse_duration("30s") == 30
    assert parse_duration("5m") == 300
    assert parse_duration("1h") == 3600
    assert parse_duration("1d") == 86400


def test_help_lists_every_verb():
    out = subprocess.run(
        [sys.executable, "-m", "collector.cli", "--help"], capture_output=True, text=True
    ).stdout
    for verb in VERBS:
        assert verb in out


def test_init_creates_an_empty_sqlite_database_in_wal_mode(tmp_path, capsys):
    assert main(["init"]) == 0  # default settings: data/kikimimi.db in the working directory
    db = tmp_path / "data" / "kikimimi.db"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert {"post", "alert", "source", "officialstatement", "triageevent", "alembic_version"} <= tables
        assert conn.execute("select count(*) from post").fetchone()[0] == 0
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_classify_reads_stdin_and_writes_one_line_per_post_without_a_database(tmp_path):
    posts = [
        {"id": "a", "text": "茅野市役所の職員は無能な税金泥棒だ", "platform": "x", "unknown_key": 1},
        {"id": "b", "text": "チノパンを買った"},
        {"text": "茅野市の蓼科湖がきれい"},
    ]
    lines = [json.loads(x) for x in classify_cli(tmp_path, posts).splitlines()]
    assert [x["id"] for x in lines[:2]] == ["a", "b"]
    assert len(lines) == 3
    assert lines[0]["relevant"] is True
    assert any(f["kind"] == "hostility" for f in lines[0]["flags"])
    assert lines[1] == {"id": "b", "relevant": False, "flags": []}
    assert not (tmp_path / "data").exists()  # no database was needed


def test_import_twice_stores_once(tmp_path, capsys):
    f = tmp_path / "posts.jsonl"
    f.write_text(
        '{"id": "p1", "text": "茅野市の紅葉", "platform": "line"}\nnot json\n{"id": "p2", "text": "茅野駅"}\n',
        encoding="utf-8",
    )
    main(["import", str(f)])
    out = capsys.readouterr()
    assert "imported 2 new posts" in out.out
    assert "posts.jsonl:2: not JSON" in out.err
    main(["import", str(f)])
    assert "imported 0 new posts" in capsys.readouterr().out
