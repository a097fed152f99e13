"""nesy: neuro-symbolic program synthesis, RASP-to-transformer compilation, NAP verification.

    >>> import nesy
    >>> nesy.synthesize([("ab", "abab"), ("x", "xx")]).found
    True
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["synthesize", "as_task", "compile_rasp", "Result", "Status", "NesyInputError", "dsl_names"]
__version__ = "0.1.0"

# Each job loads only what it needs (the synthesizer does not need the RASP compiler, a cold
# `nesy rasp compile` does not need the synthesizer): public names resolve on first use.
_HOMES = {"synthesize": "nesy.api", "as_task": "nesy.api", "compile_rasp": "nesy.compiler",
          "Result": "solvers.search.result", "Status": "solvers.search.result",
          "NesyInputError": "dsl.errors", "dsl_names": "dsl.registry"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nesy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
