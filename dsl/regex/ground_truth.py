"""The ground truth a benchmark task carries, as a Z3 regex, to score answers by equivalence.

FOREST files give a Python regex, then capture conditions such as `$0 <= 31, $0 >= 1` (`$i` is the
i-th capturing group read as an integer), in their `**` section; Regel files give a term of Regel's
DSL. Readers keep it in the task's `source` after a prefix that says which. A FOREST condition is
modelled exactly: the group's language is intersected with the digit strings whose value is in
range (`dsl.regex.numeric_ranges.value_in_range`), so `\\d{2}` with `$0 <= 31` is 00..31.
"""
from __future__ import annotations

import re
from typing import Any

from dsl.core import Task
from dsl.errors import NesyInputError
from dsl.regex.numeric_ranges import value_in_range
from dsl.regex.ops import to_z3
from dsl.regex.parser import parse_regex
from dsl.regex.regel import GROUND_TRUTH_PREFIX as REGEL_PREFIX, regel_to_z3
from dsl.regex.task_files import FOREST_TRUTH_PREFIX

CONDITION = re.compile(r"\$(\d+)\s*(<=|>=|<|>|==)\s*(\d+)")
PLACEHOLDER = 0xE000   # private-use characters stand for the conditioned groups while the rest is parsed


def ground_truth_z3(task: Task) -> Any | None:
    """The task's ground truth as a `z3.ReRef`, or None when it has none (or it does not parse)."""
    source = task.source
    try:
        if source.startswith(REGEL_PREFIX):
            return regel_to_z3(source[len(REGEL_PREFIX):])
        if source.startswith(FOREST_TRUTH_PREFIX):
            return forest_truth_z3(source[len(FOREST_TRUTH_PREFIX):])
    except (NesyInputError, KeyError, ValueError):
        return None
    return None


def _bounds(conditions: list[str]) -> dict[int, tuple[int, int | None]]:
    """`$0 >= 1`, `$0 <= 31` -> {0: (1, 31)} (hi None: no upper bound)."""
    bounds: dict[int, tuple[int, int | None]] = {}
    for condition in conditions:
        match = CONDITION.fullmatch(condition.strip())
        if match is None:
            raise ValueError(f"unsupported capture condition {condition!r}")
        group, relation, number = int(match[1]), match[2], int(match[3])
        lo, hi = bounds.get(group, (0, None))
        if relation in (">=", ">", "=="):
            lo = max(lo, number + (relation == ">"))
        if relation in ("<=", "<", "=="):
            top = number - (relation == "<")
            hi = top if hi is None else min(hi, top)
        bounds[group] = (lo, hi)
    return bounds


def _capture_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each capturing group `( ... )` in the order Python numbers them."""
    groups: list[tuple[int, int]] = []
    stack: list[int | None] = []
    index, in_class = 0, False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += text.startswith("[^", index)
            index += text.startswith("]", index + 1)   # `]` first is a character of the class
        elif char == "(":
            capturing = not text.startswith("(?", index)
            stack.append(len(groups) if capturing else None)
            if capturing:
                groups.append((index, -1))
        elif char == ")":
            if not stack:
                raise ValueError(f"unbalanced ) at column {index + 1} of {text!r}")
            number = stack.pop()
            if number is not None:
                groups[number] = (groups[number][0], index + 1)
        index += 1
    return groups


def forest_truth_z3(truth: str) -> Any:
    """A FOREST `**` line (`([0-9]{2})/..., $0 <= 31, $0 >= 1`) as a `z3.ReRef`, conditions included."""
    import z3

    regex_text, *conditions = truth.split(", $")
    bounds = _bounds(["$" + c for c in conditions])
    groups = _capture_groups(regex_text)
    spans = sorted(groups[g] for g in bounds if g < len(groups))
    if len(spans) < len(bounds) or any(end > start for (_, end), (start, _) in zip(spans, spans[1:])):
        raise ValueError(f"capture conditions on missing or nested groups in {truth!r}")
    substitutions = []
    for group in sorted(bounds, key=lambda g: -groups[g][0]):   # right to left keeps earlier offsets valid
        start, end = groups[group]
        lo, hi = bounds[group]
        placeholder = chr(PLACEHOLDER + group)
        inner = to_z3(parse_regex(regex_text[start + 1:end - 1]))
        substitutions.append((z3.Re(z3.StringVal(placeholder)), z3.Intersect(inner, to_z3(value_in_range(lo, hi)))))
        regex_text = regex_text[:start] + placeholder + regex_text[end:]
    term = to_z3(parse_regex(regex_text))
    return z3.substitute(term, *substitutions) if substitutions else term
