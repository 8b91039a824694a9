"""Bluesky and Mastodon sources that fail (5xx, 429, timeout, garbage) are recorded; the others collect."""

from __future__ import annotations

import time

from tests.collectors.bsky_fake import CITY, CITY_DID, FakeBluesky, Person, node, post_view
from tests.collectors.mastodon_fake import Account, FakeMastodon
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import write_settings
from tests.localserver import LocalServer, Response

RESIDENT_B = Person("did:plc:r3s1dent2b4d6f8h2k4m6p8r", "resident.bsky.social")
CITY_M = Account("117025600270510000", "chino_city", display_name="茅野市")
RESIDENT = Account("117025600270519001", "yamada", display_name="山田")

FAULTS = {
    "5xx": Response(503, "<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"}),
    "garbage": Response(200, b'{"profiles": [\x00\x01 not json', {"Content-Type": "application/json"}),
    "429": Response(
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(time.time()) + 3600),
            "ratelimit-policy": "3000;w=300",
        },
    ),
    "timeout": Response(200, {"profiles": []}, delay=2.0),
}
M_FAULTS = {
    "5xx": Response(502, "Bad Gateway"),
    "garbage": Response(200, "<!DOCTYPE html><html>maintenance</html>", {"Content-Type": "text/html"}),
    "429": Response(
        429,
        {"error": "Too many requests"},
        {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2099-01-01T00:00:00.000Z",
        },
    ),
    "timeout": Response(200, {"id": "1"}, delay=2.0),
}


def _block(name: str, kind: str, base: str, keys: str) -> str:
    return f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nbase_url = "{base}"\ninterval = "5m"\n{keys}\n'


def test_failing_platform_sources_are_recorded_while_the_others_collect(tmp_path, db_url, server, capsys):
    bsky = FakeBluesky(server)
    official = post_view(CITY, "3lbfaultpost1", "【お知らせ】図書館の休館日", 50, reply_count=1)
    reply = post_view(
        RESIDENT_B, "3lbfaultrep01", "何日までですか", 40, parent=official["uri"], root=official["uri"]
    )
    bsky.people.append(RESIDENT_B)
    bsky.feeds[CITY_DID] = [[{"post": official}]]
    bsky.threads[official["uri"]] = node(official, [node(reply)])
    good_m = LocalServer()
    mstdn = FakeMastodon(good_m)
    mstdn.account(CITY_M)
    mstdn.account(RESIDENT)
    mstdn.status("117026300000000001", CITY_M, "<p>図書館の休館日</p>", 50)
    mstdn.status("117026300000000002", RESIDENT, "<p>了解です</p>", 40, reply_to="117026300000000001")
    bad = LocalServer()
    blocks = [
        _block("bsky", "bluesky", server.url(""), f'accounts = ["{CITY.handle}"]'),
        _block("mstdn", "mastodon", mstdn.base, 'accounts = ["chino_city"]'),
    ]
    for fault in FAULTS:
        bad.add(f"/b{fault}/xrpc/app.bsky.actor.getProfiles", FAULTS[fault])
        blocks.append(
            _block(f"bsky-{fault}", "bluesky", bad.url(f"/b{fault}"), f'accounts = ["{CITY.handle}"]')
        )
        bad.add(f"/m{fault}/api/v1/accounts/lookup", M_FAULTS[fault])
        blocks.append(
            _block(f"mstdn-{fault}", "mastodon", bad.url(f"/m{fault}"), 'accounts = ["chino_city"]')
        )
    settings = str(write_settings(tmp_path / "s.toml", db_url, "\n".join(blocks), timeout=0.5))
    try:
        out = collect(settings, capsys)
        assert "bsky: ok new_posts=2" in out and "mstdn: ok new_posts=2" in out
        health = status(settings, capsys)
        for fault in FAULTS:
            for name in (f"bsky-{fault}", f"mstdn-{fault}"):
                assert health[name]["last_result"] == "error", name
                assert health[name]["consecutive_failures"] == 1 and health[name]["last_error"], name
        assert "503" in health["bsky-5xx"]["last_error"] and "502" in health["mstdn-5xx"]["last_error"]
        assert "not JSON" in health["bsky-garbage"]["last_error"]
        assert "not JSON" in health["mstdn-garbage"]["last_error"]
        assert health["bsky-429"]["last_status"] == 429 and health["mstdn-429"]["last_status"] == 429
        assert health["bsky-429"]["next_run_at"] > health["bsky"]["next_run_at"]
        assert "timeout" in health["bsky-timeout"]["last_error"]
        assert "timeout" in health["mstdn-timeout"]["last_error"]

        # the failing sources recover: their posts arrive once, the good ones add nothing twice
        for fault in FAULTS:
            bad.add(f"/b{fault}/xrpc/app.bsky.actor.getProfiles", bsky._profiles)
            bad.add(f"/b{fault}/xrpc/app.bsky.feed.getAuthorFeed", bsky._author_feed)
            bad.add(f"/b{fault}/xrpc/app.bsky.feed.getPostThread", bsky._thread)
        out = collect(settings, capsys)
        assert "bsky-5xx: ok new_posts=0" in out  # the same posts as "bsky": stored once
        assert len(stored_posts(db_url, "bluesky")) == 2 and len(stored_posts(db_url, "mastodon")) == 2
    finally:
        bad.close()
        good_m.close()
