"""The ground truth a benchmark task carries, as a Z3 regex, to score answers by equivalence.

FOREST files give a Python regex (then capture conditions such as `$0 <= 31`, not modelled here) in
their `**` section; Regel files give a term of Regel's DSL. Readers keep it in the task's `source`
after a prefix that says which.
"""
from __future__ import annotations

from typing import Any

from dsl.core import Task
from dsl.errors import NesyInputError
from dsl.regex.ops import to_z3
from dsl.regex.parser import parse_regex
from dsl.regex.regel import GROUND_TRUTH_PREFIX as REGEL_PREFIX, regel_to_z3
from dsl.regex.task_files import FOREST_TRUTH_PREFIX


def ground_truth_z3(task: Task) -> Any | None:
    """The task's ground truth as a `z3.ReRef`, or None when it has none (or it does not parse)."""
    source = task.source
    try:
        if source.startswith(REGEL_PREFIX):
            return regel_to_z3(source[len(REGEL_PREFIX):])
        if source.startswith(FOREST_TRUTH_PREFIX):
            return to_z3(parse_regex(source[len(FOREST_TRUTH_PREFIX):].split(", $")[0]))
    except (NesyInputError, KeyError, ValueError):
        return None
    return None
