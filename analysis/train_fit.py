"""How the learned second opinion is fitted and its thresholds chosen (scikit-learn, imported here only).

What is fitted: a TfidfVectorizer over `learned.features` (Sudachi lemmas and neighbouring
pairs, min_df 2, sublinear tf), one vocabulary for every kind, and one LogisticRegression
(C 4, balanced class weights) per kind on the posts labelled for it and not labelled irrelevant.
Features whose weight is below `PRUNE` in every kind are then dropped and the model refitted
without them (a smaller file, the same cross-validated F1), and the numbers are rounded to
`DIGITS` significant digits and put back into the scikit-learn objects, so the file is exactly
the model that was measured.

Thresholds are chosen by `FOLDS`-fold cross-validation (fixed seed), each fold fitted the same
way: per kind, the threshold (0.50–0.99) where the model's own out-of-fold F1 is best while its
own precision stays ≥ `MIN_PRECISION` (the model only on posts relevance accepts). Not the F1 of
the rules OR the model: the rules were written on this corpus and find nearly all of its
positives (F1 ≈ 0.99 here, 0.5–0.9 on posts written by people who never saw them), so here
every model alert beside them looks like a false alarm and that criterion would always say
"0.99"; what the model raises by itself, on posts it did not learn from, is the honest measure.
The rules-OR-model metrics are written to the file as well.

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
C = 4.0
MIN_DF = 2
PRUNE = 0.3
DIGITS = 6
MIN_PRECISION = 0.9
GRID = tuple(round(0.5 + 0.01 * i, 2) for i in range(50))  # 0.50 … 0.99


@dataclass
class Example:
    lemmas: list[str]
    labels: dict[str, bool | None]  # by kind
    relevant: bool  # relevance's verdict: the model is asked only about relevant posts
    rules: frozenset[str]  # kinds the rules reported


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


def _fit_heads(x: Any, rows: Sequence[Example], kinds: Sequence[str]) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    heads = {}
    for kind in kinds:
        idx = [i for i, e in enumerate(rows) if e.labels[kind] is not None]
        y = [e.labels[kind] for i, e in enumerate(rows) if e.labels[kind] is not None]
        if len(set(y)) < 2:
            continue  # one class only (a small fold): this kind cannot be fitted here
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        heads[kind] = clf.fit(x[idx], y)
    return heads


def fit(rows: Sequence[Example], kinds: Sequence[str] = KINDS, prune: float = PRUNE) -> Fitted:
    """Vectorizer and one classifier per kind; pruned, refitted and rounded (see the module docstring)."""
    import numpy as np

    docs = [e.lemmas for e in rows]
    vec = _vectorizer()
    x = vec.fit_transform(docs)
    heads = _fit_heads(x, rows, kinds)
    if prune and heads:
        weight = np.max(np.abs(np.vstack([h.coef_[0] for h in heads.values()])), axis=0)
        keep = sorted(f for f, j in vec.vocabulary_.items() if weight[j] >= prune)
        if keep:
            vec = _vectorizer(keep)
            x = vec.fit_transform(docs)
            heads = _fit_heads(x, rows, kinds)
    vec.idf_ = _rounded(vec.idf_)
    for h in heads.values():
        h.coef_, h.intercept_ = _rounded(h.coef_), _rounded(h.intercept_)
    return Fitted(vec, heads)


def _rounded(a: Any) -> Any:
    import numpy as np

    return np.array([float(f"{v:.{DIGITS}g}") for v in np.ravel(a)], dtype=np.float64).reshape(np.shape(a))


def out_of_fold(
    rows: Sequence[Example], kinds: Sequence[str], folds: int = FOLDS
) -> dict[str, list[float | None]]:
    """Each post's probability per kind from a model fitted without it (None: not computable)."""
    from sklearn.model_selection import StratifiedKFold

    out: dict[str, list[float | None]] = {k: [None] * len(rows) for k in kinds}
    if folds < 2:
        return out
    strata = ["".join("1" if e.labels[k] else "0" for k in kinds) for e in rows]
    with warnings.catch_warnings():  # a rare combination of labels has fewer posts than folds
        warnings.simplefilter("ignore", UserWarning)
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(strata, strata))
    for train_idx, test_idx in splits:
        fitted = fit([rows[i] for i in train_idx], kinds)
        probs = fitted.probabilities([rows[i].lemmas for i in test_idx])
        for kind, p in probs.items():
            for i, v in zip(test_idx, p, strict=True):
                out[kind][i] = float(v)
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
) -> dict[str, Any]:
    """The threshold (chosen as the module docstring says, or `given` when `fixed`: None = off) and
    its cross-validated metrics."""
    scored = [
        (e, p) for e, p in zip(rows, probs, strict=True) if e.labels[kind] is not None and p is not None
    ]
    truth = [bool(e.labels[kind]) for e, _ in scored]
    rules = [kind in e.rules for e, _ in scored]
    cv: dict[str, Any] = {"posts": len(scored), "positives": sum(truth), "rules": _prf(rules, truth)}
    if not scored or not any(truth) or all(truth):
        return cv | {"threshold": given if fixed else 0.5, "note": "too few labels for cross-validation"}

    def at(t: float) -> tuple[dict[str, float], dict[str, float]]:
        model = [e.relevant and p >= t for e, p in scored]
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
    return cv | {
        "threshold": threshold,
        "model": model,
        "rules_or_model": either,
        "model_precision_at_0.9": table[0.9][0]["precision"],
    }


def export(fitted: Fitted, cv: dict[str, dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """The model file's JSON: exactly the numbers in `fitted` (already rounded)."""
    kinds = [k for k in KINDS if k in fitted.heads]
    idf = fitted.vectorizer.idf_
    table = {}
    for feature, j in sorted(fitted.vectorizer.vocabulary_.items()):
        table[feature] = [float(idf[j]), *(float(fitted.heads[k].coef_[0][j]) for k in kinds)]
    heads = {
        k: {"bias": float(fitted.heads[k].intercept_[0]), "threshold": cv[k]["threshold"], "cv": cv[k]}
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
