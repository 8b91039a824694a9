"""The learned second opinion: a linear model over Sudachi lemmas, evaluated in plain Python.

`analysis/train.py` fits it with scikit-learn (`TfidfVectorizer(analyzer=features,
sublinear_tf=True)` and one `LogisticRegression` per kind) and writes the numbers to a model
file; this module only reads them, so scikit-learn is never needed at run time. The arithmetic
is scikit-learn's, in the same order: a feature's value is (1 + ln count) × idf, features not in
the vocabulary are dropped before the vector is L2-normalised, and each kind's probability is
the logistic function of the dot product plus the bias (`tests/analysis/test_learned.py` checks
it against `predict_proba` to 1e-9).

Model file (`models/linear.json.gz`, gzip or plain JSON): `format`, `feature_spec`,
`model_version`, `trained_at`, `training`, `kinds` (hostility, misinformation, leak),
`heads` (per kind: `bias`, `threshold`, optional `support`, `cv` metrics) and `features`
(feature → [idf, one weight per kind in the order of `kinds`]).
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

FORMAT = "kikimimi-linear"
# lemma unigrams plus each pair of neighbouring lemmas joined by one space: bump the version
# whenever `features` changes, so a model trained on the old features is refused
FEATURE_SPEC = "sudachi-normalized-form-1-2gram/1"
KINDS = ("hostility", "misinformation", "leak")
DEFAULT_PATH = Path(__file__).parent / "models" / "linear.json.gz"


class ModelError(ValueError):
    """A model file that cannot be used: the message names the file and what to do."""


def features(lemmas: Sequence[str]) -> list[str]:
    """The features of a text: its lemmas and every pair of neighbouring lemmas ("a b").

    Also the `analyzer` the training's TfidfVectorizer uses, so both sides count the same things.
    """
    return [*lemmas, *map(" ".join, pairwise(lemmas))]


@dataclass(frozen=True)
class Head:
    kind: str
    bias: float
    threshold: float | None  # chosen at training time (None: off); settings may override it
    cv: dict[str, Any] = field(default_factory=dict, compare=False)
    # a rule's finding of this kind stands only when the model's probability reaches this
    # (None: it always stands); chosen at training time
    support: float | None = None


@dataclass(frozen=True)
class LinearModel:
    """One shared vocabulary and idf, one weight vector and bias per kind. Read-only once loaded.

    Features are numbered from 1 (`index`); `idf_squared[i]` and each `weights[k][i]` (idf ×
    the kind's weight) are what feature i adds to the squared norm and to kind k's dot product
    when it occurs once, so a text is scored by summing list items picked by index.
    """

    version: str
    heads: tuple[Head, ...]
    # feature → number; a pair of lemmas is also found by the tuple (a, b) of every way its string
    # "a b" splits at a space (so no string is joined per pair, and the same pairs meet as in "a b")
    index: dict[str | tuple[str, str], int] = field(repr=False)
    idf: list[float] = field(repr=False)  # [0] unused
    weights: tuple[list[float], ...] = field(repr=False)  # per head, idf × weight
    metadata: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    idf_squared: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "idf_squared", [v * v for v in self.idf])

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(h.kind for h in self.heads)

    def _found(self, lemmas: Sequence[str]) -> list[int]:
        """The numbers of the text's features that are in the vocabulary, once per occurrence."""
        get = self.index.get
        return [*filter(None, map(get, lemmas)), *filter(None, map(get, pairwise(lemmas)))]

    def probabilities(self, lemmas: Sequence[str]) -> dict[str, float]:
        """Each kind's probability for a text given as its lemmas (`Doc.lemmas`)."""
        found = self._found(lemmas)
        counts = Counter(found)
        isq = self.idf_squared
        squares = sum(map(isq.__getitem__, counts))  # every feature as if it occurred once (tf 1) ...
        dots = [sum(map(w.__getitem__, counts)) for w in self.weights]
        if len(counts) != len(found):  # ... then what a repeated one adds: its tf is 1 + ln(count)
            for i, c in counts.items():
                if c > 1:
                    extra = math.log(c)
                    squares += (2.0 + extra) * extra * isq[i]  # (1 + ln c)² − 1
                    for k, w in enumerate(self.weights):
                        dots[k] += extra * w[i]
        norm = math.sqrt(squares)
        return {
            h.kind: _sigmoid(h.bias + (dot / norm if norm else 0.0))
            for h, dot in zip(self.heads, dots, strict=True)
        }

    def contributions(self, lemmas: Sequence[str], kind: str) -> list[tuple[str, float]]:
        """Features that raised `kind`'s score, largest first: (feature, its share of the score)."""
        out = self.shares(lemmas, kind).items()
        return sorted((c for c in out if c[1] > 0), key=lambda c: (-c[1], c[0]))

    def shares(self, lemmas: Sequence[str], kind: str) -> dict[str, float]:
        """Every feature's share of `kind`'s score (before the bias and the sigmoid), either sign."""
        w = self.weights[self.kinds.index(kind)]
        counts = Counter(f for f in chain(lemmas, map(" ".join, pairwise(lemmas))) if f in self.index)
        tfs = {f: 1.0 + math.log(c) if c > 1 else 1.0 for f, c in counts.items()}
        norm = math.sqrt(sum(tf * tf * self.idf_squared[self.index[f]] for f, tf in tfs.items()))
        if not norm:
            return {}
        return {f: tf * w[self.index[f]] / norm for f, tf in tfs.items()}


def _sigmoid(z: float) -> float:
    """The logistic function, as scipy's expit computes it (no overflow for large |z|)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def read_model_file(path: Path) -> dict[str, Any]:
    """The model file's JSON (gzip when the file starts with gzip's magic bytes)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ModelError(f"model file {path}: cannot read it ({e.strerror}); run `kikimimi train`") from None
    try:
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        data = json.loads(text)
    except (OSError, EOFError, ValueError) as e:
        raise ModelError(
            f"model file {path}: not a model ({e}); run `kikimimi train` to write it again"
        ) from None
    if not isinstance(data, dict):
        raise ModelError(f"model file {path}: not a model (no JSON object); run `kikimimi train`")
    return data


