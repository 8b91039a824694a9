"""Hostility (clause 4(6)): aggression is flagged, criticism is heard, idioms are not read literally."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.detectors.base import Context
from analysis.detectors.hostility import HostilityDetector
from analysis.detectors.hostility_lexicon import DIR, LexiconError, load
from analysis.evaluate import evaluate
from analysis.text import analyse_text
from analysis.train import held_back
from tests.conftest import classify_cli

TESTS = Path(__file__).resolve().parents[1]
ANALYZER = Analyzer(AnalysisConfig())


def hostility(text: str, reply: bool = True):
    """The hostility finding for a reply to the city's account (or a mention), or None."""
    result = ANALYZER.classify(PostText(id="t", text=text, reply_to_official=reply))
    found = [f for f in result.flags if f.kind == "hostility"]
    return found[0] if found else None


@pytest.mark.parametrize(
    "text",
    [
        "対応が遅すぎる、改善してほしい",
        "この政策には反対です",
        "説明不足では？",
        "窓口の対応が不親切でした。改善をお願いします",
        "予算の無駄遣いでは？もっと優先すべきことがあるはず",
        "市長の答弁には納得できません。再検討を求めます",
        "最悪の対応でした。二度と行きたくない",
        "いい加減にしてほしい。何度電話しても繋がらない",
    ],
)
def test_civil_criticism_is_not_hostile(text):
    assert hostility(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "殺人的な暑さ、茅野でもこれか…",
        "白樺湖、鬼のように混んでた",
        "蓼科の景色、えぐいくらい良い",
        "茅野駅前の蕎麦屋、死ぬほど美味しかった",
        "やばい、車山の星空やばすぎる✨",
        "ビーナスラインの紅葉、バカみたいに綺麗だった",
        "クソ寒い茅野の朝",
        "茅野のデカ盛り定食、量が殺しにきてる",
    ],
)
def test_idioms_and_intensifiers_are_not_read_literally(text):
    assert hostility(text, reply=False) is None


def test_murderous_heat_is_an_idiom():
    assert hostility("殺人的な暑さで市役所の窓口も大変そう") is None


@pytest.mark.parametrize(
    "text, subtype",
    [
        ("ぶっ殺すぞマジで", "violence"),
        ("市役所燃やしたろか", "arson"),
        ("明日茅野市役所にガソリン持っていくわ", "arson"),
        ("庁舎ごと爆破してやる", "bomb"),
        ("広報の中の人、住所特定したから晒すわ", "exposure"),
        ("みんなで茅野市役所に電凸しよう", "calls"),
        ("なめとんのか茅野市、しばくぞ", "violence"),
    ],
)
def test_threats_are_critical(text, subtype):
    f = hostility(text)
    assert f is not None and f.severity == "critical"
    assert f.details["category"] == "threat" and subtype in f.details["subtypes"]
    assert "警察" in f.action


@pytest.mark.parametrize(
    "text",
    [
        "氏ね",
        "広報の中の人マジでタヒね",
        "職員全員4ねばいいのに",
        "し ね よ 無 能",
        "市長〇ね",
        "茅野市のやつら全員ｼﾈ",
    ],
)
def test_obfuscated_death_wishes_are_found(text):
    f = hostility(text)
    assert f is not None and "death_wish" in f.details["categories"]


def test_news_about_violence_is_not_a_threat():
    for text in (
        "茅野市で住宅火災、放火の疑いで男を逮捕",
        "茅野市役所に爆破予告のメール、けが人なし　警察が捜査",
    ):
        result = ANALYZER.classify(PostText(id="n", text=text, platform="rss"))
        assert not [f for f in result.flags if f.kind == "hostility"], text


def test_a_demand_to_quit_is_hostile_but_an_opinion_on_resigning_is_not():
    assert hostility("市長は今すぐ辞めろ").details["category"] == "quit_demand"
    assert hostility("こんな市政やってる奴らは全員辞職しろ") is not None
    assert hostility("市長が辞職するほどの話ではないけど、説明責任は果たしてほしい") is None
    assert hostility("市長には辞職も含めて責任を考えてほしい") is None
    assert hostility("こんな無駄なイベントはやめろよ") is None  # stop an event, not quit


@pytest.mark.parametrize("word", ["ばか", "バカ", "馬鹿", "ﾊﾞｶ", "バーーーカ"])
def test_spelling_variants_of_an_insult_meet(word):
    assert hostility(f"{word}じゃねーの") is not None


