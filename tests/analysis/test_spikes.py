"""Spikes (炎上の兆候): volume against its baseline, one alert per surge, explained in three lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from analysis.spikes import (
    ALL_TOPIC,
    SpikeRules,
    check_replies,
    check_volume,
    load_topics,
    same_surge,
    spike_finding,
    topics_of,
)

H = timedelta(hours=1)
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 15:00 UTC = 11/21 00:00 JST
RULES = SpikeRules(sensitivity=3.0, cooldown=timedelta(hours=6))
TOKYO = ZoneInfo("Asia/Tokyo")


def steady(per_hour: int, hours: int, end: datetime = NOW) -> dict[datetime, int]:
    return {end - H * h: per_hour for h in range(1, hours + 1)}


def test_an_hour_far_above_the_last_day_is_a_spike_explained_in_three_lines():
    hourly = steady(4, 48)
    hourly[NOW] = 60
    spike = check_volume("gomi", "ごみ・リサイクル", hourly, NOW, NOW - 48 * H, RULES)
    assert spike is not None and spike.trigger == "hour"
    assert spike.count == 60 and spike.baseline == 4.0 and spike.ratio == 15.0
    f = spike_finding(spike, TOKYO)
    lines = f.reason.splitlines()
    assert len(lines) == 3
    assert lines[0] == "「ごみ・リサイクル」に関する投稿が急増しています（11/21 00:00〜）。"
    assert "直近1時間で60件" in lines[1] and "4.0件" in lines[1] and "約15倍" in lines[1]
    assert "一度だけ説明" in lines[2]
    assert (f.kind, f.clause, f.severity) == ("spike", "4(6)", "high")
    assert f.details["window_start"] == NOW.isoformat()


def test_ordinary_ups_and_downs_are_not_spikes():
    hourly = {NOW - H * h: (3 if h % 2 else 9) for h in range(1, 49)}
    hourly[NOW] = 12  # twice the mean, not three times
    assert check_volume(ALL_TOPIC, "全体", hourly, NOW, NOW - 48 * H, RULES) is None


def test_sensitivity_setting_changes_what_counts_as_a_surge():
    hourly = steady(5, 30)
    hourly[NOW] = 20  # four times the baseline
    assert check_volume("all", "全体", hourly, NOW, NOW - 30 * H, RULES) is not None
    strict = SpikeRules(sensitivity=5.0)
    assert check_volume("all", "全体", hourly, NOW, NOW - 30 * H, strict) is None


def test_a_handful_of_posts_on_a_quiet_topic_is_not_a_spike():
    hourly = {NOW: 5}
    assert check_volume("suido", "水道", hourly, NOW, NOW - 48 * H, RULES) is None
    hourly[NOW] = 15  # enough posts where there are usually none
    spike = check_volume("suido", "水道", hourly, NOW, NOW - 48 * H, RULES)
    assert spike is not None
    assert "普段はほとんど投稿がない" in spike_finding(spike).reason.splitlines()[1]


def test_no_baseline_without_enough_history():
    hourly = {NOW - 2 * H: 1, NOW: 80}  # collection started two hours ago
    assert check_volume("all", "全体", hourly, NOW, NOW - 2 * H, RULES) is None


def test_a_day_far_above_the_week_is_a_spike_even_when_no_single_hour_is():
    hourly = steady(1, 24 * 8, NOW - 23 * H)  # a week of 24 posts a day
    for h in range(24):  # the last day: 5 an hour, 120 in all
        hourly[NOW - H * h] = 5
    spike = check_volume("kanko", "観光・イベント", hourly, NOW, NOW - 24 * 9 * H, RULES)
    assert spike is not None and spike.trigger == "day"
    assert spike.count == 120 and spike.baseline == 24.0
    assert "この24時間で120件" in spike_finding(spike).reason


def test_replies_to_an_official_post_against_the_accounts_earlier_threads():
    earlier = [6, 10, 8]
    spike = check_replies("replies:bluesky:o1", "ごみ袋の価格改定", 90, NOW, earlier, RULES)
    assert spike is not None and spike.subject == "replies" and spike.ratio == 11.25
    lines = spike_finding(spike, TOKYO).reason.splitlines()
    assert "返信が急増" in lines[0] and "ごみ袋の価格改定" in lines[0]
    assert "返信は90件" in lines[1] and "過去3件" in lines[1]
    assert check_replies("replies:x", "x", 20, NOW, earlier, RULES) is None
    assert check_replies("replies:x", "x", 90, NOW, [5], RULES) is None  # too few earlier threads


def test_cooldown_makes_one_surge_one_alert():
    cooldown = timedelta(hours=6)
    last = NOW - 2 * H
    assert same_surge(last, NOW, cooldown)  # still the same surge two hours on
    assert not same_surge(last, NOW + 5 * H, cooldown)  # quiet for 7 hours: a new surge
    assert not same_surge(None, NOW, cooldown)


def test_posts_are_counted_under_every_topic_they_mention():
    topics = load_topics()
    assert topics_of("茅野市のゴミ袋が値上げ", topics) == ["all", "gomi", "zeikin"]
    assert topics_of("ＢＵＳ停で茅野市の話", topics) == ["all"]
    assert topics_of("茅野駅前のバスが遅れている", topics) == ["all", "kotsu"]
