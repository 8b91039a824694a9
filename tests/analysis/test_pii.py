"""Finding and masking residents' personal data and secrets (analysis.pii), as emails and exports show them."""

from __future__ import annotations

import re

import pytest
from stdnum.jp import cn, in_

from analysis import phrases
from analysis.pii import find, mask

MY_NUMBER = "71128840392" + in_.calc_check_digit("71128840392")  # synthetic, valid check digit


def kinds(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.owner) for p in find(text)]


@pytest.mark.parametrize(
    "written",
    [
        f"マイナンバー {MY_NUMBER[:4]} {MY_NUMBER[4:8]} {MY_NUMBER[8:]}",
        f"マイナンバー {MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}",
        f"個人番号は{MY_NUMBER}です",
        "通知カードの番号 " + MY_NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f"マイナンバー {MY_NUMBER[:6]}\u200b{MY_NUMBER[6:]}",
    ],
)
def test_mask_hides_every_digit_of_a_my_number(written):
    masked = mask(written)
    assert not re.search(r"[0-9０-９]", masked), masked
    assert "****" in masked


def test_mask_hides_a_my_number_written_without_context_too():
    assert MY_NUMBER not in mask(f"これ誰の？ {MY_NUMBER}")


def test_mask_keeps_text_without_personal_data_exactly():
    text = "茅野市の縄文まつり、今年は８月３日開催です！！！ 詳しくは市のホームページへ🎉"
    assert mask(text) is text
    assert mask("") == ""


def test_mask_keeps_the_rest_of_the_text_as_written():
    text = "ＳＮＳは見ないので、携帯０９０－４８２１－７７３５まで！！！（ｶﾞｲﾄﾞ付き）"
    assert mask(text) == "ＳＮＳは見ないので、携帯090-****-****まで！！！（ｶﾞｲﾄﾞ付き）"


def test_mask_keeps_a_shops_published_number_readable():
    text = "蓼科のペンション、ご予約はお電話で 0266-67-2290（受付9時〜18時）"
    assert mask(text) == text
    assert mask("フリーダイヤル0120-371-554") == "フリーダイヤル0120-371-554"


def test_mask_hides_personal_phone_email_address_password_and_internal_ip():
    text = (
        "山田太郎さん（茅野市豊平1234番地）の携帯は090-2468-1357、メアドは taro.y1975@gmail.com。"
        "庁内Wi-Fiのパスワード chino2024、サーバーは 192.168.10.21"
    )
    masked = mask(text)
    for secret in ("1234番地", "2468", "1357", "taro.y1975", "chino2024", "168.10.21"):
        assert secret not in masked
    assert "茅野市豊平****番地" in masked
    assert "090-****-****" in masked
    assert "***@gmail.com" in masked
    assert "パスワード ***" in masked
    assert "192.*.*.*" in masked
    assert "山田太郎さん" in masked  # names alone stay: masking them would make alerts unreadable


def test_parcel_number_passing_the_check_is_not_a_my_number():
    assert kinds(f"ヤマトの追跡番号 {MY_NUMBER} で止まってる") == [("mynumber", "public")]
    assert mask(f"ヤマトの追跡番号 {MY_NUMBER} で止まってる").count(MY_NUMBER) == 1


def test_corporate_number_is_not_a_my_number():
    corporate = cn.calc_check_digit("012345678912") + "012345678912"
    assert kinds(f"法人番号 {corporate}") == []


def test_phone_owner_is_read_from_the_words_around_it():
    assert kinds("私の携帯 090-6673-2158 に折り返しください") == [("phone", "self")]
    assert kinds("隣の伊藤さん、携帯は090-6673-2158だよ") == [("phone", "personal")]
    assert kinds("茅野市役所（代表）0266-72-2101") == [("phone", "public")]


def test_public_office_email_is_not_personal():
    assert kinds("お問い合わせは kankou@city.chino.lg.jp まで") == [("email", "public")]
    assert kinds("メアド taro.yamada@gmail.com 晒しとく") == [("email", "personal")]


def test_addresses_need_a_house_number_and_public_places_stay_public():
    assert kinds("茅野市豊平のあたり、雪で通行止め") == []
    assert kinds("茅野市役所は茅野市塚原2丁目6番1号") == [("address", "public")]
    assert kinds("会場は2-3月の予定") == []


