"""How the learned second opinion is fitted and its thresholds chosen (scikit-learn, imported here only).

What is fitted: a TfidfVectorizer over `learned.features` (Sudachi lemmas and neighbouring
pairs, min_df 2, sublinear tf), one vocabulary for every kind, and one LogisticRegression
(C 16, balanced class weights) per kind on the posts labelled for it. Features whose weight is
below `PRUNE` in every kind are then dropped and the model refitted without them (a smaller
file, the same cross-validated F1), and the numbers are rounded to `DIGITS` significant digits
and put back into the scikit-learn objects, so the file is exactly the model that was measured.

Tone is not aggression: the hostility head (`TONE_BLIND`) may not weigh a feature made only of
particles, auxiliaries and punctuation (ね, よ, だろ, ｗ, 「。 」): their columns are zeroed while
it is fitted and its weights there are 0, so a casual ending alone never makes a post hostile
(with them, the corpus taught it that casual = hostile, because its civil posts were polite). A
lemma counts as such a word when most of its occurrences in the training posts are one. The
features themselves, and the other heads (hearsay endings are what a rumour sounds like), are
unchanged, so inference is the same dot product.

Thresholds are chosen by `FOLDS`-fold cross-validation, repeated `REPEATS` times with
different shuffles (fixed seeds; one split's threshold moved by ±0.04 with the seed, the pooled
one does not), each fold fitted the same way: per kind, the threshold (0.50–0.99) where the
model's own out-of-fold F1 is best while its own precision stays ≥ `MIN_PRECISION`. The model
is counted only on posts it would be asked about: relevance accepted them, or their label says
they are relevant (posts from the city's own sources often never name the city), and not on posts
the rules veto for that kind (`Example.vetoed`: a warning against a rumour, a guess, a repeat of
the statement; the engine drops the model's finding there, see `analysis.misinfo.vetoes`). For a source
of general sentences (japanese-toxic-dataset's, `watch`) the share of its negatives the model
flags at the threshold is recorded too: the false alarms to expect on chatter from outside the
corpus's world. It is reported, not a constraint: the product's bar (3%) is tested on the
dataset's held-back half, and on the training half's ~100 sentences the share swings by a
percentage point or two with how the folds fall. Not the F1
of the rules OR the model: the rules were written on this corpus and find nearly all of its
positives (F1 ≈ 0.99 here, 0.5–0.9 on posts written by people who never saw them), so here
every model alert beside them looks like a false alarm and that criterion would always say
"0.99"; what the model raises by itself, on posts it did not learn from, is the honest measure.
The rules-OR-model metrics are written to the file as well.

For a kind whose rules say "suggested" or "confirmed" (`SUPPORTED`: misinformation), the model's
support a rule finding needs is chosen next, on the same out-of-fold probabilities:
the value in `SUPPORT_GRID` where rules and model together score best (`_support`). Here the
rules' own corpus bias matters less, since the choice only removes rule findings: it was checked
against rules that had not seen the posts (README, "The learned second opinion").

A threshold may also be given (`fixed`, `kikimimi train --threshold KIND=VALUE|off`): a kind
the corpus cannot vouch for. Its metrics at that threshold are still recorded. Settings can
override any threshold at run time ([analysis] model_*_threshold).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.learned import FEATURE_SPEC, FORMAT, KINDS, features

SEED = 0
FOLDS = 5
REPEATS = 3
C = 16.0
MIN_DF = 2
PRUNE = 0.3
DIGITS = 6
MIN_PRECISION = 0.85
GRID = tuple(round(0.5 + 0.01 * i, 2) for i in range(50))  # 0.50 … 0.99
# 0 (no support needed) … 0.1: the rules saw the training posts, so out of fold a higher support
# looks better than it is (0.25 chosen there gained nothing over 0.1 on blind sets d and e, and
# dropped a hearsay question the tests expect to be checked)
SUPPORT_GRID = (0.0, 0.05, 0.1)
TONE_BLIND = ("hostility",)  # heads that may not weigh particles, auxiliaries and punctuation alone
# kinds whose rules say "suggested" or "confirmed": their findings may need the model's support
SUPPORTED = ("misinformation",)
TONE_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})


@dataclass
class Example:
    lemmas: list[str]
    labels: dict[str, bool | None]  # by kind
    relevant: bool  # the model would be asked about it (relevance accepted it, or its label says so)
    rules: frozenset[str]  # kinds the rules reported
    pos: Sequence[str] = ()  # each word's part of speech (its first level), for TONE_BLIND
    source: str = ""  # the Source it came from
    suggested: frozenset[str] = frozenset()  # kinds the rules reported only as suggested (not confirmed)
    vetoed: frozenset[str] = frozenset()  # kinds the rules say it certainly is not (`Analyzer.vetoes`)


@dataclass
class Fitted:
    vectorizer: Any  # sklearn TfidfVectorizer
    heads: dict[str, Any]  # kind → sklearn LogisticRegression

    def probabilities(self, lemmas: Sequence[Sequence[str]]) -> dict[str, Any]:
        x = self.vectorizer.transform(lemmas)
        return {k: h.predict_proba(x)[:, 1] for k, h in self.heads.items()}


def _vectorizer(vocabulary: Sequence[str] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if vocabulary is None:
        return TfidfVectorizer(analyzer=features, min_df=MIN_DF, sublinear_tf=True, lowercase=False)
    return TfidfVectorizer(analyzer=features, sublinear_tf=True, lowercase=False, vocabulary=vocabulary)


def tone_lemmas(rows: Sequence[Example]) -> frozenset[str]:
    """Lemmas that are mostly particles, auxiliaries or punctuation in these posts."""
    seen: dict[str, list[int]] = {}
    for e in rows:
        for lemma, pos in zip(e.lemmas, e.pos, strict=False):
            n = seen.setdefault(lemma, [0, 0])
            n[0] += 1
            n[1] += pos in TONE_POS
    return frozenset(w for w, (total, tone) in seen.items() if 2 * tone > total)


def _tone_columns(vec: Any, tone: frozenset[str]) -> Any:
    """1 for a feature with a content word in it, 0 for one made only of `tone` lemmas."""
    import numpy as np

    keep = np.ones(len(vec.vocabulary_))
    for feature, j in vec.vocabulary_.items():
        if all(part in tone for part in feature.split(" ") if part):
            keep[j] = 0.0
    return keep


def _fit_heads(x: Any, rows: Sequence[Example], kinds: Sequence[str], keep: Any) -> dict[str, Any]:
    """One classifier per kind; a TONE_BLIND kind sees only the columns `keep` marks 1."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    heads = {}
    for kind in kinds:
        idx = [i for i, e in enumerate(rows) if e.labels[kind] is not None]
        y = [e.labels[kind] for i, e in enumerate(rows) if e.labels[kind] is not None]
        if len(set(y)) < 2:
            continue  # one class only (a small fold): this kind cannot be fitted here
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        if kind in TONE_BLIND:
            clf.fit(x[idx] @ diags(keep), y)
            clf.coef_[0][keep == 0] = 0.0  # exactly: the columns it never saw weigh nothing
        else:
            clf.fit(x[idx], y)
        heads[kind] = clf
    return heads


