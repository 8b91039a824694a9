"""When the rules can say a post is certainly NOT misinformation (`MisinformationDetector.veto`).

The learned second opinion reads words, not what is done with them: 「今年は雨で中止になりそう」
sounds like 「中止になったらしい」. The rules know the difference, and where they positively
establish it the engine drops the model's misinformation finding (never a rule's). A veto is
given only for what a post does, never for what it lacks:

- `DEBUNK`: it warns against a rumour (デマ, 信じないで, 詐欺なので注意: `lexicons/misinfo_debunk.txt`);
- `CORRECTS`: it names a rumour and corrects it with the official word (「中止って話が出回ってる
  けど、市の発表だと延期」), or quotes a wrong claim to correct it (「倍って言ってる人いるけど」);
- `AGREES`: it matches an official statement and agrees with it on every status, date, time
  and amount it states, and states no extent (全部, だけ) or eligibility (対象外) the comparison
  cannot check (each agreeing, none contradicting, none the statement leaves out);
- `GUESS`: every status it states is a guess, plan, wish, intention or opinion (「中止になり
  そう」「廃止する案」「開催されますように」「中止にすべき」), not a condition (「雨なら中止」
  states a rule, which may be wrong), and it states nothing alarming;
- `USUAL`: it says something goes on as planned or as usual (予定通り, 通常通り, 継続: nothing
  changes), every status it states is of that kind, nothing is alarming, and no official
  statement is on its topic to say otherwise;
- `INSIDER`: its author's profile says they work for the city: plans and figures not yet
  announced differ from the statement in force, and are the leak check's to judge;
- `QUESTION`: it only asks (every sentence ends as a question, no 「本当？」 about a claim, no
  hearsay asked back, nothing passed on);
- `NEWS`: a news feed's item (platform rss) that names its source (「市によると」「〜と市が発表」,
  a link to the city's site) and passes nothing on.
"""

from __future__ import annotations

from analysis.misinfo.claims import Claims, Mention, has, vocabulary
from analysis.misinfo.cues import Cues, Span
from analysis.misinfo.eligibility import EXCLUDED, included
from analysis.misinfo.extents import patterns
from analysis.misinfo.verdict import Verdict
from analysis.misinfo.view import View

DEBUNK = "warns against a rumour"
CORRECTS = "corrects a rumour with the official word"
AGREES = "agrees with the official statement on everything it states"
GUESS = "a guess, plan, wish or condition, not a claim"
USUAL = "says something goes on as planned, and no statement says otherwise"
INSIDER = "a city employee telling what they know from inside: for the leak check"
QUESTION = "a plain question with no claim"
# statuses saying something goes on (lexicons/misinfo_claims.toml [status]); one of UNCHANGED must be there
GOING_ON = frozenset({"held", "as_scheduled", "open", "continued"})
UNCHANGED = frozenset({"as_scheduled", "continued"})
NEWS = "a news report naming its source"

# cues that pass a claim on (not 「市によると」, which names a source)
PASSING_ON = ("hearsay", "rumour", "spread", "urge", "truth", "acted")


def _said(claims: Claims, clause: int, asked: bool) -> bool:
    c = claims.clauses[clause]
    return not (c.hedged or (c.question and not asked))


def stated(claims: Claims, asked: bool, text: str) -> int:
    """How many things the post states: statuses (a condition 「雨なら中止」 states a rule too),
    dates, times and amounts (not 「1世帯あたり」), words of extent (全部, だけ, 「だけじゃなくて」
    too) and who it is for (対象外, もらえる), each outside a hedged clause or a plain question."""
    n = sum(not m.opinion and not m.past and (asked or not m.question) for m in claims.mentions)
    n += sum(s.role != "per" and _said(claims, s.clause, asked) for s in claims.slots)
    pats = patterns()
    for name in ("claimed_all", "stated_all", "part"):
        n += sum(_said(claims, claims.clause_at(m.start()), asked) for m in pats[name].finditer(text))
    n += len(included(text, claims))
    n += sum(1 for c in claims.clauses if EXCLUDED.search(text, c.start, c.end))
    return n


def agrees(verdict: Verdict, claims: Claims, asked: bool, text: str) -> bool:
    """Agreement on every slot it states: some agree, none conflict, and nothing it states goes
    unchecked (a status the statement never mentions, an extent, who it is for)."""
    return (
        verdict.agreements > 0
        and not verdict.conflicts
        and not any(not m.opinion and (asked or not m.question) for m in verdict.unknown)
        and verdict.agreements >= stated(claims, asked, text)
    )


def unasserted(
    doc: View, claims: Claims, cues: Cues, alarming: list[Span], asked: bool, news: bool, matched: bool
) -> str | None:
    """`CORRECTS` (a claim quoted to correct it), `NEWS`, `GUESS`, `USUAL` or `QUESTION` when the
    post is one of them, else None. `alarming`: the alarming words it asserts; `news`: a news
    feed's item that names its source; `matched`: an official statement is on its topic."""
    if cues["quoted"] and not asked:
        return CORRECTS
    passing = cues.any(*PASSING_ON)
    if news and not passing:
        return NEWS
    if passing and not all(k == "hearsay" for k in cues.rumour_kinds):
        return None
    if alarming or not claims.clauses:
        return None
    mentions = claims.mentions
    if mentions and all(_guessed(doc, claims, m) for m in mentions) and not _plain_slots(claims):
        return GUESS
    said = [m for m in mentions if m.asserted and not m.question]
    if (
        not matched
        and said
        and all(m.category in GOING_ON and not m.negated for m in said)
        and any(m.category in UNCHANGED for m in said)
    ):
        return USUAL
    if passing or asked:
        return None
    if all(c.question for c in claims.clauses) and all(m.question for m in mentions):
        return QUESTION
    return None


def _guessed(doc: View, claims: Claims, m: Mention) -> bool:
    """A status said as a guess, plan, wish or opinion (「中止になりそう」「廃止する案」「中止に
    すべき」), not as a condition (「雨なら中止」 states a rule, which may be wrong)."""
    if m.opinion:
        return True
    if not m.conditional:
        return False
    c = claims.clauses[m.clause]
    before = vocabulary().condition_before
    return not any(has(before, t) for t in doc.tokens[c.tok_start : c.tok_end] if t.begin < m.start)


def _plain_slots(claims: Claims) -> bool:
    """A date, time or amount stated outside any hedged or questioning clause."""
    return any(s.role != "per" and _said(claims, s.clause, False) for s in claims.slots)