def test_birth_date_is_found_only_as_a_birth_date():
    assert [k for k, _ in kinds("昭和15年3月2日生まれの鈴木さん")] == ["birthdate"]
    assert kinds("2026年8月3日開催") == []


def test_password_advice_has_no_password():
    assert kinds("パスワードは定期的に変えましょう") == []
    assert kinds("暗証番号を3回間違えてロックされた") == []
    assert [k for k, _ in kinds("通用口の暗証番号2580")] == ["password"]


def test_delivery_and_export_use_the_masker():
    from collector.delivery import safe
    from collector.export import _mask

    text = f"マイナンバー {MY_NUMBER} の人、窓口に忘れ物"
    assert MY_NUMBER not in safe.excerpt(text, "leak")
    assert safe.excerpt(text, "leak").startswith("マイナンバー ")
    assert MY_NUMBER not in _mask(text)


def test_word_list_errors_name_the_file():
    with pytest.raises(phrases.LexiconError, match="no_such_list.txt"):
        phrases.sections("no_such_list.txt")


def test_word_lists_support_gaps_and_comments():
    rx = re.compile(phrases.pattern(("まだ…説明して", "部外秘")))
    assert rx.search("まだ地元にも説明してない")
    assert rx.search("【部外秘】")
    assert not rx.search("まだ。説明して")  # a gap never crosses a sentence end


def test_a_shops_mobile_number_is_published_not_personal():
    assert kinds("茅野市の整骨院、院長の携帯090-1234-5678でも予約できるよ") == [("phone", "public")]


def test_an_edited_word_list_is_read_again_by_the_next_run(tmp_path, monkeypatch):
    monkeypatch.setattr(phrases, "LEXICONS", tmp_path)
    (tmp_path / "x_test.txt").write_text("[marking]\n部外秘  # a comment\n", "utf-8")
    phrases.refresh(["x_test.txt"])
    assert phrases.sections("x_test.txt") == {"marking": ("部外秘",)}
    (tmp_path / "x_test.txt").write_text("[marking]\n部外秘\n取扱注意の写し\n", "utf-8")
    phrases.refresh(["x_test.txt"])
    assert phrases.regex("x_test.txt", "marking").search("これは取扱注意の写しです")


def test_licence_and_bank_account_numbers_are_found_and_masked():
    licence = "免許証番号 305512348870 の免許証、茅野駅のベンチに落ちてました"
    assert kinds(licence) == [("idnumber", "unknown")]
    assert "305512348870" not in mask(licence) and "************" in mask(licence)
    account = "振込はこちら: 長野銀行 茅野支店 普通 5528193 タカハシ"
    assert kinds(account) == [("idnumber", "unknown")]
    assert "5528193" not in mask(account)


def test_an_organisations_account_is_published_and_ones_own_is_self():
    assert kinds("募金の振込先 長野銀行 茅野支店 普通 3302211 茅野市社会福祉協議会") == [
        ("idnumber", "public")
    ]
    assert kinds("返金は私の口座へ（長野銀行 茅野支店 普通 8812034）") == [("idnumber", "self")]
    assert kinds("普通に 1234567 円もかかった") == []


def test_an_address_after_a_space_is_found_but_a_phone_after_the_office_name_is_not_an_address():
    assert kinds("北村さんの家、茅野市宮川 2210-4 の角") == [("address", "personal")]
    assert kinds("茅野市役所 0266-72-2101 まで") == [("phone", "public")]


def test_a_password_quoted_a_few_words_after_its_key_is_masked():
    text = "グループウェアのパスワード、今月からまた「Kaze2031!」に戻ってた"
    assert [p.kind for p in find(text)] == ["password"]
    assert mask(text) == "グループウェアのパスワード、今月からまた「***」に戻ってた"
    assert find("パスワードは「長めの文章」にしましょう") == []


def test_a_private_account_is_masked_and_an_official_one_is_not():
    private = "受付の人の裏垢これ→ @kk_private_77"
    assert kinds(private) == [("handle", "unknown")] and "kk_private" not in mask(private)
    official = "茅野市の公式インスタ @chino_official_test もよろしく"
    assert mask(official) == official
