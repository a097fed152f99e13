"""The regex operators as `dsl.core.Op`s: one AST for both surface syntaxes.

Leaves are nullary ops: a character class (`CharSetOp`, which also covers literals and `.`), `eps`
(the empty string) and `empty` (the empty language). Their Python semantics build the derivative
matcher's terms (`dsl.regex.matcher`), their Z3 semantics build `z3.Re` terms, so `evaluate(p, {})`
and `to_z3(p, {})` give the two meanings the tests compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dsl.core import Op, Program, Type, evaluate
from dsl.regex import matcher
from dsl.regex import z3_semantics as z3s
from dsl.regex.charset import CharSet

REGEX = Type("Regex")


@dataclass(frozen=True)
class CharSetOp(Op):
    """A leaf matching one character of `charset`; created on demand by `char_set`."""

    charset: CharSet = field(default=CharSet(()), compare=True)

    def __reduce__(self) -> tuple[Any, ...]:
        return (char_set, (self.charset,))


@dataclass(frozen=True)
class RepeatOp(Op):
    """`r{lo,hi}` (hi None: `r{lo,}`); created on demand by `repeat`."""

    lo: int = 0
    hi: int | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (repeat, (self.lo, self.hi))


@lru_cache(maxsize=None)
def char_set(charset: CharSet) -> CharSetOp:
    """The (unique) leaf op for a character class."""
    term = matcher.chars(charset)
    return CharSetOp(f"chars:{charset.everyday()}", (), REGEX, lambda: term, lambda: z3s.charset(charset),
                     charset=charset)


@lru_cache(maxsize=None)
def repeat(lo: int, hi: int | None) -> RepeatOp:
    """The (unique) bounded-repetition op `{lo,hi}`."""
    spelled = f"{{{lo},{'' if hi is None else hi}}}"
    return RepeatOp(f"repeat{spelled}", (REGEX,), REGEX, lambda a: matcher.repeat(a, lo, hi),
                    lambda a: z3s.repeat(a, lo, hi), lo=lo, hi=hi)


EPSILON = Op("eps", (), REGEX, lambda: matcher.EPS, z3s.epsilon)
EMPTY = Op("empty", (), REGEX, lambda: matcher.NONE, z3s.empty)
UNION = Op("union", (REGEX, REGEX), REGEX, matcher.alt, z3s.union, commutative=True)
CONCAT = Op("concat", (REGEX, REGEX), REGEX, matcher.cat, z3s.concat)
STAR = Op("star", (REGEX,), REGEX, matcher.star, z3s.star)
PLUS = Op("plus", (REGEX,), REGEX, lambda a: matcher.cat(a, matcher.star(a)), z3s.plus)
OPTIONAL = Op("optional", (REGEX,), REGEX, lambda a: matcher.alt(a, matcher.EPS), z3s.optional)

FIXED_OPS: tuple[Op, ...] = (EPSILON, EMPTY, UNION, CONCAT, STAR, PLUS, OPTIONAL)


def leaf(charset: CharSet) -> Program:
    return Program(char_set(charset))


def apply(op: Op, *children: Program) -> Program:
    return Program(op, tuple(children))


def to_term(program: Program) -> matcher.Term:
    """The matcher term of a regex program."""
    return evaluate(program, {})


def accepts(program: Program, text: str) -> bool:
    """Whole-string membership by derivatives."""
    return matcher.matches(to_term(program), text)


def to_z3(program: Program) -> Any:
    """The `z3.ReRef` of a regex program."""
    from dsl.core import to_z3 as core_to_z3

    return core_to_z3(program, {})
