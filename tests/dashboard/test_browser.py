"""The dashboard in a real browser: `kikimimi demo` data, a triage change that survives a reload, hostile HTML inert.

Drives Debian's Chromium (/usr/bin/chromium) headless through Playwright; never downloads a browser.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from collector.db import make_engine, session_scope
from collector.store import Alert, Post
from dashboard.queries.alerts import QueueFilter, load_queue
from tests.browser import ARTIFACTS, chromium, dialogs, require_chromium
from tests.conftest import kikimimi_command, write_settings

pytestmark = pytest.mark.browser

NASTY = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> '
    "[click](javascript:alert(1)) &lt;b&gt;太字&lt;/b&gt; 茅野市の水道は危ない"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    yield from _serve(tmp_path)


@pytest.fixture
def served_with_password(tmp_path: Path) -> Iterator[tuple[str, str]]:
    yield from _serve(tmp_path, password="茅野-kikimimi-2026")


def _serve(tmp_path: Path, password: str | None = None) -> Iterator[tuple[str, str]]:
    """`kikimimi demo --no-serve` into a temp database, one hostile-HTML post added, then `kikimimi dashboard`."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = write_settings(tmp_path / "settings.toml", url)
    kikimimi = [*kikimimi_command(), "--settings", str(settings)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIKIMIMI_")}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [*kikimimi, "demo", "--database", url, "--no-serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"kikimimi demo failed ({done.returncode}):\n{done.stderr[-3000:]}")
    engine = make_engine(url)
    with session_scope(engine) as s:
        post = Post(
            platform="mastodon",
            external_id="xss-1",
            url="https://mstdn.jp/@troll/1",
            author="troll@mstdn.jp",
            author_description='<b onmouseover="alert(2)">bio</b>',
            text=NASTY,
            language="ja",
        )
        s.add(post)
        s.flush()
        s.add(
            Alert(
                dedupe_key="misinformation:xss",
                post_id=post.id,
                kind="misinformation",
                severity="critical",
                severity_rank=3,
                score=0.9,
                clause="4(7)⑤",
                reason="水道水についての誤情報の可能性があります。",
            )
        )
    engine.dispose()
    if password:
        env["KIKIMIMI_DASHBOARD_PASSWORD"] = password
    port = _free_port()
    proc = subprocess.Popen(
        [*kikimimi, "dashboard", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the dashboard did not start within 60 s")
            time.sleep(0.3)
        yield base, url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture
def browser_page(served):  # noqa: ANN001, ANN201
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
        page.dialogs = dialogs(page)
        yield page


def _wait_ready(page) -> None:  # noqa: ANN001
    page.wait_for_selector('[data-testid="stApp"]', timeout=30000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
    page.wait_for_timeout(500)


def test_triage_in_the_browser_survives_a_reload(served, browser_page):
    base, url = served
    page = browser_page
    engine = make_engine(url)
    first_page = load_queue(engine, QueueFilter(), 0, 20).rows  # what the queue shows first
    target = next((r for r in first_page if r.kind == "hostility"), None)
    assert target is not None, "the demo raises hostility alerts"
    page.goto(base)
    _wait_ready(page)
    page.get_by_role("heading", name="アラート").first.wait_for()
    page.get_by_text("件中").first.wait_for(timeout=30000)
    page.locator(f'a[href$="alert={target.id}"]').first.wait_for(timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "dashboard-queue.png"))
    page.locator(f'a[href$="alert={target.id}"]').first.click()
    page.get_by_role("heading", name=f"#{target.id} 攻撃的投稿").wait_for(timeout=30000)
    _wait_ready(page)
    page.get_by_label("あなたの名前（対応履歴に記録）").fill("広報 佐藤")
    page.get_by_label("あなたの名前（対応履歴に記録）").press("Enter")
    _wait_ready(page)
    form = page.locator('[data-testid="stForm"]').filter(has_text="メモ")
    select = form.locator('[data-testid="stSelectbox"]')
    form.get_by_role("button", name="保存").scroll_into_view_if_needed()
    select.click()
    page.get_by_role("option", name="対応中").click()
    form.get_by_label("メモ").fill("環境課に確認中。説明資料を準備する。")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました: 状態、メモ").wait_for(timeout=30000)

    page.reload()
    _wait_ready(page)
    page.get_by_role("heading", name=f"#{target.id} 攻撃的投稿").wait_for(timeout=30000)
    assert page.get_by_text("状態 対応中").count() >= 1
    history = page.get_by_text("広報 佐藤　メモ: — → 環境課に確認中。説明資料を準備する。")
    history.wait_for(timeout=30000)
    assert page.get_by_text("広報 佐藤　状態: 新規 → 対応中").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-alert.png"))
    history.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard-alert-history.png"))
    with Session(engine) as s:
        assert s.get(Alert, target.id).status == "in_progress"
    engine.dispose()


def test_hostile_html_in_a_post_shows_as_text_and_runs_nothing(served, browser_page):
    base, url = served
    page = browser_page
    engine = make_engine(url)
    with Session(engine) as s:
        alert_id = s.exec(select(Alert.id).where(Alert.dedupe_key == "misinformation:xss")).one()
    engine.dispose()
    page.goto(base)
    _wait_ready(page)
    page.get_by_text(NASTY).first.wait_for(timeout=30000)  # the queue shows it as text
    page.goto(f"{base}/alert?alert={alert_id}")
    _wait_ready(page)
    page.get_by_role("heading", name=f"#{alert_id} 誤情報・噂").wait_for(timeout=30000)
    body = page.locator(".kk-post").first
    assert body.inner_text() == NASTY  # literally, entities included
    assert page.get_by_text('<b onmouseover="alert(2)">bio</b>').count() == 1
    page.mouse.move(300, 300)
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("[data-testid='stMain'] script").count() == 0
    assert page.locator(".kk-post b").count() == 0
    page.screenshot(path=str(ARTIFACTS / "dashboard-untrusted-text.png"), full_page=True)


def test_incident_view_of_the_demo_pile_on(served, browser_page):
    base, url = served
    page = browser_page
    page.goto(f"{base}/incident")
    _wait_ready(page)
    page.get_by_role("heading", name="10分ごとの投稿数").wait_for(timeout=30000)
    posts = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="投稿数")
        .locator('[data-testid="stMetricValue"]')
    )
    assert posts.inner_text() == "20 件"  # the demo's replies under the city's post
    page.wait_for_timeout(1500)  # charts draw
    page.screenshot(path=str(ARTIFACTS / "dashboard-incident.png"))
    page.locator('[data-testid="stRadio"] label').filter(has_text="検索語").click()
    term = page.get_by_role("textbox", name="検索語")
    term.fill("水道水")
    term.press("Enter")
    page.get_by_text("件・投稿者").first.wait_for(timeout=30000)
    page.get_by_role("heading", name="繰り返された主張（似た投稿のまとまり）").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard-incident-claims.png"))


@pytest.fixture
def password_page(served_with_password):  # noqa: ANN001, ANN201
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ja-JP")


def test_deep_links_ask_for_the_login_first(served_with_password, password_page):
    base, _ = served_with_password
    page = password_page
    for path in ("/incident", "/alert?alert=1", "/facts", "/"):
        page.goto(base + path)
        _wait_ready(page)
        page.get_by_role("button", name="ログイン").wait_for(timeout=30000)
        assert page.get_by_text("税金泥棒").count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
    page.get_by_label("名前（対応履歴に記録されます）").fill("広報 佐藤")
    page.get_by_label("パスワード").fill("茅野-kikimimi-2026")
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text("ログイン中: 広報 佐藤").wait_for(timeout=30000)