def model_from_data(data: dict[str, Any], where: str = "model") -> LinearModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"{where}: format {data.get('format')!r} is not {FORMAT!r}")
    if data.get("feature_spec") != FEATURE_SPEC:
        raise ModelError(
            f"{where}: trained on features {data.get('feature_spec')!r}, this kikimimi computes "
            f"{FEATURE_SPEC!r}; run `kikimimi train` to retrain it"
        )
    try:
        kinds = list(data["kinds"])
        heads = tuple(
            Head(
                k,
                float(h["bias"]),
                None if h["threshold"] is None else float(h["threshold"]),
                h.get("cv", {}),
                None if h.get("support") is None else float(h["support"]),
            )
            for k, h in ((k, data["heads"][k]) for k in kinds)
        )
        n = len(kinds) + 1
        index: dict[str | tuple[str, str], int] = {}
        idf = [0.0]
        weights: tuple[list[float], ...] = tuple([0.0] for _ in kinds)
        for feature, values in data["features"].items():
            if len(values) != n:
                raise ValueError(f"feature {feature!r} has {len(values)} numbers, expected {n}")
            index[feature] = len(idf)
            for j, char in enumerate(feature):
                if char == " ":
                    index[(feature[:j], feature[j + 1 :])] = len(idf)
            idf.append(float(values[0]))
            for k, w in enumerate(values[1:]):
                weights[k].append(float(values[0]) * float(w))
    except (KeyError, TypeError, ValueError) as e:
        raise ModelError(f"{where}: malformed ({e!r}); run `kikimimi train` to write it again") from None
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ModelError(f"{where}: unknown kind {sorted(unknown)[0]!r} (known: {', '.join(KINDS)})")
    meta = {k: v for k, v in data.items() if k not in ("features", "heads")}
    return LinearModel(str(data.get("model_version", "")), heads, index, idf, weights, meta)


def load_model(path: str | Path | None = None) -> LinearModel:
    """The model at `path` (default: the one shipped in `analysis/models/`), read once per file version."""
    p = Path(path) if path else DEFAULT_PATH
    try:
        st = p.stat()
    except OSError:
        raise ModelError(
            f"model file {p}: not found; run `kikimimi train`, or set [analysis] model_enabled = false"
        ) from None
    return _load(str(p.resolve()), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> LinearModel:
    """Cached by file version: every Analyzer of a process shares one read-only model."""
    return model_from_data(read_model_file(Path(path)), f"model file {path}")