def fit(rows: Sequence[Example], kinds: Sequence[str] = KINDS, prune: float = PRUNE) -> Fitted:
    """Vectorizer and one classifier per kind; pruned, refitted and rounded (see the module docstring)."""
    import numpy as np

    docs = [e.lemmas for e in rows]
    tone = tone_lemmas(rows)
    vec = _vectorizer()
    x = vec.fit_transform(docs)
    heads = _fit_heads(x, rows, kinds, _tone_columns(vec, tone))
    if prune and heads:
        weight = np.max(np.abs(np.vstack([h.coef_[0] for h in heads.values()])), axis=0)
        keep = sorted(f for f, j in vec.vocabulary_.items() if weight[j] >= prune)
        if keep:
            vec = _vectorizer(keep)
            x = vec.fit_transform(docs)
            heads = _fit_heads(x, rows, kinds, _tone_columns(vec, tone))
    vec.idf_ = _rounded(vec.idf_)
    for h in heads.values():
        h.coef_, h.intercept_ = _rounded(h.coef_), _rounded(h.intercept_)
    return Fitted(vec, heads)


def _rounded(a: Any) -> Any:
    import numpy as np

    return np.array([float(f"{v:.{DIGITS}g}") for v in np.ravel(a)], dtype=np.float64).reshape(np.shape(a))


def out_of_fold(
    rows: Sequence[Example], kinds: Sequence[str], folds: int = FOLDS, repeats: int = REPEATS
) -> dict[str, list[float | None]]:
    """Each post's probability per kind from a model fitted without it (None: not computable),
    once per repetition: post i of repetition r is item r × len(rows) + i."""
    from sklearn.model_selection import StratifiedKFold

    n = len(rows)
    out: dict[str, list[float | None]] = {k: [None] * (n * repeats) for k in kinds}
    if folds < 2:
        return out
    strata = ["".join("1" if e.labels[k] else "0" for k in kinds) for e in rows]
    for r in range(repeats):
        with warnings.catch_warnings():  # a rare combination of labels has fewer posts than folds
            warnings.simplefilter("ignore", UserWarning)
            folding = StratifiedKFold(folds, shuffle=True, random_state=SEED + r)
            splits = list(folding.split(strata, strata))
        for train_idx, test_idx in splits:
            fitted = fit([rows[i] for i in train_idx], kinds)
            probs = fitted.probabilities([rows[i].lemmas for i in test_idx])
            for kind, p in probs.items():
                for i, v in zip(test_idx, p, strict=True):
                    out[kind][r * n + i] = float(v)
    return out


