"""`kikimimi digest --preview`: the HTML a manager reads, checked in a real headless browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.cli import main
from tests.browser import ARTIFACTS, chromium, dialogs, require_chromium
from tests.conftest import write_settings
from tests.delivery.conftest import DAY, MYNUMBER, SCRIPT, engine_for, seed_day


def _preview(tmp_path: Path, db_url: str, capsys) -> str:  # noqa: ANN001
    settings = write_settings(
        tmp_path / "settings.toml", db_url, extra='[email]\nto = ["kouhou@city.chino.lg.jp"]\n'
    )
    seed_day(engine_for(db_url))
    out = tmp_path / "out.html"
    code = main(["--settings", str(settings), "digest", "--date", DAY.isoformat(), "--preview", str(out)])
    assert code == 0
    assert "プレビュー" in capsys.readouterr().err
    return out.read_text("utf-8")


def test_preview_writes_the_html_digest_without_sending(tmp_path: Path, db_url: str, capsys) -> None:  # noqa: ANN001
    page = _preview(tmp_path, db_url, capsys)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "2026年11月23日（月）" in page
    assert "<script" not in page and MYNUMBER not in page


def test_digest_without_options_prints_the_text(tmp_path: Path, sqlite_url: str, capsys) -> None:  # noqa: ANN001
    settings = write_settings(tmp_path / "settings.toml", sqlite_url)
    seed_day(engine_for(sqlite_url))
    assert main(["--settings", str(settings), "digest", "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: 【kikimimi】茅野市 日次レポート 11月23日")
    assert "■ 要対応のアラート" in out


def test_a_bad_date_names_the_format(tmp_path: Path, sqlite_url: str, capsys) -> None:  # noqa: ANN001
    settings = write_settings(tmp_path / "settings.toml", sqlite_url)
    assert main(["--settings", str(settings), "digest", "--date", "23/11/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.browser
def test_the_digest_reads_well_in_a_real_browser(tmp_path: Path, sqlite_url: str, capsys) -> None:  # noqa: ANN001
    require_chromium()
    page_file = tmp_path / "out.html"
    page_file.write_text(_preview(tmp_path, sqlite_url, capsys), encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 800, "height": 900})
        opened = dialogs(page)
        page.goto(page_file.as_uri())
        page.screenshot(path=str(ARTIFACTS / "digest.png"), full_page=True)
        body = page.inner_text("body")
        link = page.get_attribute("a[href*='?alert=']", "href")
        table_rows = page.locator("table tr").count()
    assert opened == []  # the post's <script> is shown as text, never run
    assert SCRIPT in body
    assert "日次レポート" in body and "要対応のアラート" in body and "取得に失敗している情報源" in body
    assert link.startswith("http://127.0.0.1:8501/?alert=")
    assert table_rows > 10
    assert (ARTIFACTS / "digest.png").stat().st_size > 20_000