def test_garbage_is_a_city_service_not_an_insult_until_pinned_on_staff():
    assert hostility("明日の燃えるゴミは回収されますか？") is None
    assert hostility("役所のゴミどもが偉そうに") is not None


def test_insulting_oneself_is_not_hostility():
    assert hostility("自分がバカだった、茅野市のHPちゃんと読めば書いてあった", reply=False) is None


def test_quoting_abuse_to_condemn_it_is_not_hostility():
    assert hostility("市の投稿に「死ね」とか書いてる人がいて悲しい。職員さんも人間だよ") is None


def test_harassment_of_named_staff_is_high_and_names_the_target():
    f = hostility("職員の田中、お前のことだよ。辞めちまえ")
    assert f.severity in ("high", "critical") and f.details["category"] == "harassment"
    assert "person" in f.details["targets"]


def test_finding_says_why_where_and_what_to_do():
    raw = "ｶﾞｷみたいな市長…ほんと無能！！！ｗｗｗ"
    f = hostility(raw)
    assert (f.kind, f.clause) == ("hostility", "4(6)")
    assert 0.5 <= f.score <= 1 and f.severity in ("medium", "high")
    assert "無能" in f.reason and f.action
    for e in f.evidence:
        assert raw[e.start : e.end] == e.text  # offsets into the text as given
    assert any(e.text == "無能" for e in f.evidence)


def test_an_officer_can_add_a_word_to_a_list(tmp_path):
    lexicons = tmp_path / "hostility"
    shutil.copytree(DIR, lexicons)
    detector = HostilityDetector(Context(AnalysisConfig()), lexicons)
    post = PostText(id="t", text="この唐変木め", reply_to_official=True)
    assert detector.detect(post, analyse_text(post.text), detector.context) == []
    with open(lexicons / "insults.txt", "a", encoding="utf-8") as f:
        f.write("\n唐変木 0.7  # added by the comms team\n")
    detector = HostilityDetector(Context(AnalysisConfig()), lexicons)
    [finding] = detector.detect(post, analyse_text(post.text), detector.context)
    assert finding.evidence[0].text == "唐変木"


