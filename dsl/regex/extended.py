"""The operators Deep-Regex's syntax adds to the regex AST: intersection `&`, complement `~` and the
word boundary `\\b`.

They are ops like those of `dsl.regex.ops` (derivative-matcher terms as Python semantics, `z3.Re`
terms as Z3 semantics) but are not among `FIXED_OPS`, so the example-driven regex search and the
everyday/textbook syntaxes never see them; `dsl.regex.deepregex` reads and prints them.
`\\b` is a zero-width assertion between a word character (ASCII `\\w`) and a non-word character or
an end of the string, as in Java's and Python's `re`.

>>> from dsl.regex.ops import accepts, leaf
>>> from dsl.regex.charset import CharSet
>>> letters = apply(PLUS_OP, leaf(CharSet.of([("a", "z")])))
>>> accepts(apply(COMPLEMENT, letters), "abc"), accepts(apply(COMPLEMENT, letters), "ab1")
(False, True)
"""
from __future__ import annotations

from dsl.core import Op
from dsl.regex import matcher
from dsl.regex import z3_semantics as z3s
from dsl.regex.ops import PLUS as PLUS_OP, REGEX, apply

INTERSECT = Op("intersect", (REGEX, REGEX), REGEX, matcher.inter, z3s.intersect, commutative=True)
COMPLEMENT = Op("complement", (REGEX,), REGEX, matcher.complement, z3s.complement)
WORD_BOUNDARY = Op("word_boundary", (), REGEX, lambda: matcher.BOUND, z3s.word_boundary)

EXTENDED_OPS: tuple[Op, ...] = (INTERSECT, COMPLEMENT, WORD_BOUNDARY)

__all__ = ["INTERSECT", "COMPLEMENT", "WORD_BOUNDARY", "EXTENDED_OPS", "apply", "PLUS_OP"]
