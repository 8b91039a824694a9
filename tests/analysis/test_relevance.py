"""Is a post about the city? 茅野 the place vs 茅野 the surname, Chino CA, chino pants."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.evaluate import evaluate
from analysis.relevance import Relevance, is_relevant
from analysis.text import analyse_text

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CONFIG = AnalysisConfig()


def relevant(text: str, **kw) -> bool:
    post = PostText(id="t", text=text, **kw)
    return Relevance(CONFIG).judge(post, analyse_text(text))[0]


def test_reply_to_an_official_account_is_relevant_whatever_it_says():
    assert relevant("了解です", reply_to_official=True)
    assert not relevant("了解です")


@pytest.mark.parametrize(
    "text",
    [
        "茅野市の新しい図書館、いつ開館？",
        "茅野に引っ越して3年、冬の寒さに慣れない",
        "アホほど雪降ってる茅野",
        "茅野高校の文化祭",
        "ちのしの子育て支援センター",
        "ＣＨＩＮＯ　ＣＩＴＹの観光ポスター",
    ],
)
def test_the_city_named_as_a_place_is_relevant(text):
    assert relevant(text)


@pytest.mark.parametrize(
    "text",
    [
        "茅野さん、今日の資料ありがとうございました",
        "茅野先生の授業わかりやすい",
        "クラスの茅野くんがキャプテンになった",
        "茅野愛衣さんのラジオ最高",
        "かやのんこと茅野愛衣ちゃんの声に癒される",
        "茅野って苗字、珍しいよね",
    ],
)
def test_the_surname_is_not_the_city(text):
    assert not relevant(text)


def test_the_city_name_outweighs_a_voice_actress_in_the_same_post():
    assert relevant("茅野愛衣さんが茅野市の観光大使になったら最高")


@pytest.mark.parametrize(
    "text",
    [
        "I live in Chino, CA and the traffic is terrible",
        "Chino Hills High School graduation is tonight",
        "Chino City Council approves another warehouse, Inland Empire traffic will get worse",
        "New chino pants from Uniqlo",
        "チノパンにスニーカーで出勤",
        "Chinozoの新曲めっちゃいい",
    ],
)
def test_chino_california_and_chino_pants_are_not_the_city(text):
    assert not relevant(text)


def test_chino_with_nagano_is_the_city():
    assert relevant("Chino, Nagano: the town of the Jomon Venus")


@pytest.mark.parametrize(
    "text", ["蓼科高原でキャンプ", "白樺湖の花火大会", "奥蓼科の温泉", "ビーナスラインをドライブ"]
)
def test_places_in_the_city_are_relevant(text):
    assert relevant(text)


@pytest.mark.parametrize(
    "text", ["女神湖でスケート", "諏訪湖の花火", "車山さんの送別会", "うちのしごと終わらない"]
)
def test_neighbouring_places_surnames_and_words_that_contain_an_alias_are_not(text):
    assert not relevant(text)


def test_a_city_employees_account_is_in_scope_but_a_residents_is_not():
    assert relevant("来週の会議資料、まだ公表前", author_description="茅野市職員（観光課）。個人の見解です")
    assert not relevant("今日のうちの猫", author_description="茅野市在住。猫と暮らしてます")


def test_mentioning_or_being_an_official_account_is_relevant():
    config = replace(CONFIG, official_accounts=("x:chino_city_pr",))
    post = PostText(id="t", text="@Chino_City_PR 粗大ごみの予約が取れません")
    assert is_relevant(post, analyse_text(post.text), config)[0]
    own = PostText(id="t", text="本日の開庁時間のお知らせ", author="chino_city_pr")
    assert is_relevant(own, analyse_text(own.text), config)[0]


def test_irrelevant_posts_raise_no_alert_whatever_they_say():
    result = Analyzer(CONFIG).classify(PostText(id="t", text="大阪市長は辞めろ、死ね"))
    assert result.relevant is False and result.flags == []


def test_relevance_corpus_accuracy_is_at_least_95_percent():
    records = [
        json.loads(line) for name in ("relevance", "hostility") for line in open(CORPUS / f"{name}.jsonl")
    ]
    analyzer = Analyzer(CONFIG)
    for split in ("train", "dev"):
        report = evaluate([r for r in records if r["split"] == split], analyzer)
        print(f"relevance {split}: accuracy {report.relevance_accuracy:.3f} on {report.posts} posts")
    report = evaluate(records, analyzer)
    print(f"relevance all: accuracy {report.relevance_accuracy:.3f} on {report.posts} posts")
    wrong = report.relevance.false_positives + report.relevance.false_negatives
    assert report.relevance_accuracy >= 0.95, wrong
