"""The fast path changes no result: every gate and shortcut checked against the slow path.

Gates are built from the word lists themselves (analysis/gates.py), so editing a list edits
its gate; these tests are what keeps a later edit of a list or a detector from silently
breaking one. A failure names the post whose result differs.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.detectors.base import Context
from analysis.detectors.hostility import HostilityDetector
from analysis.detectors.hostility_lexicon import DIR as HOSTILITY_DIR
from analysis.gates import Literals, necessary_literals
from analysis.io import fact_from_json, post_from_json
from analysis.text import analyse_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _is_facts(path: Path) -> bool:
    return "facts" in path.stem


POST_FILES = sorted(p for p in CORPUS.rglob("*.jsonl") if not _is_facts(p))
FACTS = [
    fact_from_json(r, i)
    for p in sorted(CORPUS.rglob("*.jsonl"))
    if _is_facts(p)
    for i, r in enumerate(_records(p))
]
CONFIGS = {
    "default": AnalysisConfig(),
    # official accounts and embargoed terms switch on more of relevance and the leak check
    "accounts": AnalysisConfig(
        official_accounts=("bluesky:chino-city.bsky.social", "x:@chino_city"),
        embargoed_terms=("新庁舎計画", "プロジェクトX"),
    ),
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def analyzers(request) -> tuple[Analyzer, Analyzer]:
    config = CONFIGS[request.param]
    return Analyzer(config, FACTS, fast=True), Analyzer(config, FACTS, fast=False)


def _posts(path: Path) -> list[PostText]:
    posts = [post_from_json(r, i) for i, r in enumerate(_records(path))]
    # the same texts as feed items with a headline, which is analysed with the text
    return posts + [
        dataclasses.replace(p, id=f"{p.id}+title", title="茅野市からのお知らせ") for p in posts[::5]
    ]


@pytest.mark.parametrize("path", POST_FILES, ids=lambda p: p.name)
def test_every_labelled_post_gets_the_same_result_with_gates_on_and_off(path, analyzers):
    fast, slow = analyzers
    differing = []
    for post in _posts(path):
        a, b = fast.classify(post), slow.classify(post)
        if dataclasses.asdict(a) != dataclasses.asdict(b):
            differing.append(post.id)
    assert differing == [], f"{path.name}: gates change the result of {differing[:10]}"


def test_a_post_that_names_nothing_of_the_city_is_never_tokenised():
    analyzer = Analyzer(AnalysisConfig())
    doc = analyse_text("チノパン3本目買った、色違いで")
    relevant, _ = analyzer.relevance.judge(PostText(id="x", text=doc.raw), doc)
    assert not relevant and not doc.tokenised
    assert analyse_text("茅野さんの新曲よかった").lemmas  # words are still there when read


def test_parts_of_speech_can_be_tested_as_ints():
    from analysis.text import Doc, pos_ids

    doc = analyse_text("茅野さんは茅野市に住んでいる")
    person, place = pos_ids("名詞", "固有名詞", "人名"), pos_ids("名詞", "固有名詞", "地名")
    words = dict(zip(doc.surfaces, doc.pos_ids, strict=True))
    assert words["茅野"] in person and words["茅野市"] in place and words["に"] not in person | place
    given = Doc(doc.raw, doc.text, doc.lemmas, doc.pos, doc.begins, doc.ends)  # a Doc built from lists
    assert given.pos_ids == doc.pos_ids


def test_every_hostility_pattern_match_contains_what_its_gate_looks_for():
    """Each pattern's necessary strings really are in every text it matches (no wrong "skip")."""
    lexicon = HostilityDetector(Context(AnalysisConfig())).lexicon
    texts = [analyse_text(r.get("text", "")).text for path in POST_FILES for r in _records(path)]
    for pattern in [*lexicon.patterns.order, *lexicon.idioms.order]:
        needs = necessary_literals(pattern.regex)
        for text in texts:
            for m in pattern.regex.finditer(text):
                assert all(any(w in m.group() for w in s) for s in needs), (pattern.regex.pattern, m.group())


def test_the_hostility_gate_lets_through_every_text_with_a_listed_word():
    """`prefilter` says False only where the word lists match nothing: checked on every corpus text."""
    detector = HostilityDetector(Context(AnalysisConfig()))
    for path in POST_FILES:
        for r in _records(path):
            doc = analyse_text(r.get("text", ""))
            if detector.lexicon.match(doc, fast=False):
                assert detector.prefilter(doc.text), (path.name, r.get("id"), doc.text)


