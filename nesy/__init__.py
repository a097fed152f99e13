"""nesy: neuro-symbolic program synthesis, RASP-to-transformer compilation, NAP verification.

    >>> import nesy
    >>> nesy.synthesize([("ab", "abab"), ("x", "xx")]).solved
    True
"""
from __future__ import annotations

from typing import Any

from nesy.api import as_task, synthesize
from solvers.result import Result, Status

__all__ = ["synthesize", "as_task", "compile_rasp", "Result", "Status"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The RASP compiler needs torch, which takes seconds to import: load it on first use only.
    if name == "compile_rasp":
        from nesy.compiler import compile_rasp

        return compile_rasp
    raise AttributeError(f"module 'nesy' has no attribute {name!r}")
