"""Misinformation the slot comparison of round one missed, and rumours with no statement at all.

Each probe corpus pairs with its own statements (tests/corpus/misinfo_probeN.jsonl with
misinfo_probeN_facts.jsonl): statements none of the word lists were written for, posts written
before the rules that now catch them, about half of them traps. The behaviour tests use
sentences of their own, not the corpora's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.engine import Analyzer
from analysis.evaluate import evaluate
from analysis.io import fact_from_json, parse_time
from analysis.types import AnalysisConfig, Fact, Finding, PostText

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _facts(name: str) -> list[Fact]:
    lines = (CORPUS / name).read_text("utf-8").splitlines()
    return [fact_from_json(json.loads(line), i) for i, line in enumerate(lines) if line.strip()]


P2 = Analyzer(AnalysisConfig(), _facts("misinfo_probe2_facts.jsonl"))
P3 = Analyzer(AnalysisConfig(), _facts("misinfo_probe3_facts.jsonl"))
P4 = Analyzer(AnalysisConfig(), _facts("misinfo_probe4_facts.jsonl"))
BARE = Analyzer(AnalysisConfig(), [])


def misinfo(analyzer: Analyzer, text: str, when: str, author_description: str = "") -> Finding | None:
    post = PostText(id="t", text=text, created_at=parse_time(when), author_description=author_description)
    result = analyzer.classify(post)
    assert result.relevant, text
    found = [f for f in result.flags if f.kind == "misinformation"]
    return found[0] if found else None


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_probe_corpora_against_their_own_statements(n: int):
    records = [
        json.loads(line) for line in (CORPUS / f"misinfo_probe{n}.jsonl").read_text("utf-8").splitlines()
    ]
    analyzer = Analyzer(AnalysisConfig(), _facts(f"misinfo_probe{n}_facts.jsonl"))
    score = evaluate(records, analyzer).kinds["misinfo"]
    assert score.f1 >= 0.85 and score.precision >= 0.9, (score.false_positives, score.false_negatives)


def test_the_whole_city_claimed_where_the_statement_names_two_districts():
    f = misinfo(P2, "台風で燃やせるごみの回収、茅野市内全域で金曜に変更らしい", "2026-11-03T08:00:00+09:00")
    assert f is not None and f.details["slot"] == "scope" and f.fact_id == "p2-gomi-furikae-2026"
    assert (
        misinfo(
            P2,
            "燃やせるごみ、玉川と豊平だけ6日に振替。ほかの地区はいつも通り #茅野",
            "2026-11-03T08:00:00+09:00",
        )
        is None
    )


def test_only_some_claimed_where_the_statement_includes_everyone():
    f = misinfo(
        P2, "循環バスの70歳以上無料、茅野市民限定で市外の人は対象外らしい", "2027-02-20T08:00:00+09:00"
    )
    assert f is not None and f.details["slot"] == "scope"


def test_a_length_or_an_end_differing_from_the_statement_is_a_contradiction():
    length = misinfo(P2, "縄文の湯の休館、2か月も続くらしい #茅野", "2026-12-25T08:00:00+09:00")
    assert length is not None and length.details["slot"] == "period"
    end = misinfo(P2, "縄文の湯、3月いっぱいまで閉まってるんだって #茅野", "2026-12-25T08:00:00+09:00")
    assert end is not None and end.details["slot"] == "date"
    same = "縄文の湯は1月29日まで休館、30日から営業だって #茅野"
    assert misinfo(P2, same, "2026-12-25T08:00:00+09:00") is None


def test_a_rise_is_compared_with_the_statements_rise_never_with_a_price():
    rate = misinfo(P2, "茅野市の粗大ごみ、来年度から3倍に値上げだって", "2026-12-05T08:00:00+09:00")
    assert rate is not None and rate.details["slot"] == "amount"
    size = "茅野の粗大ごみ手数料、4月から100円上がるって"
    assert misinfo(P2, size, "2026-12-05T08:00:00+09:00") is None


def test_a_price_said_of_a_group_is_judged_against_that_groups_price():
    f = misinfo(P2, "茅野の循環バス、中学生も4月から無料になるって", "2027-02-20T08:00:00+09:00")
    assert f is not None and f.fact_id == "p2-junkan-bus-2027"
    right = "茅野の循環バス、70歳以上は無料で中学生以下は100円だって"
    assert misinfo(P2, right, "2027-02-20T08:00:00+09:00") is None


def test_what_one_has_to_do_is_compared_with_what_the_statement_requires():
    f = misinfo(P3, "茅野市のがん検診、予約しないで当日行けば受けられるらしい", "2026-05-20T08:00:00+09:00")
    assert f is not None and f.fact_id == "p3-kenshin-2026"


def test_a_venue_the_statement_does_not_name_is_a_contradiction():
    f = misinfo(P2, "二十歳のつどいの会場、茅野市役所の大会議室になったって", "2026-12-20T08:00:00+09:00")
    assert f is not None and f.details["slot"] == "place"
    right = "二十歳のつどいは運動公園の総合体育館でやるって #茅野市"
    assert misinfo(P2, right, "2026-12-20T08:00:00+09:00") is None


def test_a_claim_quoted_to_be_corrected_is_not_misinformation():
    text = "粗大ごみ5割アップって書いてる人いるけど、300円が400円になるだけ #茅野市"
    assert misinfo(P2, text, "2026-12-05T08:00:00+09:00") is None


def test_an_alarming_claim_passed_on_is_a_rumour_with_no_statement_at_all():
    f = misinfo(
        BARE, "茅野の上川の橋が大雨で流されたらしい。車で行く人は気をつけて", "2026-07-20T08:00:00+09:00"
    )
    assert f is not None and f.details["kind"] == "rumour" and not f.confirmed
    seen = "大雨で上川の水かさがかなり増えてる。茅野の人は川に近づかないで"
    assert misinfo(BARE, seen, "2026-07-20T08:00:00+09:00") is None


def test_the_citys_doing_passed_on_without_a_source_is_a_rumour():
    facts = Analyzer(AnalysisConfig(), _facts("misinfo_probe3_facts.jsonl"))
    f = misinfo(facts, "茅野市が市営住宅の家賃を来年から倍にするらしい", "2026-06-10T08:00:00+09:00")
    assert f is not None and f.details["kind"] in ("rumour", "unsupported")
    cited = "茅野市の発表によると、市営住宅の募集は来月からだそうです"
    assert misinfo(facts, cited, "2026-06-10T08:00:00+09:00") is None
    shop = "噂だと茅野駅前に新しいパン屋ができるらしい。楽しみ"
    assert misinfo(facts, shop, "2026-06-10T08:00:00+09:00") is None


def test_staff_telling_inside_plans_are_left_to_the_leak_check():
    text = "来年度から公民館の利用料が上がるらしい。課内ではほぼ決まり #茅野市"
    assert misinfo(P4, text, "2026-12-10T08:00:00+09:00", "茅野市役所 生涯学習課") is None


def test_a_claim_in_one_sentence_of_a_post_mostly_about_something_else_is_still_checked():
    """The rules' reading (the model, which may overrule a weak match, is off here)."""
    text = "循環バス、子どもも無料になったんだって？ほんと茅野市役所の連中は何考えてんだか、毎日毎日バス待ちで寒いし最悪"
    rules = Analyzer(AnalysisConfig(model_enabled=False), _facts("misinfo_probe2_facts.jsonl"))
    f = misinfo(rules, text, "2027-02-20T08:00:00+09:00")
    assert f is not None and f.fact_id == "p2-junkan-bus-2027"


def test_a_warning_word_thrown_as_an_insult_does_not_hide_the_claim():
    text = "保育料タダとか言って申請しないともらえないとか詐欺じゃん #茅野市"
    f = misinfo(P3, text, "2027-01-22T08:00:00+09:00")
    assert f is not None and f.fact_id == "p3-hoikuryo-2027"
    assert (
        misinfo(P3, "茅野市をかたる電話は詐欺です。保育料の申請はいりません", "2027-01-22T08:00:00+09:00")
        is None
    )


def test_a_wild_animal_seen_passed_on_is_a_rumour():
    f = misinfo(BARE, "茅野の運動公園に熊が出たって！子ども連れは気をつけて", "2026-06-01T08:00:00+09:00")
    assert f is not None and f.details["kind"] == "rumour"