def test_every_listed_word_in_spellings_and_sentences_no_corpus_has_passes_the_gate():
    """Held-out inputs for the gate: each list entry in both kana, stretched (バーカ), spaced out
    (し ね), inside sentences and before endings (殺せ, 辞めろよ, ｗｗ). Whatever the lists find,
    or `detect` reports, must pass `prefilter`."""
    import random

    from analysis.detectors.hostility_lexicon import kana_spellings

    detector = HostilityDetector(Context(AnalysisConfig()))
    lex = detector.lexicon
    words = sorted({e.text for es in lex.by_form.values() for e in es} | set(lex.plain_entries))
    ends = [
        "",
        "ろ",
        "え",
        "よ",
        "た",
        "て",
        "ない",
        "ます",
        "ぞ",
        "ー",
        "〜〜",
        "っ",
        "せ",
        "そう",
        "!",
        "ｗｗ",
    ]
    frames = [
        "{w}",
        "市長は{w}",
        "職員、{w}{e}",
        "お前ら{w}{e}。",
        "{w} {e}",
        "本当に{w}{e}だな",
        "ABC{w}xyz",
    ]
    rnd = random.Random(7)
    missed, found = [], 0
    for w in words:
        stretched = w[:-1] + "ー" + w[-1:] if len(w) > 1 else w
        for v in sorted(kana_spellings(w) | {stretched, " ".join(w)}):
            text = rnd.choice(frames).format(w=v, e=rnd.choice(ends))
            doc = analyse_text(text)
            post = PostText(id="x", text=text, reply_to_official=True)
            if lex.match(doc, fast=False) or detector.detect(post, doc, detector.context):
                found += 1
                if not detector.prefilter(doc.text):
                    missed.append(text)
    assert found > 500 and missed == []


def test_a_gated_phrase_list_finds_what_its_regex_finds():
    """Every entry of every leak/pii list, as written, upper-cased and inside a sentence: the
    gated regex answers exactly as the regex itself."""
    from analysis import phrases
    from analysis.detectors import leak_signals

    checked = 0
    for name in leak_signals.FILES:
        for section, entries in phrases.sections(name).items():
            gated = phrases.regex(name, section)
            for entry in entries:
                word = entry.replace(phrases.GAP, "まだ")
                for text in (word.upper(), f"実は{word}なんです", f"ABC {word.title()}!"):
                    assert (gated.search(text) is None) == (gated.regex.search(text) is None), (name, text)
                    checked += 1
    assert checked > 1000


def test_hostility_words_in_any_spelling_pass_the_gate():
    detector = HostilityDetector(Context(AnalysisConfig()))
    for text in ("ぶっころすぞ", "市長しね", "ｼﾈ", "し ね よ 無 能", "ばーーか", "殺(ころ)してやる"):
        assert detector.prefilter(analyse_text(text).text), text
    assert not detector.prefilter(analyse_text("蓼科の紅葉がきれいでした").text)


@pytest.mark.parametrize(
    ("regex", "matching", "other"),
    [
        (r"夜道[^。!?]{0,12}(気をつけ|気を付け)", "夜道は気を付けな", "夜は気をつけて"),
        (r"(?<![ぁ-ゖ])し\s?ね(よ|や|!)", "し ねよ", "しねん"),
        (r"(電話|でんわ)[^。]{0,5}(鳴らし|かけ)(続け|まく)(ろ|よう)", "電話をかけまくろ", "電話をかけた"),
        (r"(?i)vpn", "VPNのパスワード", "ネット"),  # case-insensitive: read as "always run"
        (r"a\d+b|c", "a12b", ""),
    ],
)
def test_necessary_strings_are_in_every_match_and_absent_from_a_text_that_cannot_match(
    regex, matching, other
):
    needs = necessary_literals(regex)
    import re

    m = re.search(regex, matching)
    assert m is not None and all(any(w in m.group() for w in s) for s in needs)
    if needs and other:
        assert re.search(regex, other) is None
        assert any(not any(w in other for w in s) for s in needs)  # the gate would skip it


def test_literals_find_overlapping_strings():
    found = Literals(["死ね", "ね", "市長", "長"]).found("市長死ね")
    assert found == {"死ね", "ね", "市長", "長"}


def test_a_phrase_added_to_a_hostility_list_is_found_with_the_gates_on(tmp_path):
    """The gates learn a new list entry at once: nothing to register besides the word itself."""
    lexicon_dir = tmp_path / "hostility"
    shutil.copytree(HOSTILITY_DIR, lexicon_dir)
    with (lexicon_dir / "threat_phrases.txt").open("a", encoding="utf-8") as f:
        f.write("\nre:(窓口|庁舎)に(ピコピコハンマー|ハリセン)を持って(いく|行く) @violence 0.9\n")
    post = PostText(id="new", text="明日、庁舎にハリセンを持って行くからな", reply_to_official=True)
    for fast in (True, False):
        context = Context(AnalysisConfig(), fast=fast)
        findings = HostilityDetector(context, lexicon_dir).detect(post, analyse_text(post.text), context)
        assert [f.details["category"] for f in findings] == ["threat"], fast
        assert findings[0].evidence[0].text == "庁舎にハリセンを持って行く"