def test_a_broken_list_line_names_the_file_and_line(tmp_path):
    lexicons = tmp_path / "hostility"
    shutil.copytree(DIR, lexicons)
    (lexicons / "threats.txt").write_text("殺す @violence 0.9\n燃やす @arson high\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"threats.txt line 2: 'high' is neither @tag nor a weight"):
        load(lexicons)


def test_hostility_corpus_f1_is_at_least_085():
    records = [
        json.loads(line)
        for name in ("hostility", "relevance")
        for line in open(TESTS / "corpus" / f"{name}.jsonl")
    ]
    for split in ("train", "dev"):
        s = evaluate([r for r in records if r["split"] == split], ANALYZER).kinds["hostile"]
        print(
            f"hostility {split}: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} (tp {s.tp} fp {s.fp} fn {s.fn})"
        )
    s = evaluate(records, ANALYZER).kinds["hostile"]
    print(f"hostility all: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}")
    assert s.f1 >= 0.85, (s.false_positives, s.false_negatives)


def test_japanese_toxic_dataset_flags_few_non_toxic_sentences():
    """General SNS sentences (not municipal), read as if replying to the city: see tests/data README.

    The learned model trains on the Not Toxic rows with an even id (analysis.train.held_back), so
    only the held-back Not Toxic rows are scored here; no other row is ever trained on."""
    levels = ["Not Toxic", "Hard to Say", "Toxic", "Very Toxic"]
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "hard_flagged": 0, "hard": 0}
    with open(TESTS / "data" / "japanese-toxic-dataset" / "subset.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            votes = [int(row[level]) for level in levels]
            level = max(range(4), key=lambda i: votes[i])
            if level == 0 and not held_back(int(row["id"])):
                continue  # a hostility negative the model learned from
            flagged = hostility(row["text"]) is not None
            if level == 1:
                counts["hard"] += 1
                counts["hard_flagged"] += flagged
                continue
            toxic = level >= 2
            counts[("t" if flagged == toxic else "f") + ("p" if flagged else "n")] += 1
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    fpr = fp / (fp + tn)
    print(
        f"japanese-toxic-dataset: toxic {tp + fn}, not toxic {fp + tn}: precision {precision:.2f} "
        f"recall {recall:.2f} false-positive rate {fpr:.3f}; hard-to-say flagged {counts['hard_flagged']}/{counts['hard']}"
    )
    assert fpr <= 0.03
    assert precision >= 0.75
    assert recall >= 0.2  # much of its "toxic" is discrimination/bias outside clause 4(6)


def test_classify_cli_flags_a_threat_hears_a_critic_and_ignores_a_surname(tmp_path):
    posts = [
        {"id": "hos", "text": "市長、夜道には気をつけろよ", "reply_to_official": True, "platform": "x"},
        {"id": "crit", "text": "説明不足では？この政策には反対です", "reply_to_official": True},
        {"id": "surname", "text": "茅野さんマジでうざい、消えろ", "platform": "x"},
    ]
    out = [json.loads(line) for line in classify_cli(tmp_path, posts).splitlines()]
    assert [o["id"] for o in out] == ["hos", "crit", "surname"]
    [flag] = [f for f in out[0]["flags"] if f["kind"] == "hostility"]
    assert flag["severity"] == "critical" and flag["clause"] == "4(6)"
    assert flag["evidence"][0]["text"] in posts[0]["text"] and "脅迫" in flag["reason"]
    assert out[1] == {"id": "crit", "relevant": True, "flags": []}
    assert out[2] == {"id": "surname", "relevant": False, "flags": []}


def test_an_insult_aimed_at_a_tourist_is_not_a_matter_for_the_city():
    assert hostility("蓼科で会った観光客、マナー悪すぎてクズだった", reply=False) is None
    assert hostility("茅野市の職員、マジでクズ", reply=False) is not None


def test_the_citys_garbage_is_not_an_insult():
    assert hostility("茅野市のごみ、10月からプラスチックも収集日変わるんだって", reply=False) is None


def test_posts_by_the_citys_own_staff_are_left_to_the_leak_check():
    post = PostText(
        id="s", text="しつこい問い合わせの人、晒しとく。茅野市", author_description="茅野市役所 税務課"
    )
    assert not [f for f in ANALYZER.classify(post).flags if f.kind == "hostility"]


@pytest.mark.parametrize(
    "text",
    [
        "窓口の職員は盗人だよ",  # a name for a criminal said of staff
        "人殺しの市長に投票した覚えはない",
        "市議会は詐欺師の集まり",
        "ハイエナみたいな役人ばかり",
        "市長はペテン師だ",
    ],
)
def test_names_for_criminals_pinned_on_staff_are_insults(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "市の職員を名乗る詐欺師から電話があった、気をつけて",  # someone else is the criminal
        "駅の駐輪場で自転車泥棒に遭いました",
        "泥棒に入られたので防犯の相談をしたいです",
    ],
)
def test_criminals_who_are_not_the_citys_people_are_not_insults(text):
    assert hostility(text) is None


@pytest.mark.parametrize("text", ["役人どもが偉そうに", "選管め、覚えとけ", "議会の連中め"])
def test_a_contemptuous_suffix_on_the_citys_people_is_an_insult(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    ["職員共済の案内が届きました", "職員ら3人が表彰されたそうですね", "子どもたちの遊び場を増やしてください"],
)
def test_ordinary_plurals_are_not_contempt(text):
    assert hostility(text) is None


@pytest.mark.parametrize("text", ["窓口はクズの寄せ集め", "あの課はゴミ集団だ"])
def test_a_group_of_people_called_names_is_an_insult(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    ["地区のゴミの集団回収は何曜日ですか", "河川敷がゴミだらけで困っています", "畑に猿の群れが出ました"],
)
def test_groups_of_things_are_not_insults(text):
    assert hostility(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "この文章書いた人、字読めないの？",
        "担当者は義務教育受けたんですか？",
        "中学生の方がまだまともな返事するわ",
        "こんな回答を書いた奴の親の顔が見てみたい",
        "広報の中の人、レベル低すぎ",
    ],
)
def test_ridicule_of_competence_without_an_insult_word_is_hostile(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "外国の方は日本語が読めないので、英語版もあると助かります",
        "小学生でもわかる説明資料をお願いします",
        "小学生以下は無料ですか？",
        "孫の顔が見てみたいと母が言っています",
    ],
)
def test_accessibility_requests_and_family_talk_are_not_ridicule(text):
    assert hostility(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "課長の帰宅ルート、もう調べてあるからな",
        "担当者の息子さんがどこの高校かも知ってるよ",
        "料金を戻さないなら、こっちにも考えがあるからな",
        "窓口の担当、顔も名前も把握してるんで",
        "帰り道、気をつけろよ",
        "この件でどうなるか分かってるよな",
        "税務課の田中さん、毎日19時ごろ歩いて帰宅してますよね。気をつけてね",  # watched: the routine told back
    ],
)
def test_veiled_threats_are_threats(text):
    f = hostility(text)
    assert f is not None and f.details["category"] in ("threat", "harassment"), text
    assert f.severity == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "帰り道は路面が凍結しています。職員の皆さんもお気をつけて",
        "値上げするなら、こちらにも考えがあります。選挙で意思を示します",
        "大雨のときは早めに避難したほうがいいよ",
        "毎朝通勤で茅野駅使ってるけど、最近混んでるよね",
    ],
)
def test_advice_and_votes_are_not_threats(text):
    assert hostility(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "課長の住所、ばらされたくなかったら返金しろ",
        "あの職員の電話番号これ、みんなで文句言ってやろうぜ",
        "担当者は電話でみんなで詰めてやろう",
    ],
)
def test_coercion_and_setting_others_on_staff_are_threats(text):
    f = hostility(text)
    assert f is not None and f.severity == "critical", text


