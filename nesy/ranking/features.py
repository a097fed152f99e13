"""A fixed-length feature vector per candidate: what the program is, and what it does off the examples.

Every candidate fits the examples, so the examples alone cannot tell a general program from one
that memorises them. Memorising leaves traces in two places:

- the program's *shape*: ite chains (on lengths), `str.len` in arithmetic, digit tricks
  (`int.to.str` of a computed number), concatenations of single-character constants, fixed
  positions (int literals other than 0, 1, -1), many constant characters in the outputs;
- its *behaviour on the probe rows* (the user's unlabelled inputs and varied example inputs): it
  raises or returns "" where the examples never do, its outputs lose the character-class shape
  or the relation to the inputs (a prefix, a substring) the examples' outputs have, it returns
  an example's output verbatim, or it disagrees with most other candidates.

Search's own preference (size, order, leave-one-out doubt) is a feature too, so a model can fall
back on it. Features read the examples and the probes only, never a task's held-out tests.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from dsl.core import INT, Const, Op, Program, Task, Var
from solvers.search.ranking import Candidate

CONDITIONAL = {"ite"}
CONCAT = {"str.++"}
LENGTH = {"str.len"}
ARITHMETIC = {"+", "-", "<", "<=", ">", ">=", "="}
DIGITS = {"int.to.str", "str.to.int"}
USUAL_INTS = {0, 1, -1}

PROGRAM_FEATURES = (
    "size", "depth", "constants", "constant_chars", "constant_alnum_chars", "single_char_constants",
    "output_constants", "fixed_ints",
    "computed_int_constants", "ite", "ite_on_length", "length_in_arithmetic", "digit_tricks",
    "concatenations", "single_char_concatenations", "inputs_unused", "no_input",
)
SEARCH_FEATURES = ("doubt", "joined", "log_order", "size_over_smallest", "size_rank")
EXAMPLE_FEATURES = ("constant_output_share",)
PROBE_FEATURES = (
    "raises", "empty_where_never", "length_ratio_gap", "length_outside", "shape_kept", "classes_kept",
    "relations_kept", "copies_example_output", "distinct_outputs", "plurality", "support", "support_own",
)
CONTEXT_FEATURES = ("log_candidates", "examples", "probes", "own_probes")
FEATURES: tuple[str, ...] = (*PROGRAM_FEATURES, *SEARCH_FEATURES, *EXAMPLE_FEATURES, *PROBE_FEATURES,
                             *CONTEXT_FEATURES)


def candidate_features(task: Task, probes: Sequence[tuple[Any, ...]],
                       candidates: Sequence[Candidate]) -> np.ndarray:
    """(len(candidates), len(FEATURES)) float64, finite: one row per candidate, columns `FEATURES`."""
    profile = ExampleProfile.of(task)
    votes = [Counter(_key(c.probe_outputs[j]) for c in candidates) for j in range(len(probes))]
    users = set(map(tuple, task.unlabelled))
    own = [j for j, row in enumerate(probes) if tuple(row) in users]
    sizes = sorted(c.program.size for c in candidates)
    rows = []
    for candidate in candidates:
        row = [*_program_features(candidate.program, task).values(),
               *_search_features(candidate, sizes),
               _constant_output_share(candidate.program, profile.outputs),
               *_probe_features(profile, probes, candidate.probe_outputs, votes, own, len(candidates)),
               math.log(len(candidates)), len(task.examples), len(probes), len(own)]
        rows.append(row)
    x = np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURES))
    return np.nan_to_num(x, nan=0.0, posinf=1e6, neginf=-1e6)


# -- the program --------------------------------------------------------------------------------

def _name(program: Program) -> str | None:
    return program.head.name if isinstance(program.head, Op) else None


def depth(program: Program) -> int:
    return 1 + max((depth(c) for c in program.children), default=0)


def _has_var(program: Program) -> bool:
    return any(isinstance(p.head, Var) for p in program.subprograms())


def _has_op(program: Program, names: set[str]) -> bool:
    return any(_name(p) in names for p in program.subprograms())


def _program_features(program: Program, task: Task) -> dict[str, float]:
    nodes = list(program.subprograms())
    consts = [p.head for p in nodes if isinstance(p.head, Const)]
    texts = [c.value for c in consts if isinstance(c.value, str)]
    ints = [c.value for c in consts if isinstance(c.value, int) and not isinstance(c.value, bool)]
    parents = [(p, child) for p in nodes for child in p.children]
    computed = [child for _, child in parents if isinstance(child.head, Op) and child.type == INT
                and not _has_var(child)]
    used = {p.head.name for p in nodes if isinstance(p.head, Var)}
    concat = [p for p in nodes if _name(p) in CONCAT]
    return {
        "size": program.size, "depth": depth(program), "constants": len(consts),
        "constant_chars": sum(map(len, texts)), "constant_alnum_chars": sum(c.isalnum() for t in texts for c in t),
        "single_char_constants": sum(len(t) == 1 for t in texts),
        "output_constants": sum(_invented(t, task) for t in texts),
        "fixed_ints": sum(v not in USUAL_INTS for v in ints),
        "computed_int_constants": len(computed),
        "ite": sum(_name(p) in CONDITIONAL for p in nodes),
        "ite_on_length": sum(_name(p) in CONDITIONAL and _has_op(p.children[0], LENGTH) for p in nodes),
        "length_in_arithmetic": sum(_name(p) in ARITHMETIC and _name(child) in LENGTH for p, child in parents),
        "digit_tricks": sum(_name(p) in DIGITS and _has_op(p, LENGTH | ARITHMETIC) for p in nodes),
        "concatenations": len(concat),
        "single_char_concatenations": sum(any(_is_char(c) for c in p.children) for p in concat),
        "inputs_unused": len(task.inputs) - len(used), "no_input": float(not used),
    }


def _is_char(program: Program) -> bool:
    """A one-letter or one-digit constant: a piece of an example's output, not a separator."""
    value = program.head.value if isinstance(program.head, Const) else None
    return isinstance(value, str) and len(value) == 1 and value.isalnum()


