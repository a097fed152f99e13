"""The learned ranker: a small network over candidate features, its JSON file and `LearnedRanker`.

score = z . linear + tanh(z W1 + b1) . w2, with z the standardised features (clipped to +-5 so a
program far outside the training data cannot dominate by one feature). Scores are turned into a
softmax over the task's candidates: the share a candidate gets is the model's belief that it is
the right pick, which is what the result reports as its score. The file is plain JSON (a few KB):
no pickle, no torch, nothing fetched at run time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from dsl.core import Task
from dsl.errors import NesyInputError
from nesy.ranking.features import FEATURES, candidate_features
from solvers.search.ranking import Candidate

FORMAT = "nesy-ranker/1"
CLIP = 5.0
SHIPPED = {"strings": "ranker-strings.json"}    # DSL name -> file in datasets/guides/


@dataclass
class RankerWeights:
    """Standardisation and the two layers; shapes: mean, scale, linear (F,), w1 (F, H), b1, w2 (H,)."""

    mean: np.ndarray
    scale: np.ndarray
    linear: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    features: tuple[str, ...] = FEATURES
    card: dict[str, Any] = field(default_factory=dict)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        return np.clip((x - self.mean) / self.scale, -CLIP, CLIP)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(candidates, F) raw features -> (candidates,) scores."""
        z = self.standardise(x)
        return z @ self.linear + np.tanh(z @ self.w1 + self.b1) @ self.w2

    def to_json(self) -> dict[str, Any]:
        arrays = {name: getattr(self, name).tolist() for name in ("mean", "scale", "linear", "w1", "b1", "w2")}
        return {"format": FORMAT, "features": list(self.features), **arrays, "card": self.card}

    @staticmethod
    def from_json(data: dict[str, Any], source: str) -> "RankerWeights":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NesyInputError(f"ranker {source}: not a ranker file ({FORMAT})")
        if tuple(data.get("features", ())) != FEATURES:
            raise NesyInputError(f"ranker {source}: made for other features than this version computes; "
                                 "retrain it with 'nesy train ranker'")
        try:
            arrays = {name: np.asarray(data[name], dtype=np.float64)
                      for name in ("mean", "scale", "linear", "w1", "b1", "w2")}
        except (KeyError, TypeError, ValueError) as error:
            raise NesyInputError(f"ranker {source}: damaged weights ({error})") from None
        width, hidden = len(FEATURES), arrays["b1"].shape[0] if arrays["b1"].ndim == 1 else -1
        expected = {"mean": (width,), "scale": (width,), "linear": (width,), "w1": (width, hidden),
                    "b1": (hidden,), "w2": (hidden,)}
        if any(arrays[name].shape != shape for name, shape in expected.items()) or \
                not all(np.isfinite(a).all() for a in arrays.values()) or (arrays["scale"] <= 0).any():
            raise NesyInputError(f"ranker {source}: damaged weights (shapes or values)")
        return RankerWeights(**arrays, card=dict(data.get("card") or {}))


class LearnedRanker:
    """A `solvers.search.ranking.Ranker`: the model's softmax share of each candidate.

    Example:
        >>> from nesy.api import as_task
        >>> from solvers.search.ranking import Candidate
        >>> from dsl.strings import STRINGS
        >>> task = as_task([("john@x.com", "john"), ("mary@yahoo.org", "mary")])
        >>> general = STRINGS.parse('(str.substr x0 0 (str.indexof x0 "@" 0))', {"x0": task.inputs[0].type})
        >>> fixed = STRINGS.parse('(str.substr x0 0 4)', {"x0": task.inputs[0].type})
        >>> probes = [("carol@gmail.com",), ("al@b.de",)]
        >>> candidates = [Candidate(fixed, ("caro", "al@b"), order=0), Candidate(general, ("carol", "al"), order=1)]
        >>> # with a trained file (`nesy train ranker`; none is shipped yet):
        >>> # load_ranker(path).scores(task, probes, candidates) gives each candidate its share
    """

    name = "learned"

    def __init__(self, weights: RankerWeights, source: str = "<memory>") -> None:
        self.weights = weights
        self.source = source

    def scores(self, task: Task, probes: Sequence[tuple[Any, ...]], candidates: Sequence[Candidate]) -> list[float]:
        if not candidates:
            return []
        logits = self.weights.logits(candidate_features(task, probes, candidates))
        shares = np.exp(logits - logits.max())
        return [float(s) for s in shares / shares.sum()]


def shipped_ranker_path(dsl_name: str) -> Path | None:
    """Where the shipped ranker of a DSL lives (`datasets/guides/`), or None if it has none."""
    name = SHIPPED.get(dsl_name)
    return None if name is None else Path(__file__).resolve().parents[2] / "datasets" / "guides" / name


def to_text(weights: RankerWeights) -> str:
    """The file's text: compact arrays, the card readable."""
    return json.dumps(weights.to_json(), indent=None, separators=(",", ":")) + "\n"


def save_ranker(weights: RankerWeights, path: str | Path) -> None:
    Path(path).write_text(to_text(weights), encoding="utf-8")


def load_ranker(path: str | Path | None = None) -> LearnedRanker:
    """The ranker in `path` (default: the string DSL's shipped one); a clear error for a file
    that is missing, not JSON, or made for other features."""
    path = Path(path) if path is not None else shipped_ranker_path("strings")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise NesyInputError(f"ranker {path}: cannot read it ({error.strerror or error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NesyInputError(f"ranker {path}: not JSON ({error})") from None
    return LearnedRanker(RankerWeights.from_json(data, str(path)), str(path))