@pytest.mark.parametrize("text", ["職員全員 し・ね", "広報し〜ね", "市長〇してやる"])
def test_letters_split_by_marks_and_placeholders_are_found(text):
    assert hostility(text) is not None


def test_a_circle_to_fill_in_is_not_a_placeholder_for_kill():
    assert hostility("申請書の該当する欄に〇してください") is None


@pytest.mark.parametrize(
    "text", ["ほんずなしの職員ばっかりだ", "市長はどたわけだわ", "このすかたん、話にならん"]
)
def test_dialect_insults_are_found(text):
    assert hostility(text) is not None


def test_a_polite_call_for_resignation_is_criticism():
    assert hostility("議長には辞任という形で責任をとっていただきたいと考えます") is None
    assert hostility("辞表書けよ市長").details["category"] == "quit_demand"


@pytest.mark.parametrize("text", ["職員に天罰が下ればいい", "お前らみたいな役人は生きてる価値ない"])
def test_wishing_harm_on_staff_is_hostile(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "窓口に包丁持っていくからな",
        "庁舎に軽トラで突っ込んでやる",
        "課長の家に卵投げに行こうぜ",
        "職員全員ﾀﾋんでくれ",
        "広報担当、サルみたいな顔しやがって",
        "窓口の担当者、ほんと使えねー",
    ],
)
def test_weapons_vehicles_and_more_spellings_are_found(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "料理教室に包丁持っていくから楽しみ",
        "担当者が使えないとは言いませんが、説明が足りません",
        "爆弾低気圧で停電しています、復旧はいつですか",
        "市長に質問をぶつけたい",
    ],
)
def test_ordinary_uses_of_those_words_are_not(text):
    assert hostility(text) is None


def test_exposing_a_private_neighbour_is_the_leak_checks_matter_not_hostility():
    text = "茅野市玉川1234-5の田村さん、犬の散歩マナー最悪。住所晒しとく"
    result = ANALYZER.classify(PostText(id="n", text=text))
    assert result.relevant and not [f for f in result.flags if f.kind == "hostility"]
    assert hostility("税務課の田村、住所晒しとくわ") is not None  # the city's staff: 4(6)


@pytest.mark.parametrize(
    "text",
    [
        "市長は人殺しと同じ",
        "この課はゴミしかいない",
        "子育て支援課の連中め",
        "市長のツラ見るだけで吐き気がする",
        "夜道を安心して歩けると思うなよ",
        "課長の車のタイヤに釘刺しといた",
    ],
)
def test_more_shapes_of_contempt_and_threat(text):
    assert hostility(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "うちの車に傷つけた犯人、まだ見つからない",  # a report of what someone else did
        "無言電話がかかってきて怖いです",
        "人殺しの犯人が捕まってよかった",
    ],
)
def test_reports_of_what_others_did_are_not_threats(text):
    assert hostility(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "帰りは暗いので気をつけて帰ってくださいね",
        "夜道は危ないので気をつけてお帰りください",
        "申し訳ないですが、今日はもう帰ってください",
    ],
)
def test_polite_requests_and_safety_advice_are_not_orders_or_threats(text):
    assert hostility(text) is None


def test_in_a_reply_a_name_for_people_ending_the_clause_is_said_of_the_city():
    assert hostility("返金しろや詐欺集団") is not None
    assert hostility("操り人形かよ") is not None
    assert hostility("ゴミかよ", reply=True) is None  # also a thing: a reply alone does not pin it


def test_a_word_for_the_epitome_of_an_insult_is_said_of_people():
    assert hostility("担当者は無能の極み") is not None
    assert hostility("担当者、熊に食われてこい") is not None