def _prf(pred: Sequence[bool], truth: Sequence[bool]) -> dict[str, float]:
    tp = sum(p and t for p, t in zip(pred, truth, strict=True))
    fp = sum(p and not t for p, t in zip(pred, truth, strict=True))
    fn = sum(t and not p for p, t in zip(pred, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def choose_threshold(
    rows: Sequence[Example],
    kind: str,
    probs: Sequence[float | None],
    fixed: bool = False,
    given: float | None = None,
    watch: Sequence[str] = (),
) -> dict[str, Any]:
    """The threshold (chosen as the module docstring says, or `given` when `fixed`: None = off) and
    its cross-validated metrics. `probs` may hold several repetitions (see `out_of_fold`): they
    are pooled. `watch`: sources whose negatives' false-alarm rate is recorded."""
    n = len(rows)
    scored = [
        (rows[i % n], p)
        for i, p in enumerate(probs)
        if rows[i % n].labels[kind] is not None and p is not None
    ]
    truth = [bool(e.labels[kind]) for e, _ in scored]
    rules = [kind in e.rules for e, _ in scored]
    once = [e for e in rows if e.labels[kind] is not None]
    cv: dict[str, Any] = {
        "posts": len(once),
        "positives": sum(bool(e.labels[kind]) for e in once),
        "rules": _prf([kind in e.rules for e in once], [bool(e.labels[kind]) for e in once]),
    }
    if not scored or not any(truth) or all(truth):
        return cv | {"threshold": given if fixed else 0.5, "note": "too few labels for cross-validation"}
    watched = {name: [p for e, p in scored if e.source == name and e.labels[kind] is False] for name in watch}
    watched = {name: ps for name, ps in watched.items() if ps}

    def at(t: float) -> tuple[dict[str, float], dict[str, float]]:
        model = [e.relevant and p >= t and kind not in e.vetoed for e, p in scored]
        return _prf(model, truth), _prf([r or m for r, m in zip(rules, model, strict=True)], truth)

    table = {t: at(t) for t in GRID}
    allowed = [t for t in GRID if table[t][0]["precision"] >= MIN_PRECISION]
    if allowed:
        best = max(allowed, key=lambda t: (table[t][0]["f1"], t))
    else:
        best = max(GRID, key=lambda t: (table[t][0]["precision"], t))
        cv["note"] = f"the model never reaches precision {MIN_PRECISION} here; its most precise threshold"
    cv["cv_threshold"] = best
    threshold = given if fixed else best
    model, either = at(threshold) if threshold is not None else table[best]
    if fixed:
        cv["note"] = (
            "threshold given at training time" if given is not None else "off: given at training time"
        )
    at_t = threshold if threshold is not None else best
    if watched:
        cv["false_alarms"] = {n: round(sum(p >= at_t for p in ps) / len(ps), 4) for n, ps in watched.items()}
    if kind in SUPPORTED and threshold is not None:
        cv |= _support(scored, truth, kind, threshold)
    return cv | {
        "threshold": threshold,
        "model": model,
        "rules_or_model": either,
        "model_precision_at_0.9": table[0.9][0]["precision"],
    }


def _support(
    scored: Sequence[tuple[Example, float]], truth: list[bool], kind: str, t: float
) -> dict[str, Any]:
    """The support a rule's finding needs (`learned.Head.support`): where the F1 of the rules and
    the model together is best, each rule finding standing when the model's out-of-fold
    probability reaches it, the model alone at `t` where no rule reported the kind and none
    vetoes it. Ties go to the lower support."""

    def together(s: float) -> dict[str, float]:
        pred = [
            p >= s if kind in e.rules else e.relevant and p >= t and kind not in e.vetoed for e, p in scored
        ]
        return _prf(pred, truth)

    table = {s: together(s) for s in SUPPORT_GRID}
    best = max(SUPPORT_GRID, key=lambda s: (table[s]["f1"], -s))
    return {
        "support": best or None,
        "rules_and_model": table[best],
        "rules_and_model_unsupported": table[0.0],
    }


def export(fitted: Fitted, cv: dict[str, dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """The model file's JSON: exactly the numbers in `fitted` (already rounded)."""
    kinds = [k for k in KINDS if k in fitted.heads]
    idf = fitted.vectorizer.idf_
    table = {}
    for feature, j in sorted(fitted.vectorizer.vocabulary_.items()):
        table[feature] = [float(idf[j]), *(float(fitted.heads[k].coef_[0][j]) for k in kinds)]
    heads = {
        k: {
            "bias": float(fitted.heads[k].intercept_[0]),
            "threshold": cv[k]["threshold"],
            **({"support": cv[k]["support"]} if cv[k].get("support") is not None else {}),
            "cv": cv[k],
        }
        for k in kinds
    }
    digest = hashlib.sha256(json.dumps([table, heads], sort_keys=True).encode()).hexdigest()[:10]
    return {
        "format": FORMAT,
        "format_version": 1,
        "feature_spec": FEATURE_SPEC,
        "model_version": f"{meta.get('trained_at', '')[:10].replace('-', '')}-{digest}",
        **meta,
        "kinds": kinds,
        "heads": heads,
        "features": table,
    }
