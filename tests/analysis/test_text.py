"""The text pipeline every detector reads: normalisation with offsets, Sudachi words, local names."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analysis import userdict
from analysis.text import analyse_text, normalize, tokenize
from analysis.textnorm import normalize_with_map

ROOT = Path(__file__).resolve().parents[2]


def test_full_width_letters_and_half_width_kana_are_normalised():
    assert normalize("ＣＨＩＮＯ　ＣＩＴＹ") == "CHINO CITY"
    assert normalize("ｶﾞｿﾘﾝ１２３") == "ガソリン123"


def test_invisible_characters_are_removed_so_words_meet_again():
    doc = analyse_text("死\u200bね\ufeff")
    assert doc.text == "死ね"
    assert "死ぬ" in doc.lemmas


def test_long_runs_of_marks_are_cut_to_two_and_digits_never():
    assert normalize("草ｗｗｗｗｗ！！！！") == "草ww!!"
    assert normalize("バーーーーカ") == "バーカ"
    assert normalize("0266-72-2101 と 1000000円") == "0266-72-2101 と 1000000円"


@pytest.mark.parametrize(
    "raw, word",
    [
        ("市長は辞めろ…本当に", "本当"),  # … expands to ...
        ("ｶﾞｷが！！！！ｗｗｗｗ無能", "無能"),  # ｶﾞ merges, runs are cut
        ("㍻の頃から\u200b税金泥棒", "税金泥棒"),  # ㍻ expands, zero-width removed
        ("か\u3099っこ悪い市長", "市長"),  # combining dakuten merges
    ],
)
def test_offsets_map_normalised_words_back_to_the_raw_text(raw, word):
    doc = analyse_text(raw)
    i = doc.text.index(normalize(word))
    start, end = doc.raw_span(i, i + len(normalize(word)))
    assert raw[start:end] == word


def test_whole_run_is_the_evidence_for_a_cut_run():
    text, offsets = normalize_with_map("ｗｗｗｗｗ")
    assert text == "ww"
    assert offsets is not None and offsets[0] == [0, 0] and offsets[1] == [5, 5]


def test_conjugations_and_kana_spellings_share_a_lemma():
    assert analyse_text("ころす").lemmas == analyse_text("殺す").lemmas == ["殺す"]
    assert analyse_text("辞めちまえ").lemmas[0] == analyse_text("辞めろ").lemmas[0] == "辞める"


def test_local_names_are_single_place_words():
    doc = analyse_text("白樺湖からビーナスラインで車山へ、尖石にも寄った")
    words = dict(zip(doc.surfaces, doc.pos, strict=True))
    for name in ("白樺湖", "ビーナスライン", "車山", "尖石"):
        assert words[name][:3] == ("名詞", "固有名詞", "地名"), name


def test_tokens_carry_surface_dictionary_form_reading_and_offsets():
    [t] = [t for t in analyse_text("ＡＢＣ市長を殺すぞ").tokens if t.surface == "殺す"]
    assert (t.normalized, t.dictionary, t.reading, t.pos[0]) == ("殺す", "殺す", "コロス", "動詞")
    assert tokenize("茅野市")[0].is_place


def test_emoji_are_kept_and_listed():
    doc = analyse_text("待ってろ🔪🔪🔪🔪")
    assert [e for _, e in doc.emoji] == ["🔪", "🔪"]
    assert doc.raw_text(*[doc.emoji[0][0], doc.emoji[0][0] + 1]) == "🔪🔪🔪🔪"


def test_text_longer_than_sudachis_byte_limit_is_split_at_sentences():
    raw = "茅野市の紅葉がきれいでした。" * 5000  # 210,000 UTF-8 bytes
    doc = analyse_text(raw)
    assert doc.lemmas.count("紅葉") == 5000
    assert doc.begins == sorted(doc.begins) and doc.ends[-1] == len(raw)


def test_each_thread_gets_its_own_tokenizer():
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                assert "蓼科高原" in analyse_text("蓼科高原でキャンプ、星がすごかった").lemmas
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_user_dictionary_is_built_from_the_csv_into_the_cache_dir(tmp_path):
    lexicon = tmp_path / "names.csv"
    lexicon.write_text("# a comment\n御射鹿池テスト,ミシャカイケテスト,place\n", encoding="utf-8")
    built = userdict.build(lexicon, tmp_path / "cache")
    assert built.parent == tmp_path / "cache" and built.stat().st_size > 0
    assert userdict.build(lexicon, tmp_path / "cache") == built  # cached: not rebuilt
    from sudachipy import Config, Dictionary, SplitMode

    tok = Dictionary(config=Config(user=[str(built)]), dict="core").tokenizer(mode=SplitMode.C)
    [m] = tok.tokenize("御射鹿池テスト")
    assert m.part_of_speech()[:3] == ("名詞", "固有名詞", "地名")


def test_editing_the_csv_changes_the_cache_key(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("白樺湖,シラカバコ,place\n", encoding="utf-8")
    system = userdict._system_dic()
    key_a = userdict._key(a.read_bytes(), system)
    a.write_text("白樺湖,シラカバコ,place\n女神湖,メガミコ,place\n", encoding="utf-8")
    assert userdict._key(a.read_bytes(), system) != key_a


def test_bad_lexicon_row_names_the_file_and_entry():
    with pytest.raises(userdict.LexiconError, match=r"names.csv: entry 2 '女神湖': kind must be one of"):
        userdict.sudachi_rows("白樺湖,シラカバコ,place\n女神湖,メガミコ,lake\n", "names.csv")


def test_analysis_falls_back_to_the_system_dictionary_when_the_cache_is_unwritable(tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    env = {**os.environ, userdict.ENV_CACHE_DIR: str(blocked / "cache")}
    code = "from analysis.text import analyse_text; print(analyse_text('白樺湖の花火').surfaces)"
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "'白樺', '湖'" in r.stdout  # system dictionary cuts it, but analysis runs
    assert "userdict unavailable" in r.stderr


def test_laughter_marks_are_found_but_grass_is_not_laughter():
    assert analyse_text("税金泥棒乙ｗｗｗ").laughter == [(5, 7)]
    assert analyse_text("これは草").laughter and analyse_text("無能（笑）").laughter
    assert analyse_text("草原を歩いて草刈りを見た").laughter == []


def test_kana_fold_lets_katakana_and_hiragana_spellings_meet():
    from analysis.text import kana_fold

    assert kana_fold("バカ") == kana_fold("ばか") == "ばか"


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("ち の 市 役 所 の バ カ ど も", "ちの市役所のバカども"),
        ("k o r o s u 茅野市役所", "korosu 茅野市役所"),
        ("ｃ ｈ ｉ ｎ ｏ 市", "chino市"),
    ],
)
def test_letters_spaced_out_to_dodge_a_filter_are_joined(raw, joined):
    text, offsets = normalize_with_map(raw)
    assert text == joined
    assert offsets is not None and offsets[0][0] == 0  # evidence maps back to the spaced-out raw text


@pytest.mark.parametrize("raw", ["I am a b c", "1 2 3 4 5 6", "茅野 市 役所 へ", "A B C"])
def test_ordinary_spacing_and_spaced_digits_stay(raw):
    assert normalize(raw) == raw
