"""nesy: neuro-symbolic program synthesis, RASP-to-transformer compilation, NAP verification.

    >>> import nesy
    >>> nesy.synthesize([("ab", "abab"), ("x", "xx")]).solved
    True
"""
from __future__ import annotations

from nesy.api import as_task, synthesize
from nesy.compiler import compile_rasp
from solvers.result import Result, Status

__all__ = ["synthesize", "as_task", "compile_rasp", "Result", "Status"]
__version__ = "0.1.0"
