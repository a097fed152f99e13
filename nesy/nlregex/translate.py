"""One description (and perhaps example strings) -> a regex: the whole neuro-symbolic pipeline.

>>> from nesy.nlregex.translate import translate
>>> result = translate("lines that contain 'dog' at least twice")      # doctest: +SKIP
>>> result.answer.text                                                  # doctest: +SKIP
'(.*dog.*){2,}'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from nesy.nlregex.data import prepare_description
from nesy.nlregex.rerank import Candidate, Reranked, choose, rerank


@dataclass
class Translation:
    description: tuple[str, ...]     # the tokens the model read
    words: tuple[str, ...]           # the quoted strings, for <M0>, <M1>, ...
    reranked: Reranked
    answer: Candidate | None


_MODELS: dict[str, object] = {}


def load(path=None):
    """The model at `path` (default: the shipped one), loaded once per process."""
    from nesy.nlregex.command import DEFAULT_MODEL
    from nesy.nlregex.model import TrainedModel

    key = str(path or DEFAULT_MODEL)
    if key not in _MODELS:
        _MODELS[key] = TrainedModel.load(key)
    return _MODELS[key]


def translate(description: str, positive: Sequence[str] = (), negative: Sequence[str] = (), *, model=None,
              beam: int = 10, repair_seconds: float = 5.0, search_seconds: float = 10.0,
              drop_empty: bool = True) -> Translation:
    """Propose a beam, re-rank it by exact semantics, and with examples keep or repair a consistent one.

    A regex that accepts nothing is never what a user asks for, so empty languages are dropped here
    (`drop_empty`); `nesy bench nl-regex` keeps them, since NL-RX's own references are often empty."""
    tokens, words = prepare_description(description)
    model = model if model is not None and not isinstance(model, str) else load(model)
    padded = tuple(words) + tuple(f"<M{i}>" for i in range(len(words), 4))   # an unused placeholder stays visible
    reranked = rerank(model.propose(tokens, beam), [w for w in padded], drop_empty=drop_empty)
    answer = choose(reranked, positive, negative, padded, repair_seconds=repair_seconds, search_seconds=search_seconds)
    return Translation(tokens, tuple(words), reranked, answer)
