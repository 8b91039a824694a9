"""Is a post about the city? 茅野 the place vs 茅野 the surname, Chino CA, chino pants."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.evaluate import evaluate
from analysis.io import fact_from_json
from analysis.relevance import Relevance, is_relevant
from analysis.text import analyse_text
from analysis.types import Fact

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CONFIG = AnalysisConfig()
FACTS = [
    fact_from_json(json.loads(line), i)
    for i, line in enumerate(open(CORPUS / "facts.jsonl", encoding="utf-8"))
]
WITH_FACTS = Relevance(CONFIG, FACTS)


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


@pytest.mark.parametrize("text", ["Chino市役所に行った", "c h i n o 市 の 職 員"])
def test_chino_written_with_shi_is_the_city_even_spaced_out(text):
    assert relevant(text)
    assert not relevant("Chino Hills市の話")  # California, whatever follows


@pytest.mark.parametrize(
    "text",
    [
        "蓼科高原でキャンプ",
        "白樺湖の花火大会",
        "奥蓼科の温泉",
        "ビーナスラインをドライブ",
        "のらざあの予約、朝いちで埋まってた",  # the city's on-demand bus
        "青柳駅のあたり、朝は霧で何も見えない",
    ],
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
    analyzer = Analyzer(CONFIG, FACTS)
    for split in ("train", "dev"):
        report = evaluate([r for r in records if r["split"] == split], analyzer)
        print(f"relevance {split}: accuracy {report.relevance_accuracy:.3f} on {report.posts} posts")
    report = evaluate(records, analyzer)
    print(f"relevance all: accuracy {report.relevance_accuracy:.3f} on {report.posts} posts")
    wrong = report.relevance.false_positives + report.relevance.false_negatives
    assert report.relevance_accuracy >= 0.95, wrong


def relevant_with_facts(text: str) -> tuple[bool, str]:
    return WITH_FACTS.judge(PostText(id="t", text=text), analyse_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "宮川地区の断水、給水車はどこに来るの？",  # a district and a topic of the city's statement
        "のらざあの運賃が400円に上がるのか",  # the statement's words and amount
        "上川河川敷の花火、16日に延期だって",
        "北山の芹ケ沢でクマを見たって人がいた",
    ],
)
def test_a_post_on_a_topic_of_the_citys_statements_is_relevant_without_its_name(text):
    ok, why = relevant_with_facts(text)
    assert ok, why
    assert "市" in why  # the reason says which evidence: a district, a statement


@pytest.mark.parametrize(
    "text",
    [
        "諏訪湖の花火大会、有料観覧席が2,000円だって",  # same topic, but another town named
        "岡谷市で断水、給水車が来てた",
        "原村の図書館が蔵書点検で休館",
        "図書館で勉強してきた",  # one ordinary word in common is no topic
        "花火大会たのしかった",
        "二子玉川でランチ",  # a district's name inside another place's
        "北山の紅葉がきれい",  # a district name shared with other towns, alone
        "宮川さんちの犬、かわいい",
    ],
)
def test_shared_words_do_not_make_a_post_about_another_place_relevant(text):
    ok, why = relevant_with_facts(text)
    assert not ok, why


def test_places_and_events_only_the_city_has_are_enough_alone():
    assert relevant("御射鹿池の新緑がきれい")
    assert relevant("どんばんの踊りの練習")
    assert relevant("湖東地区の公民館で防災訓練")  # a district as such (地区)
    assert not relevant("湖東の田んぼ")


def test_what_the_citys_statements_call_their_own_counts_as_its_place():
    fact = Fact(
        id="f", title="こいのぼりフェスタ", text="第10回茅野市こいのぼりフェスタを5月5日に開催します。"
    )
    judge = Relevance(CONFIG, [fact])
    post = PostText(id="t", text="こいのぼりフェスタ、今年も行く")
    assert judge.judge(post, analyse_text(post.text))[0]


@pytest.mark.parametrize("text", ["ﾁﾉｼ の広報誌が届いた", "チノシの子育て支援", "ちの市の図書館"])
def test_the_citys_name_in_kana_readings_is_relevant(text):
    assert relevant(text)


@pytest.mark.parametrize(
    "text",
    ["茅野カナタの新刊、作画が神", "茅野セイラが今期のアニメで一番好き", "Chino Hills の図書館が休館中"],
)
def test_fictional_characters_and_chino_hills_are_not_the_city_even_with_a_shared_topic(text):
    assert not relevant_with_facts(text)[0]


def test_the_bare_name_without_a_person_reading_is_the_place():
    assert relevant("茅野は春が遅いけど、やっと桜が咲いた")
    assert relevant("隣の市で不祥事だって。茅野は大丈夫かな")


OTHER_FACTS = [
    fact_from_json(json.loads(line), i)
    for i, line in enumerate(
        open(CORPUS.parent / "fixtures" / "relevance" / "facts_other_topics.jsonl", encoding="utf-8")
    )
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ちの夏フェスタ、今年は駅の東口なんだ。雨なら市民館に変更らしい", True),
        ("夏フェスタ入場無料って太っ腹", True),
        ("米沢3号線、夜8時から通行止めだって。迂回しなきゃ", True),
        ("塩沢交差点のとこ、夜間工事で通れなくなるのか", True),
        ("泉野の停電、6/3の午前中だけか。冷蔵庫どうしよ", True),
        ("粗大ごみの手数料、500円から700円に上がるの地味に痛い", True),
        ("児童クラブの申請、2/20までか。オンラインでもできるのは助かる", True),
        ("豊平でシカ増えてるらしい。夜の運転こわい", True),
        ("マイナンバーカードの休日窓口、日曜にやってくれるのありがたい", True),
        ("湖東小の体育館、改修で年末まで使えないんだって。バレーの練習どうしよう", True),
        ("岡谷の夏フェス、今年もすごい人", False),
        ("伊那市で停電、信号止まってた", False),
        ("富士見町の粗大ごみ、手数料上がるらしい", False),
        ("米沢牛食べたい", False),
        ("泉野さんの新刊出てた", False),
        ("豊平川の花火、札幌いいなあ", False),
        ("東京のマイナンバー窓口、日曜も混んでた", False),
        ("湖東ってどこ？滋賀？", False),
        ("夏フェスのチケット当たった！幕張", False),
        ("児童クラブの先生、うちの子がお世話になってます（大阪）", False),
    ],
)
def test_statements_on_topics_never_seen_in_development_tie_posts_to_the_city(text, expected):
    judge = Relevance(CONFIG, OTHER_FACTS)
    ok, why = judge.judge(PostText(id="t", text=text), analyse_text(text))
    assert ok == expected, why


def test_a_person_word_in_another_sentence_does_not_make_the_name_a_surname():
    assert relevant("名札が苗字だけになった店が多いね。茅野もそうなってた")
    assert not relevant("茅野って苗字、珍しいよね")


@pytest.mark.parametrize(
    "text",
    [
        "市役所の駐車場、昼はいつも満車",
        "市長の会見、何も決まってないってことか",
        "市の職員ってなんでこんなに偉そうなの",
        "市のLINEでごみの日の通知が来る",
        "税務課に電話したら丁寧だった",
        "うちの市、ふるさと納税の返礼品しょぼい",
        "役所の手続き、書く紙多すぎ",
        "総理も市長も辞めろ",  # the national government named, but 市長 is the city's
        "県知事と市長が視察に来てた",  # the prefecture is no other place
        "長野県内で一番古いのがうちの市役所らしい",
    ],
)
def test_the_administration_named_without_the_city_is_the_citys(text):
    ok, why = relevant_with_facts(text)
    assert ok and "市" in why, why  # by its civic words, or a statement on the same topic


@pytest.mark.parametrize(
    "text",
    [
        "金沢市の市役所、建て替えるらしい",  # a district name of ours, but 金沢市 is Kanazawa
        "諏訪市の市長、また視察",
        "岡谷の市役所は駐車場が広い",
        "長野市役所の食堂がうまい",
        "長野の市役所って駅から遠い",  # 長野 owning the office is the city of Nagano
        "大阪の市長は辞めろ",
        "ニューヨーク市長の演説",
        "ソウルの市役所前の広場",
        "横浜の区役所で転入届",
        "富士見町役場の前で事故",
        "原村の村長が再選",
        "都庁の職員は残業が多い",
        "隣の市の市長、また不祥事",
        "実家の市役所から成人式の案内",
        "全国の市役所でシステム障害",
        "韓国の役所はオンラインで全部できる",
        "県の観光課に問い合わせた",
        "Chino Hills の市役所みたいな建物",
    ],
)
def test_the_administration_of_another_place_is_not_the_citys(text):
    ok, why = relevant_with_facts(text)
    assert not ok, why


@pytest.mark.parametrize(
    "text",
    [
        "政府も役所も国民のことを考えてない",  # generic words in a post about national government
        "日本の役所はなぜFAXなのか",
        "政府は市民の声を聞け",
        "一般市民には関係ない",  # 市民 inside a longer word
        "市民ランナーが自己ベスト",
        "都市伝説はだいたい嘘",
        "朝市で野菜を買った",
        "県知事の会見は雪対策の話",  # the prefecture alone is not the city
        "会社の総務課は電話が鳴りっぱなし",
    ],
)
def test_words_that_only_look_municipal_are_not_the_city(text):
    ok, why = relevant_with_facts(text)
    assert not ok, why


@pytest.mark.parametrize(
    "text",
    [
        "茅野さんが市役所に転職したらしい",  # the surname: the post is about a person
        "茅野愛衣さん、市長役の声が最高",
        "Chino, CA の市議会、また倉庫を承認",
        "チノパンで市の面接に行ったらLAの友達に笑われた",
    ],
)
def test_the_surname_and_chino_california_stay_irrelevant_with_a_civic_word(text):
    ok, why = relevant_with_facts(text)
    assert not ok, why


def test_the_citys_features_count_unless_a_neighbour_is_named():
    assert relevant("八ヶ岳おろしで自転車が進まない")
    assert relevant("御柱まであと二年")
    assert relevant("寒天干しの景色が好き")
    assert relevant("諏訪中央病院で検査してきた")  # in the city, despite its 諏訪
    assert not relevant("御柱祭の木落しを下諏訪で見た")
    assert not relevant("八ヶ岳おろしは北杜でも吹く")
    assert not relevant("諏訪赤十字病院で検査してきた")


def test_a_river_or_district_with_a_feature_after_no_is_the_city():
    assert relevant("上川の水位が上がってきた")
    assert relevant("宮川の消防団の詰所")
    assert not relevant("伊勢の宮川、水位がやばい")
    assert not relevant("北山の紅葉がきれい")


def test_the_longer_suffix_decides_between_place_and_person():
    assert not relevant("バイト先の茅野店長がうざい")
    assert relevant("茅野の図書館で借りた漫画")  # 漫画 leans to a person, の図書館 is the place


def test_a_claim_passed_on_about_a_statements_subject_is_relevant():
    ok, why = relevant_with_facts("プール、雨の日は休みになるらしい")
    assert ok and "伝聞" in why, why
    assert not relevant_with_facts("プールで泳いだら筋肉痛")[0]  # no claim
    assert not relevant_with_facts("東京の友達の学校も学級閉鎖らしい")[0]  # another place


@pytest.mark.parametrize(
    "text, expected",
    [
        ("クソ市長さっさと辞めろ", True),  # glued to an ordinary word: still the city's mayor
        ("脳死市政ここに極まれり", True),
        ("昨日市役所で住民票とってきた", True),
        ("新庁舎の見学会に行った", True),
        ("ニューヨーク市長選の結果", False),  # glued to a place: that city's
        ("各市の担当者が集まって研修", False),  # a word of scope
        ("県議会の中継を見た", False),  # one word: the prefecture's assembly
        ("地球市民として考えたい", False),
    ],
)
def test_a_civic_word_glued_to_the_word_before_is_judged_on_sudachis_words(text, expected):
    ok, why = relevant_with_facts(text)
    assert ok == expected, why


@pytest.mark.parametrize(
    "text, expected",
    [
        ("税金で食ってるくせに窓口の対応ひどすぎ", True),
        ("血税で飲み会してる職員、全員処分しろ", True),
        ("窓口の人、感じ悪かった", False),  # a servant alone: a bank, a shop, a hospital
        ("銀行の窓口で税金を払った", False),  # the bank owns the counter
        ("国会議員は税金泥棒、職員もグル", False),  # the national government
    ],
)
def test_a_public_servant_and_public_money_together_are_the_citys(text, expected):
    ok, why = relevant_with_facts(text)
    assert ok == expected, why


def test_the_latin_name_inside_a_password_or_an_address_names_no_one():
    assert relevant("庁舎のWi-Fi、パスワードがchino1234のまま")
    assert relevant("予約の変更は chino.taro@example.jp まで。市民館の和室の件です")
    assert not relevant("New chino pants, 市民プールに履いていく")  # the trousers, as a word


@pytest.mark.parametrize(
    "text",
    [
        "ドラマの市長役がかっこいい",
        "引っ越し先の市役所で転入届",
        "都民だけど市役所ってどこも同じ",
        "アメリカ大統領と市長が会談",
    ],
)
def test_fiction_a_new_home_and_other_countries_are_not_the_citys_administration(text):
    assert not relevant(text)


def test_a_claim_followed_by_a_conjunction_is_still_a_claim():
    ok, why = relevant_with_facts("ツキノワグマ見たって話だから山菜採りは気をつけて")
    assert ok and "伝聞" in why, why
    assert not relevant_with_facts("ツキノワグマのぬいぐるみ、素晴らしい")[0]  # an adjective, no claim


@pytest.mark.parametrize(
    ("profile", "text"),
    [
        (
            "市職員",
            "今日の課内会議で決まったけど、来年度から地区の集会所を三つ閉じる方向。まだ外には出せない話",
        ),
        ("市役所で働いてます", "窓口に来た上原の鈴木さん、生活保護の申請で来たけど持ち家があるから厳しそう"),
        (
            "保育士（市立保育園）",
            "年長の田中さんちの子、家庭のことで児童相談所と連絡を取り合ってる。かわいそう",
        ),
    ],
)
def test_a_leak_from_an_account_that_says_it_works_for_a_municipality_is_in_scope(profile, text):
    """A profile that says 市職員 without naming a town: what it leaks from work is the city's."""
    result = Analyzer().classify(PostText(id="p", text=text, author_description=profile))
    assert result.relevant
    assert "leak" in {f.kind for f in result.flags}


@pytest.mark.parametrize(
    ("profile", "text"),
    [
        ("市職員", "新作のRPG、ラスボスが強すぎて三日目。週末に再挑戦する"),  # nothing from work
        (
            "長野市職員",
            "窓口に来た鈴木さん、生活保護の申請で来たけど持ち家があるから厳しそう",
        ),  # another city's
        (
            "市職員",
            "松本の窓口に来た鈴木さん、生活保護の申請で来たけど持ち家があるから厳しそう",
        ),  # another place
    ],
)
def test_a_staff_profile_alone_or_another_towns_staff_is_not_the_city(profile, text):
    assert not Analyzer().classify(PostText(id="p", text=text, author_description=profile)).relevant
