"""seqrules task files: JSONL, one task a line.

    {"name": "seq-0-00000", "examples": [{"input": [0, 3, 1], "output": [0, 4, 1]}, ...],
     "tests": [{"input": [...], "output": [...]}], "reference": "inc(left, 3); mulclip(2)"}

`name` and `examples` are required; `tests` (held-out pairs) and `reference` (the program the
generator drew) are optional; any other key is refused. Every sequence is a list of numbers 0-4,
and within a task every input and output has the same length (rules keep a sequence's length).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from dsl.core import Example, Task, make_task
from dsl.errors import NesyInputError
from dsl.seqrules.rules import check_sequence

KEYS = {"name", "examples", "tests", "reference"}


@dataclass(frozen=True)
class SeqRulesTask(Task):
    """A task with the program that made it, when known (`reference`, seqrules text)."""

    reference: str = ""


def make_seqrules_task(name: str, examples: Sequence[Example], tests: Sequence[Example] = (),
                       reference: str = "") -> SeqRulesTask:
    from dsl.seqrules import DSL

    task = make_task(name, examples, tests, type_of=DSL.type_of)
    lengths = {len(e.inputs[0]) for e in (*examples, *tests)} | {len(e.output) for e in (*examples, *tests)}
    if len(lengths) > 1:
        raise NesyInputError(f"task {name!r}: sequences of different lengths {sorted(lengths)} "
                             f"(a rule keeps a sequence's length)")
    return SeqRulesTask(**{f: getattr(task, f) for f in task.__dataclass_fields__}, reference=reference)


def _pairs(record: dict, key: str, name: str) -> list[Example]:
    pairs = record.get(key, [])
    if not isinstance(pairs, list):
        raise NesyInputError(f"task {name!r}: {key!r} is a list of {{\"input\", \"output\"}} objects")
    examples = []
    for index, pair in enumerate(pairs, start=1):
        where = f"task {name!r}, {key} {index}"
        if not isinstance(pair, dict) or set(pair) != {"input", "output"}:
            raise NesyInputError(f"{where}: a pair is an object with exactly \"input\" and \"output\"")
        examples.append(Example((check_sequence(pair["input"], where + " input"),),
                                check_sequence(pair["output"], where + " output")))
    return examples


def task_from_record(record: Any) -> SeqRulesTask:
    if not isinstance(record, dict):
        raise NesyInputError("a seqrules task is a JSON object")
    unknown = sorted(set(record) - KEYS)
    if unknown:
        raise NesyInputError(f"unknown key(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(sorted(KEYS))})")
    name = record.get("name")
    if not isinstance(name, str) or not name:
        raise NesyInputError("a task needs a non-empty \"name\"")
    reference = record.get("reference", "")
    if not isinstance(reference, str):
        raise NesyInputError(f"task {name!r}: \"reference\" is program text")
    if reference:
        from dsl.seqrules.syntax import parse_rules

        parse_rules(reference)
    return make_seqrules_task(name, _pairs(record, "examples", name), _pairs(record, "tests", name), reference)


def read_tasks(path: Path) -> list[SeqRulesTask]:
    """Every task of a JSONL file; a bad task is a one-line error naming the file and line."""
    from dsl.task_files import jsonl_records

    path = Path(path)
    if path.is_dir() or path.suffix != ".jsonl":
        raise NesyInputError("seqrules tasks are read from a .jsonl file (one task a line)", path=str(path))
    if not path.exists():
        raise NesyInputError("no such file", path=str(path))
    tasks = []
    for number, record in jsonl_records(path):
        try:
            tasks.append(task_from_record(record))
        except NesyInputError as error:
            raise NesyInputError(str(error), path=str(path), line=number) from None
    if not tasks:
        raise NesyInputError("no tasks in this file", path=str(path))
    return tasks


def task_record(task: Task) -> dict[str, Any]:
    """The JSON object of a task (what `read_tasks` reads back)."""
    record: dict[str, Any] = {"name": task.name,
                              "examples": [{"input": list(e.inputs[0]), "output": list(e.output)} for e in task.examples]}
    if task.tests:
        record["tests"] = [{"input": list(e.inputs[0]), "output": list(e.output)} for e in task.tests]
    if getattr(task, "reference", ""):
        record["reference"] = task.reference
    return record


def write_tasks(tasks: Sequence[Task], path: Path) -> None:
    Path(path).write_text("".join(json.dumps(task_record(t)) + "\n" for t in tasks))
