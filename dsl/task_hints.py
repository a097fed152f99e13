"""What a task may carry besides its examples: unlabelled input rows, constants for search to use,
and the subset of the DSL's ops to search with.

Task files (JSONL, CSV) and the Python API (`nesy.as_task`) check these here, so a hint means the
same and is refused the same way wherever it comes from. Errors are unlocated `NesyInputError`s;
a reader adds its file and line.
"""
from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from dsl.core import Const, Dsl, Grammar, Task, Type, value_type
from dsl.errors import NesyInputError

TypeOf = Callable[[Any, str], Type]


def with_hints(task: Task, dsl: Dsl | None = None, *, unlabelled: Any = None, constants: Any = None,
               ops: Any = None, keys: tuple[str, str, str] = ("unlabelled", "constants", "ops")) -> Task:
    """`task` with the hints given (None: not given), each checked against the task and `dsl`
    (default: the string DSL); `keys` name the hints in errors as the caller's user spells them."""
    type_of = dsl.type_of if dsl is not None else value_type
    if unlabelled is not None:
        task = replace(task, unlabelled=unlabelled_rows(unlabelled, task, type_of, keys[0]))
    if constants is not None:
        task = replace(task, constants=constant_hints(constants, type_of, keys[1]))
    if ops is not None:
        task = replace(task, grammar=op_subset(ops, dsl, keys[2]))
    return task


def input_row(item: Any) -> tuple[Any, ...]:
    """The inputs of one row: a list (or tuple), or a single value for a one-input task."""
    return tuple(item) if isinstance(item, (list, tuple)) else (item,)


def unlabelled_rows(raw: Any, task: Task, type_of: TypeOf = value_type,
                    key: str = "unlabelled") -> tuple[tuple[Any, ...], ...]:
    """Input rows without outputs, shaped and typed like the examples' inputs."""
    rows = _sequence(raw, key, "input rows")
    checked: list[tuple[Any, ...]] = []
    for index, item in enumerate(rows):
        row = input_row(item)
        where = f"{key}[{index}]"
        if len(row) != len(task.inputs):
            raise NesyInputError(f"{where} has {len(row)} inputs, the examples have {len(task.inputs)}")
        for var, value in zip(task.inputs, row):
            type_ = type_of(value, where)
            if type_ != var.type:
                raise NesyInputError(f"{where}: input {var.name} is {type_} {short_repr(value)}, "
                                     f"the examples give {var.type}")
        checked.append(row)
    return tuple(checked)


def constant_hints(raw: Any, type_of: TypeOf = value_type, key: str = "constants") -> tuple[Const, ...]:
    """The constants search should use, typed like example values (repeats dropped)."""
    values = _sequence(raw, key, "constants")
    constants: list[Const] = []
    for index, value in enumerate(values):
        constant = Const(value, type_of(value, f"{key}[{index}]"))
        if constant not in constants:
            constants.append(constant)
    return tuple(constants)


def op_subset(raw: Any, dsl: Dsl | None = None, key: str = "ops") -> Grammar:
    """A grammar that lets search use only the named ops (every signature of each name), with the
    DSL's usual constants and constants read off the examples, as without the hint."""
    if dsl is None:
        from dsl.registry import get_dsl

        dsl = get_dsl("strings")
    names = _sequence(raw, key, "op names")
    if not names:
        raise NesyInputError(f"{key!r} names no op: give at least one, or leave it out to search every op")
    known = sorted({op.name for op in dsl.ops})
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise NesyInputError(f"{key}[{index}] must be an op name (a string), got {short_repr(name)}")
        if name not in known:
            raise NesyInputError(f"unknown op {short_repr(name)} in {key!r} of the {dsl.name} DSL "
                                 f"({_suggest(name, known)})")
    chosen = frozenset(op for op in dsl.ops if op.name in names)
    return Grammar(ops=chosen, constants=dsl.constants, allow_extracted_constants=True)


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if close:
        return "close matches: " + ", ".join(close)
    return "its ops: " + ", ".join(known)


def _sequence(raw: Any, key: str, what: str) -> list[Any]:
    """`raw` as a list, refusing a lone string, a mapping or a non-iterable (which would be read
    one character or key at a time, or not at all)."""
    if isinstance(raw, Iterable) and not isinstance(raw, (str, bytes, Mapping)):
        return list(raw)
    raise NesyInputError(f"{key!r} must be a list of {what}, got {short_repr(raw)}")


def short_repr(value: Any, limit: int = 60) -> str:
    """A value's repr, cut for a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
