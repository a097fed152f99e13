"""Which ranker picks among the programs that fit: one place for the API and the command line.

`"default"`: what solved the most when measured (`DEFAULT_CHOICE`, BENCHMARKS.md); `"search-order"`:
fewest leave-one-out errors, then smallest; `"learned"`: the DSL's shipped learned ranker
(`nesy.ranking`); `"off"`: no ranking at all (no probe rows, the first program search finds: plain
enumeration); or a weights file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from dsl.core import Dsl
from dsl.errors import NesyInputError
from solvers.search.ranking import Ranker, SearchOrderRanker

CHOICES = ("default", "search-order", "learned", "off")
# The default is the ranker that solved the most across the suites, measured side by side
# (BENCHMARKS.md, "Generalization"): search's own order; the learned ranker did not solve more.
DEFAULT_CHOICE = "search-order"


def choose_ranker(choice: "str | Ranker | None", dsl: Dsl) -> tuple[bool, Ranker | None]:
    """(ranking on?, the ranker) for `choice`; a clear error for an unknown name or file."""
    if choice is None or choice == "off":
        return False, None
    if not isinstance(choice, str):
        if not callable(getattr(choice, "scores", None)):
            raise NesyInputError(f"ranker must be one of {', '.join(CHOICES)}, a weights file or a Ranker, "
                                 f"not {choice!r}")
        return True, choice
    if choice == "default":
        choice = DEFAULT_CHOICE
    if choice == "search-order":
        return True, SearchOrderRanker()
    if choice == "learned":
        shipped = _shipped(dsl)
        if shipped is None:
            raise NesyInputError(f"ranker 'learned': DSL {dsl.name!r} ships no learned ranker "
                                 f"(train one with 'nesy train ranker' and pass its file)")
        return True, shipped
    if not Path(choice).is_file():
        raise NesyInputError(f"ranker {choice!r}: not one of {', '.join(CHOICES)} and no such file")
    return True, _load(choice)


def _shipped(dsl: Dsl) -> Ranker | None:
    try:
        from nesy.ranking.model import load_ranker, shipped_ranker_path
    except ImportError:
        return None
    path = shipped_ranker_path(dsl.name)
    return load_ranker(path) if path is not None and Path(path).is_file() else None


def _load(path: str) -> Any:
    try:
        from nesy.ranking.model import load_ranker
    except ImportError:
        raise NesyInputError(f"ranker {path!r}: this install has no learned rankers (nesy.ranking)") from None
    return load_ranker(path)
