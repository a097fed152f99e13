"""Typing untyped terms into `Program`s: variables by name, literals by value, and each op by name,
arity and argument types (so `ite` and `=` resolve to the overload their arguments call for).

Other tools' SMT-LIB spellings are read too (n-ary `str.++`/`+`/`and`..., unary `-`), so their
solutions can be parsed and compared; printing always gives the binary form."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any, Iterable, Mapping

from dsl.core import INT, Const, Op, Program, Type, Var, value_type
from dsl.errors import NesyInputError
from dsl.strings.ops import ALIASES, ALL_OPS, LEFT_ASSOCIATIVE
from dsl.strings.terms import Apply, Literal, Symbol, Term, read_term


def parse_program(text: str, variables: Mapping[str, Type], ops: Iterable[Op] = ALL_OPS,
                  path: str = "<string>") -> Program:
    """Parse program text such as `(str.++ x " ")` whose free names are `variables`.

    >>> from dsl.core import STRING
    >>> str(parse_program('(str.substr x 0 (- 2))', {"x": STRING}))
    '(str.substr x 0 (- 2))'
    """
    return build_program(read_term(text, path), variables, ops, path)


def build_program(term: Term, variables: Mapping[str, Type], ops: Iterable[Op] = ALL_OPS,
                  path: str = "<string>") -> Program:
    """Type a term; errors name the position, the construct and what was expected."""
    index = op_index(tuple(ops))
    return _build(term, variables, index, path)


def literal_value(term: Term) -> Any:
    """The value of a literal term (`"a"`, `3`, `-3`, `(- 3)`, `true`), or None for other terms."""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, Apply):
        return negative_numeral(term)
    return None


def negative_numeral(term: Apply) -> int | None:
    """The value of `(- n)` for a numeral n, the SMT-LIB spelling of a negative literal."""
    if term.head == "-" and len(term.args) == 1:
        arg = term.args[0]
        if isinstance(arg, Literal) and isinstance(arg.value, int) and not isinstance(arg.value, bool):
            return -arg.value
    return None


@lru_cache(maxsize=32)
def op_index(ops: tuple[Op, ...]) -> dict[str, tuple[Op, ...]]:
    """Ops grouped by name (cached: tables are few and immutable)."""
    by_name: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        by_name[op.name].append(op)
    return {name: tuple(group) for name, group in by_name.items()}


def _build(term: Term, variables: Mapping[str, Type], index: Mapping[str, tuple[Op, ...]],
           path: str) -> Program:
    if isinstance(term, Literal):
        return Program(Const(term.value, value_type(term.value, path)))
    if isinstance(term, Symbol):
        return _variable(term, variables, index, path)
    negative = negative_numeral(term)
    if negative is not None:
        return Program(Const(negative, INT))
    children = [_build(arg, variables, index, path) for arg in term.args]
    name = ALIASES.get(term.head, term.head)
    if name == "-" and len(children) == 1:  # SMT-LIB negation, as subtraction from 0
        children.insert(0, Program(Const(0, INT)))
    if name in LEFT_ASSOCIATIVE and len(children) > 2:
        return _fold_left(term, children, index, path)
    op = resolve_op(term, tuple(c.type for c in children), index, path)
    return Program(op, tuple(children))


def _fold_left(term: Apply, children: list[Program], index: Mapping[str, tuple[Op, ...]],
               path: str) -> Program:
    """`(op a b c)` as `(op (op a b) c)`."""
    result = children[0]
    for child in children[1:]:
        op = resolve_op(term, (result.type, child.type), index, path)
        result = Program(op, (result, child))
    return result


def _variable(term: Symbol, variables: Mapping[str, Type], index: Mapping[str, tuple[Op, ...]],
              path: str) -> Program:
    type_ = variables.get(term.name)
    if type_ is not None:
        return Program(Var(term.name, type_))
    if ALIASES.get(term.name, term.name) in index:
        message = f"operator {term.name} used as a value; write ({term.name} ...)"
    else:
        known = ", ".join(sorted(variables)) or "none"
        message = f"unknown variable {term.name} (variables: {known})"
    raise NesyInputError(message, path=path, line=term.line, column=term.column)


def resolve_op(term: Apply, arg_types: tuple[Type, ...], index: Mapping[str, tuple[Op, ...]],
               path: str) -> Op:
    """The op named by `term.head` (or its alias) taking exactly `arg_types`."""
    def fail(message: str) -> NesyInputError:
        return NesyInputError(message, path=path, line=term.line, column=term.column)

    name = ALIASES.get(term.head, term.head)
    candidates = index.get(name)
    if not candidates:
        raise fail(f"unknown operator {term.head}")
    same_arity = [op for op in candidates if op.arity == len(arg_types)]
    if not same_arity:
        arities = " or ".join(sorted({str(op.arity) for op in candidates}))
        plural = "" if arities == "1" else "s"
        raise fail(f"operator {term.head} takes {arities} argument{plural}, got {len(arg_types)}")
    for op in same_arity:
        if op.arg_types == arg_types:
            return op
    expected = " or ".join("(" + " ".join(map(str, op.arg_types)) + ")" for op in same_arity)
    got = " ".join(map(str, arg_types))
    raise fail(f"type mismatch: {term.head} expects {expected}, got ({got})")
