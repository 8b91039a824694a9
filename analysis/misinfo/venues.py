"""Where something happens: the places a text names as a venue, so a post's venue can be checked
against the statement's (「避難所は茅野市民館だって」 against 「…コミュニティセンターを避難所として
開設」, 「市民館ではやらないらしい」 against 「本庁舎1階と茅野市民館の2か所で行います」).

A place is a run of nouns ending in a name of a place (固有名詞) or a word for a facility (館, 場,
センター, 公園 …: `lexicons/misinfo_claims.toml` [venue] suffixes). It is a venue when its clause
has a venue word (会場, 避難所 …) or when で follows it (「ベルビアでやる」); a place followed by
じゃなくて or ではなく is one the text says is not the venue.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.misinfo.claims import Claims, topic_key
from analysis.misinfo.view import View
from analysis.misinfo.vocab import Vocabulary

_AT = ("で", "にて")
# 「市役所に来る」「運動公園に変わった」: に and a verb of coming or moving
_MOVE = frozenset(
    {"来る", "行く", "変わる", "変更", "移る", "移転", "配置", "設置", "開設", "集合", "集まる", "決まる"}
)
VENUE_STATUSES = frozenset({"held", "open", "changed", "as_scheduled"})  # 「〜でやる」「〜で開催」
_NOT = ("じゃ", "では", "でな", "ではな")


@dataclass(frozen=True)
class Venue:
    clause: int
    head: str  # the place's last word (市民館, 体育館, ベルビア)
    words: frozenset[str]  # all its words (茅野, 運動, 公園, 総合, 体育館)
    start: int
    end: int
    denied: bool = False  # 「市民館じゃなくて」「市民館ではやらない」 (a negated verb after で)


def _is_place_end(t, suffixes: tuple[str, ...]) -> bool:
    if t.pos[0] == "名詞" and t.pos[1] == "固有名詞" and t.pos[2] != "人名":
        return True
    return t.surface.endswith(suffixes) and t.pos[0] in ("名詞", "接尾辞")


_AROUND = frozenset({"周辺", "付近", "一帯", "前", "内", "周り"})  # 「本町通り周辺で」: still that place


def venues(doc: View, claims: Claims, vocab: Vocabulary, statement: bool = False) -> list[Venue]:
    """The places a text names as venues, clause by clause. In a statement every place in a clause
    that holds or moves something is its venue (「本庁舎1階と茅野市民館の2か所で行います」)."""
    toks = doc.tokens
    suffixes = vocab.venue_suffixes
    out: list[Venue] = []
    held = (
        {claims.clauses[m.clause].sentence for m in claims.mentions if m.category in VENUE_STATUSES}
        if statement
        else set()
    )
    worded = {  # sentences with a venue word (「花火大会の会場、運動公園に変更」)
        c.sentence for c in claims.clauses if any(w in doc.text[c.start : c.end] for w in vocab.venue)
    }
    for ci, c in enumerate(claims.clauses):
        has_word = c.sentence in held or c.sentence in worded
        if statement and has_word:  # a statement's venue sentence: all its words tell the venue
            words = frozenset(c.nouns) - vocab.venue
            if words:
                out.append(Venue(ci, "", words, c.start, c.end))
        k = c.tok_start
        while k < c.tok_end:
            if toks[k].pos[0] != "名詞":
                k += 1
                continue
            j = k  # a run of nouns and noun suffixes
            while (
                j + 1 < c.tok_end
                and toks[j + 1].pos[0] in ("名詞", "接尾辞")
                and toks[j + 1].pos[1] != "数詞"
            ):
                j += 1
            end = j - 1 if toks[j].surface in _AROUND and j > k else j
            last = toks[end]
            if _is_place_end(last, suffixes):
                words = {w for t in toks[k : end + 1] if (w := topic_key(t, vocab))}
                head = topic_key(last, vocab) or ""
                if last.pos[0] == "接尾辞" and end > k:  # 市民 + 館
                    head = toks[end - 1].surface + last.surface
                    words.add(head)
                after = toks[j + 1].surface if j + 1 < len(toks) else ""
                after2 = "".join(t.surface for t in toks[j + 1 : j + 4])
                moved = after == "に" and j + 2 < len(toks) and toks[j + 2].normalized in _MOVE
                located = after in _AT or moved or statement  # (a statement: any place it names)
                denied = (
                    after2.startswith(_NOT)
                    and "なく" in after2
                    or (located and _negated_after(toks, j + 1, c.tok_end, vocab))
                )
                own = doc.text[toks[k].begin : last.end]
                if head and not any(w in own for w in vocab.venue) and (has_word or located or denied):
                    out.append(Venue(ci, head, frozenset(words), toks[k].begin, last.end, denied))
            k = j + 1
    return out


def _negated_after(toks, k: int, end: int, vocab: Vocabulary) -> bool:
    """「市民館ではやらない」: a negation before the clause ends, after で."""
    return any(t.normalized in vocab.negation or t.surface in vocab.negation for t in toks[k:end])
