"""Regex `Program` -> text, in the everyday syntax (which Python's `re.fullmatch` reads) or the textbook one.

A child is parenthesised when its operator binds looser than the context, when it is a left-nested
chain of the same associative operator (the parser nests right), and when a postfix operator would
follow another (`(a*)*`, never `a**`, which `re` rejects or reads as a lazy/possessive quantifier).
"""
from __future__ import annotations

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex.charset import ANY
from dsl.regex.ops import CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, CharSetOp, RepeatOp

ALT, SEQ, POSTFIX, ATOM = range(4)
_POSTFIX_MARK = {STAR.name: "*", PLUS.name: "+", OPTIONAL.name: "?"}


def _precedence(program: Program) -> int:
    head = program.head
    if head == UNION:
        return ALT
    if head == CONCAT:
        return SEQ
    if head.name in _POSTFIX_MARK or isinstance(head, RepeatOp):
        return POSTFIX
    return ATOM


def _render(program: Program, textbook: bool) -> str:
    head = program.head
    if isinstance(head, CharSetOp):
        return _textbook_leaf(head) if textbook else head.charset.everyday()
    if head == EPSILON:
        return "e" if textbook else "()"
    if head == EMPTY:
        return "@" if textbook else "(?!)"
    if head in (UNION, CONCAT):
        level = ALT if head == UNION else SEQ
        left, right = program.children
        left_text = _wrap(left, _render(left, textbook), _precedence(left) <= level)
        right_text = _wrap(right, _render(right, textbook), _precedence(right) < level)
        return left_text + ("+" if textbook else "|") * (head == UNION) + right_text
    (child,) = program.children
    if isinstance(head, RepeatOp):
        if textbook:
            raise NesyInputError(f"the textbook syntax has no bounded repetition {{{head.lo},{head.hi}}}")
        mark = "{%d}" % head.lo if head.hi == head.lo else "{%d,%s}" % (head.lo, "" if head.hi is None else head.hi)
    else:
        if textbook and head == PLUS:
            raise NesyInputError("the textbook syntax has no r+ (it writes rr*)")
        mark = _POSTFIX_MARK[head.name]
    return _wrap(child, _render(child, textbook), _precedence(child) < ATOM) + mark


def _wrap(program: Program, text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _textbook_leaf(op: CharSetOp) -> str:
    if op.charset == ANY:
        return "X"
    char = op.charset.single
    if char is None or char in "eX@+*?()^ " or not char.isalnum():
        raise NesyInputError(f"the textbook syntax has no spelling for {op.charset.everyday()}")
    return char


def to_everyday(program: Program) -> str:
    """Python-`re` style text: `(0|1)*01`, `\\d{2}/\\d{2}`."""
    return _render(program, textbook=False)


def to_textbook(program: Program) -> str:
    """AlphaRegex style text: `(0+1)*01`, `X*1X?`."""
    return _render(program, textbook=True)
