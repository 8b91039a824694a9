"""Possible staff leaks: what a comms officer must see (and what they must not be bothered with)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from stdnum.jp import cn, in_

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.detectors.base import Context
from analysis.detectors.leak import LeakDetector
from analysis.evaluate import evaluate
from analysis.text import analyse_text
from collector.settings import load_settings
from tests.conftest import classify_cli

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "leak.jsonl"
CONFIG = load_settings(ROOT / "settings.toml").analysis_config()  # what `kikimimi classify` uses
MY_NUMBER = "49302718563" + in_.calc_check_digit("49302718563")  # synthetic, valid check digit


def leak(text: str, config: AnalysisConfig = CONFIG, **kw):
    """The leak finding of a post as classify reports it (None when nothing is reported)."""
    result = Analyzer(config).classify(PostText(id="t", text=text, **kw))
    return next((f for f in result.flags if f.kind == "leak"), None)


def corpus(split: str) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("split", "train") == split]


@pytest.mark.parametrize("split", ["train", "dev"])
def test_leak_corpus_f1_is_at_least_085(split):
    report = evaluate(corpus(split), Analyzer(CONFIG))
    score = report.kinds["leak"]
    assert score.f1 >= 0.85, (score.false_positives, score.false_negatives)


def test_corpus_is_large_and_labelled_both_ways():
    rows = corpus("train") + corpus("dev")
    assert len(rows) >= 100
    assert len({r["id"] for r in rows}) == len(rows)
    leaks = sum(r["labels"]["leak"] for r in rows)
    assert 0.25 < leaks / len(rows) < 0.6


def test_valid_my_number_with_context_is_critical_and_masked():
    grouped = f"{MY_NUMBER[:4]} {MY_NUMBER[4:8]} {MY_NUMBER[8:]}"
    f = leak(f"マイナンバー {grouped} の人、窓口に通知カード忘れていったよ。茅野市役所で預かってます")
    assert f is not None and f.severity == "critical"
    assert f.clause in ("5(2)", "4(4)")
    shown = [e for e in f.evidence if e.label == "mynumber"]
    assert shown and all(e.masked for e in shown)
    assert shown[0].text == "**** **** ****"
    dump = json.dumps(f.to_json(), ensure_ascii=False)
    assert MY_NUMBER[:4] not in dump and MY_NUMBER[8:] not in dump


def test_my_number_without_check_digit_or_context_is_not_a_leak():
    invalid = MY_NUMBER[:-1] + str((int(MY_NUMBER[-1]) + 1) % 10)
    assert leak(f"茅野の実家に送った荷物、追跡番号 {MY_NUMBER} で止まってる") is None
    assert leak(f"茅野市役所の番号 {invalid} ってなに") is None


def test_corporate_number_is_never_a_leak():
    corporate = cn.calc_check_digit("012345678912") + "012345678912"
    assert leak(f"茅野市の株式会社八ヶ岳建設（法人番号 {corporate}）が市の工事を受注") is None


def test_business_phone_number_is_not_personal_data():
    assert leak("蓼科のペンション森のくま、ご予約はお電話で 0266-67-2290（受付9時〜18時）") is None
    assert leak("茅野駅前のそば屋さん、TEL 0266-72-5531。定休日は水曜") is None
    assert leak("茅野市役所（代表）0266-72-2101 に電話したらすぐ繋いでくれた") is None


def test_a_residents_phone_with_a_name_is_critical():
    f = leak(
        "申請者の佐藤花子様（080-3316-9042）から苦情の電話。茅野の窓口対応が悪いって",
        author_description="市役所職員",
    )
    assert f is not None and f.severity == "critical"
    phone = next(e for e in f.evidence if e.label == "phone")
    assert phone.masked and phone.text == "080-****-****"
    assert "3316" not in f.reason and "9042" not in json.dumps(f.to_json())


def test_resident_giving_own_phone_for_a_callback_is_not_a_staff_leak():
    post = "道路の陥没の件です。私の携帯 090-6673-2158 に折り返しお願いします。茅野市役所さんよろしく"
    assert leak(post, reply_to_official=True) is None
    context = Context(config=CONFIG)
    below = LeakDetector(context).detect(PostText(id="t", text=post), analyse_text(post), context)
    assert below and below[0].severity == "low" and "本人" in below[0].reason  # kept below the threshold


def test_public_post_with_disclaimer_is_not_a_leak():
    desc = "茅野市役所職員。発言は個人の見解であり所属組織を代表するものではありません"
    assert (
        leak("茅野市の縄文まつり、今年は8月3日開催です！詳しくは市のホームページへ", author_description=desc)
        is None
    )
    assert (
        leak("本日の記者発表のとおり、茅野市は第2子以降の保育料を無料にします", author_description=desc)
        is None
    )


def test_staff_posting_an_unannounced_decision_is_high():
    f = leak(
        "まだ正式発表前なんだけど、来年4月で茅野市内の保育園がひとつ閉園になるっぽい。ここだけの話ね",
        author_description="茅野市役所で働いてます。週末は八ヶ岳。",
    )
    assert f is not None and f.severity == "high" and f.clause == "4(7)⑦"
    assert f.details["staff_signal"] == "プロフィール「市役所で働」"
    assert {"confidential"} <= {e.label for e in f.evidence}


def test_draft_marked_for_internal_use_is_a_leak_even_with_a_disclaimer():
    f = leak(
        "【庁内限り】って書いてある資料、茅野市総合計画の素案ひどいな。こんなの通るの？",
        author_description="茅野市役所 企画課。発言は個人の見解です",
    )
    assert f is not None and f.severity == "high"


def test_the_same_words_from_a_resident_are_a_rumour_not_a_leak():
    assert leak("噂だけど新しい体育館、茅野駅の東口にできるらしいよ。まだ発表前らしい") is None
    assert leak("ここだけの話、茅野のあのパン屋の新作がめちゃうまい") is None


def test_staff_weekend_plans_under_consideration_are_not_a_leak():
    assert leak("週末どこ行くか検討中。蓼科か白樺湖か、悩む", author_description="茅野市役所勤務") is None
    assert (
        leak("異動の内示が出る季節。ドキドキする。茅野市役所も来週かな", author_description="茅野市役所勤務")
        is None
    )


def test_embargoed_term_named_by_staff_is_high():
    config = replace(CONFIG, embargoed_terms=("蓼科グランピング構想",))
    f = leak("蓼科グランピング構想、いよいよ動き出すぞ", config, author_description="茅野市職員")
    assert f is not None and f.severity == "high"
    assert any(e.label == "embargo" and e.text == "蓼科グランピング構想" for e in f.evidence)
    assert leak("蓼科グランピング構想、いよいよ動き出すぞ", author_description="茅野市職員") is None


def test_city_password_is_critical_and_general_advice_is_not():
    f = leak("茅野市役所の職員用Wi-Fi、パスワード chino2024 のままなんだけどいいのか笑")
    assert f is not None and f.severity == "critical" and f.clause == "5(3)"
    assert [e.text for e in f.evidence if e.label == "password"] == ["パスワード ***"]
    assert leak("茅野市の情報セキュリティ講座。パスワードは定期的に変えましょう、使い回しはダメ") is None
    assert leak("茅野のカフェ、Wi-Fiのパスワードがレシートに書いてある親切仕様") is None


def test_internal_ip_address_of_a_vpn_is_a_security_leak():
    f = leak("VPNの接続先 172.20.1.5 に繋がらない。茅野市役所のテレワーク詰んだ")
    assert f is not None and f.clause == "5(3)"
    assert [e.text for e in f.evidence if e.label == "internal_ip"] == ["172.*.*.*"]


def test_news_of_a_leak_elsewhere_is_not_a_leak():
    assert (
        leak(
            "ニュースで見たけど、隣県の市役所で職員がSNSに内部資料を投稿して処分されたって。茅野市も気をつけて"
        )
        is None
    )
    assert leak("◯◯市でマイナンバーを含む個人情報が流出。茅野市は大丈夫？") is None


def test_evidence_offsets_point_into_the_text_given_to_the_detector():
    text = "茅野市役所に毎日電話してくる加藤さん、携帯０７０－５５１２－８８３０からかけてくる"
    f = leak(text, author_description="市職員です")
    phone = next(e for e in f.evidence if e.label == "phone")
    assert text[phone.start : phone.end] == "０７０－５５１２－８８３０"
    assert phone.text == "070-****-****"


def test_every_finding_says_why_and_what_to_do():
    f = leak("部外秘の資料だけど載せとく。茅野市観光戦略(案)の表紙", author_description="市役所職員")
    assert f.kind == "leak" and 0.5 <= f.score <= 1
    assert "部外秘" in f.reason and f.action
    assert f.details["categories"] and f.details["staff_signal"]


def test_classify_never_prints_a_raw_my_number(tmp_path):
    grouped = f"{MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}"
    posts = [
        {"id": "a", "text": f"個人番号 {grouped} ← これ誰の？茅野市役所のコピー機に置き忘れ"},
        {
            "id": "b",
            "text": f"通知カードの再発行で来た人の番号{MY_NUMBER}のメモどこ？",
            "author_description": "茅野市役所",
        },
    ]
    out = classify_cli(tmp_path, posts)
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    for line in lines:
        flag = next(f for f in line["flags"] if f["kind"] == "leak")
        assert flag["severity"] == "critical"
        assert any(e["label"] == "mynumber" and e.get("masked") for e in flag["evidence"])
    for raw in (MY_NUMBER, grouped, MY_NUMBER[:4], MY_NUMBER[4:8], MY_NUMBER[8:]):
        assert raw not in out


def test_a_roster_of_several_households_numbers_is_a_leak_without_honorifics():
    f = leak("茅野市の消防団、今年の連絡係です\n宮坂 0266-72-5508\n牛山 0266-79-1163\n藤森 090-2291-7784")
    assert f is not None and f.severity == "critical"
    assert all(e.masked for e in f.evidence if e.label == "phone")


def test_a_list_of_shops_numbers_is_not_a_roster():
    assert (
        leak("茅野駅前のお店まとめ：そば処やまびこ 0266-72-1180、喫茶こもれび 0266-72-3377（月曜定休）")
        is None
    )


def test_anyone_naming_a_persons_illness_or_welfare_exposes_them_but_stories_and_appeals_do_not():
    f = leak("茅野の団地に住んでる小林ハルさん、最近認知症がひどくて夜中に出歩いてる")
    assert f is not None and f.clause == "4(4)"
    assert leak("茅野が舞台の映画、主人公の小林さんが認知症の母を介護する話だった") is None
    assert leak("行方不明の小林ハルさん（81）を探しています。認知症があります。茅野署まで") is None
    assert leak("母が認知症になって、茅野市の包括支援センターに相談した") is None


def test_a_profile_naming_a_city_unit_or_role_is_staff():
    post = "今日お宅に伺った湖東の牛山さん、固定資産税がもう4年分たまってる"
    for profile in ("茅野市 収納係", "茅野市 保健センター 保健師", "茅野消防署 救急隊"):
        f = leak(post, author_description=profile)
        assert f is not None and f.details["staff_strength"] >= 0.8, profile
    assert leak(post, author_description="茅野市在住 看護師") is None


def test_a_reply_to_the_city_giving_ones_own_home_address_is_not_a_leak():
    assert leak("倒木の件、茅野市玉川 5120-3 の自宅裏です。確認お願いします", reply_to_official=True) is None


def test_staff_denying_a_rumour_or_talking_about_a_rule_is_not_a_leak():
    staff = "茅野市 企画課"
    assert (
        leak("図書館の移転先はまだ何も決まっていません。噂を信じないでください", author_description=staff)
        is None
    )
    assert leak("書類の持ち出し禁止を研修で改めて確認しました", author_description=staff) is None


def test_staff_telling_an_unannounced_decision_in_ordinary_words_is_a_leak():
    f = leak(
        "来年度から市民温水プールは冬季休業にすることになった。利用者にはまだ伝えてない",
        author_description="茅野市 スポーツ課",
    )
    assert f is not None and f.severity in ("high", "critical")
