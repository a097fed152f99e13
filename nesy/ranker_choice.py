"""Which ranker picks among the programs that fit: one place for the API and the command line.

`"default"`: the DSL's shipped learned ranker when there is one (`nesy.ranking`), else search's
own order; `"search-order"`: fewest leave-one-out errors, then smallest; `"off"`: no ranking at
all (no probe rows, the first program search finds: plain enumeration); or a weights file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from dsl.core import Dsl
from dsl.errors import NesyInputError
from solvers.search.ranking import Ranker, SearchOrderRanker

CHOICES = ("default", "search-order", "off")


def choose_ranker(choice: "str | Ranker | None", dsl: Dsl) -> tuple[bool, Ranker | None]:
    """(ranking on?, the ranker) for `choice`; a clear error for an unknown name or file."""
    if choice is None or choice == "off":
        return False, None
    if not isinstance(choice, str):
        if not callable(getattr(choice, "scores", None)):
            raise NesyInputError(f"ranker must be one of {', '.join(CHOICES)}, a weights file or a Ranker, "
                                 f"not {choice!r}")
        return True, choice
    if choice == "search-order":
        return True, SearchOrderRanker()
    if choice == "default":
        return True, _shipped(dsl) or SearchOrderRanker()
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