def _invented(text: str, task: Task) -> bool:
    """Is the constant text of an output that no input holds (an example's answer, written in)?"""
    if not any(c.isalnum() for c in text):
        return False
    in_output = any(text in str(e.output) for e in task.examples)
    return in_output and not any(text in str(x) for e in task.examples for x in e.inputs)


def _search_features(candidate: Candidate, sizes: Sequence[int]) -> list[float]:
    size = candidate.program.size
    rank = sizes.index(size) / max(1, len(sizes) - 1)
    return [candidate.doubt, float(candidate.joined), math.log1p(candidate.order), size / max(1, sizes[0]), rank]


def _constant_output_share(program: Program, outputs: Sequence[str]) -> float:
    """Share of the examples' output characters the program's string constants could supply."""
    texts = sorted({c.value for c in program.constants() if isinstance(c.value, str) and c.value}, key=len,
                   reverse=True)
    total = sum(map(len, outputs))
    covered = 0
    for output in outputs:
        rest = output
        for text in texts:
            covered += len(text) * rest.count(text)
            rest = rest.replace(text, "\0")
    return covered / total if total else 0.0


# -- behaviour on the probes --------------------------------------------------------------------

@dataclass(frozen=True)
class ExampleProfile:
    """What the examples' outputs look like, to compare probe outputs with."""

    inputs: tuple[tuple[str, ...], ...]
    outputs: tuple[str, ...]
    shapes: frozenset[str]
    classes: frozenset[str]
    relations: tuple[bool, ...]      # which input relations hold on every example
    log_ratio: float                 # mean log of (output length + 1) / (input length + 1)
    lengths: tuple[int, int]

    @staticmethod
    def of(task: Task) -> "ExampleProfile":
        inputs = tuple(tuple(map(str, e.inputs)) for e in task.examples)
        outputs = tuple(str(e.output) for e in task.examples)
        relations = tuple(all(r) for r in zip(*(_relations(i, o) for i, o in zip(inputs, outputs))))
        return ExampleProfile(inputs, outputs, frozenset(map(shape, outputs)),
                              frozenset(c for o in outputs for c in map(_class, o)), relations,
                              float(np.mean([_log_ratio(i, o) for i, o in zip(inputs, outputs)])),
                              (min(map(len, outputs)), max(map(len, outputs))))


def _class(char: str) -> str:
    if char.isdigit():
        return "9"
    if char.isalpha():
        return "a" if char.islower() else "A"
    return " " if char.isspace() else char


def shape(text: str) -> str:
    """Character classes with runs collapsed: "John Smith" -> "Aa Aa", "555-1234" -> "9-9"."""
    out: list[str] = []
    for char in text:
        kind = _class(char)
        if not out or out[-1] != kind or kind not in "9aA ":
            out.append(kind)
    return "".join(out)


def _relations(inputs: Sequence[str], output: str) -> tuple[bool, ...]:
    return (any(output in x for x in inputs), any(x.startswith(output) for x in inputs),
            any(x.endswith(output) for x in inputs), any(x in output for x in inputs if x),
            output == output.upper(), output == output.lower())


def _log_ratio(inputs: Sequence[str], output: str) -> float:
    return math.log((len(output) + 1) / (sum(map(len, inputs)) + 1))


def _key(value: Any) -> str:
    return repr(value)


def _probe_features(profile: ExampleProfile, probes: Sequence[tuple[Any, ...]], outputs: Sequence[Any],
                    votes: Sequence[Counter], own: Sequence[int], candidates: int) -> list[float]:
    if not probes:
        return [0.0] * len(PROBE_FEATURES)
    n = len(probes)
    texts = [None if o is None else str(o) for o in outputs]
    ran = [(tuple(map(str, row)), t) for row, t in zip(probes, texts) if t is not None]
    never_empty = all(profile.outputs)
    low, high = profile.lengths
    support = [(votes[j][_key(outputs[j])] - 1) / max(1, candidates - 1) for j in range(n)]
    relations_kept = [all(a for a, h in zip(_relations(row, t), profile.relations) if h) for row, t in ran]
    return [
        (n - len(ran)) / n,
        sum(t == "" for _, t in ran) / n if never_empty else 0.0,
        _mean([abs(_log_ratio(row, t) - profile.log_ratio) for row, t in ran]),
        _mean([not low <= len(t) <= high for _, t in ran]),
        _mean([shape(t) in profile.shapes for _, t in ran]),
        _mean([set(map(_class, t)) <= profile.classes for _, t in ran]),
        _mean(relations_kept) if any(profile.relations) else 1.0,
        _mean([t in profile.outputs for _, t in ran]) if len(set(profile.outputs)) > 1 else 0.0,
        len({_key(o) for o in outputs}) / n,
        _mean([votes[j][_key(outputs[j])] == max(votes[j].values()) for j in range(n)]),
        _mean(support),
        _mean([support[j] for j in own]) if own else 0.0,
    ]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
