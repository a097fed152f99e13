"""A DSL that lives outside nesy: integer arithmetic from examples.

It is what docs/adding-a-dsl.md walks through, and tests/test_plugin_dsl.py proves that nesy finds
it through the `nesy.dsls` entry-point group and synthesizes with it, with nothing in nesy, dsl or
solvers naming it. Everything the DSL needs is in this package: ops with Python and Z3 semantics,
a Lark grammar, a parser and printer, a literal extractor and a Z3 checker.
"""
from __future__ import annotations

from nesy_arith.language import ARITH

DSL = ARITH

__all__ = ["DSL", "ARITH"]
