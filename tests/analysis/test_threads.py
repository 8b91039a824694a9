"""Thread-level signals: when hostile replies under an official post become a pile-on (clause 4(6))."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analysis.threads import (
    Baseline,
    ReplySignal,
    ThreadRules,
    baseline_of,
    onset,
    peak_hour,
    reply_signal,
    summarize,
    thread_finding,
)
from analysis.types import Evidence, Finding, PostText, Result

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
RULES = ThreadRules(min_replies=10)


def civil(i: int, minutes: float) -> ReplySignal:
    return ReplySignal(f"c{i}", f"resident{i}", T0 + timedelta(minutes=minutes))


def hostile(i: int, minutes: float, author: str | None = None, score: float = 0.7, threat: bool = False):
    return ReplySignal(
        f"h{i}",
        author or f"angry{i}",
        T0 + timedelta(minutes=minutes),
        hostility=score,
        threat=threat,
        snippet=f"返信{i}: 税金泥棒",
    )


def test_civil_criticism_under_a_post_is_not_a_pile_on():
    replies = [civil(i, i) for i in range(200)]
    stats = summarize(replies, RULES)
    assert stats.replies == 200 and stats.hostile == 0
    assert thread_finding(stats, Baseline(), RULES) is None


def test_one_angry_author_replying_many_times_is_not_a_pile_on():
    replies = [civil(i, i) for i in range(10)] + [hostile(i, 10 + i, author="same") for i in range(10)]
    stats = summarize(replies, RULES)
    assert stats.hostile == 10 and stats.hostile_authors == 1
    assert thread_finding(stats, Baseline(), RULES) is None


def test_too_few_replies_make_no_thread_alert_yet():
    replies = [hostile(i, i) for i in range(5)]
    assert thread_finding(summarize(replies, RULES), Baseline(), RULES) is None


def test_many_hostile_authors_make_one_thread_finding_with_reason_and_calm_advice():
    replies = [civil(i, i) for i in range(12)] + [hostile(i, 12 + i, score=0.5 + i / 100) for i in range(8)]
    f = thread_finding(summarize(replies, RULES), Baseline(), RULES)
    assert f is not None
    assert (f.kind, f.clause, f.severity) == ("thread", "4(6)", "medium")
    assert "返信20件のうち8件（40%）が攻撃的" in f.reason
    assert "8件" in f.reason  # distinct hostile authors
    assert "一度だけ" in f.action and "反論しない" in f.action and "静観" in f.action
    assert "警察" not in f.action  # no threat: no police step
    assert f.details["hostile_authors"] == 8 and f.details["replies"] == 20
    # the evidence is the most hostile replies, most hostile first, at most five
    assert len(f.evidence) == 5
    assert [r["post_id"] for r in f.details["top_replies"]] == ["h7", "h6", "h5", "h4", "h3"]
    assert f.evidence[0].text == "返信7: 税金泥棒"


def test_a_threat_in_the_thread_is_critical_and_the_advice_starts_with_the_police():
    replies = [civil(i, i) for i in range(10)] + [hostile(i, 10 + i) for i in range(3)]
    replies.append(hostile(99, 20, threat=True, score=0.95))
    f = thread_finding(summarize(replies, RULES), Baseline(), RULES)
    assert f.severity == "critical" and f.score >= 0.9
    assert f.action.startswith("1. ") and "警察" in f.action.splitlines()[0]
    assert "脅迫・害悪の告知にあたる返信が1件" in f.reason
    assert f.evidence[0].label == "threat"


def test_severity_grows_with_the_crowd():
    small = summarize([hostile(i, i) for i in range(4)] + [civil(i, i) for i in range(8)], RULES)
    big = summarize([hostile(i, i / 10) for i in range(12)] + [civil(i, i) for i in range(8)], RULES)
    huge = summarize([hostile(i, i / 100) for i in range(60)], RULES)
    assert [thread_finding(s, Baseline(), RULES).severity for s in (small, big, huge)] == [
        "medium",
        "high",
        "critical",
    ]


def test_replies_per_hour_are_compared_with_the_accounts_earlier_threads():
    # 300 replies within an hour, 10% hostile from 30 authors: a share too low on its own,
    # but the account's posts usually get at most ~10 replies an hour: a surge
    replies = [civil(i, i / 5) for i in range(270)] + [hostile(i, i) for i in range(30)]
    stats = summarize(replies, RULES)
    assert stats.peak_hour_replies == 300
    usual = baseline_of([8, 12, 10, 10])
    f = thread_finding(stats, usual, RULES)
    assert f is not None and f.details["rate_ratio"] == 30.0
    assert "約30.0倍" in f.reason
    # without a baseline the same thread is not (yet) called a pile-on at a 10% share
    assert thread_finding(stats, Baseline(), RULES) is None


def test_peak_hour_counts_a_sliding_hour_across_clock_hours():
    # 10 replies 09:40-09:59 and 10 at 10:00-10:19: 20 within one sliding hour
    replies = [civil(i, 40 + i * 2) for i in range(20)]
    assert summarize(replies, RULES).peak_hour_replies == 20
    buckets = {T0: 5, T0 + timedelta(hours=2): 7}
    assert peak_hour(buckets) == 7


def test_onset_is_the_reply_after_which_the_thread_is_a_pile_on():
    replies = [civil(i, i) for i in range(10)] + [hostile(i, 10 + i) for i in range(5)]
    started = onset(replies, Baseline(), RULES)
    # after 10 civil replies, the 3rd hostile author makes 13 replies, 3 hostile (23%)
    assert started == T0 + timedelta(minutes=12)
    assert onset([civil(i, i) for i in range(50)], Baseline(), RULES) is None


def test_reply_signal_reads_the_post_level_hostility_finding():
    post = PostText(
        id="7", text="お前ら税金泥棒だろ。覚えておけ", author="x", reply_to_official=True, created_at=T0
    )
    insult = Finding("hostility", "medium", 0.7, "4(6)", "侮辱", [Evidence(3, 7, "税金泥棒", "insult")])
    threat = Finding("hostility", "critical", 0.95, "4(6)", "脅迫", [], details={"category": "threat"})
    sig = reply_signal(post, Result(id="7", relevant=True, flags=[insult]))
    assert sig.hostile and not sig.threat and "税金泥棒" in sig.snippet and sig.hostility == 0.7
    sig = reply_signal(post, Result(id="7", relevant=True, flags=[insult, threat]))
    assert sig.threat and sig.hostility == 0.95
    assert not reply_signal(post, Result(id="7", relevant=True)).hostile
