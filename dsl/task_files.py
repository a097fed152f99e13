"""Reading task files: SyGuS `.sl`, JSONL (one task a line), and BUSTLE/CrossBeam JSON lists.

Every reader reports bad input with the file, the line (or task) and what was expected.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from dsl.core import Dsl, Example, Task, make_task
from dsl.errors import NesyInputError

TASK_SUFFIXES = (".sl", ".jsonl", ".json")


def load_tasks(path: str | Path, dsl: "str | Dsl | None" = None) -> list[Task]:
    """All tasks in a file, or in every task file under a folder (sorted by path); a DSL with task
    files of its own (`Dsl.read_tasks`) reads them its way, and every example is typed by the DSL."""
    if isinstance(dsl, str):
        from dsl.registry import get_dsl

        dsl = get_dsl(dsl)
    if dsl is not None and dsl.read_tasks is not None:
        return dsl.read_tasks(Path(path))
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in TASK_SUFFIXES and p.is_file())
        if not files:
            raise NesyInputError(f"no task files ({', '.join(TASK_SUFFIXES)}) under this folder", path=str(path))
        return [task for file in files for task in load_task_file(file, relative_to=path)]
    if not path.exists():
        raise NesyInputError("no such file or folder", path=str(path))
    return load_task_file(path)


def load_task_file(path: Path, relative_to: Path | None = None) -> list[Task]:
    if path.suffix == ".sl":
        from dsl.sygus import load_sygus

        task = load_sygus(path)
        if relative_to is not None:
            task = replace(task, name=str(path.relative_to(relative_to)))
        return [task]
    if path.suffix == ".jsonl":
        return _load_jsonl(path)
    if path.suffix == ".json":
        return _load_json_list(path)
    raise NesyInputError(f"unknown task file type {path.suffix!r} (expected .sl, .jsonl or .json)", path=str(path))


def jsonl_records(path: Path) -> list[tuple[int, Any]]:
    """(line number, decoded JSON) for each non-blank line; a malformed line is named in the error."""
    records = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise NesyInputError(f"malformed JSON: {error.msg} (column {error.colno})", path=str(path),
                                 line=number) from None
    return records


def _load_jsonl(path: Path) -> list[Task]:
    tasks = [task_from_record(record, where=f"{path}:{number}") for number, record in jsonl_records(path)]
    if not tasks:
        raise NesyInputError("no tasks in this file", path=str(path))
    return tasks


def _load_json_list(path: Path) -> list[Task]:
    try:
        records = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise NesyInputError(f"malformed JSON: {error.msg}", path=str(path), line=error.lineno,
                             column=error.colno) from None
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise NesyInputError("expected a JSON list of tasks", path=str(path))
    return [task_from_record(r, where=f"{path} task {i + 1}") for i, r in enumerate(records)]


def _examples(raw: Any, key: str, where: str) -> list[Example]:
    if not isinstance(raw, list):
        raise NesyInputError(f"{where}: {key!r} must be a list of {{\"inputs\": [...], \"output\": ...}}")
    examples = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "inputs" not in item or "output" not in item:
            raise NesyInputError(f"{where}: {key}[{index}] must have \"inputs\" and \"output\"")
        inputs = item["inputs"]
        if not isinstance(inputs, list):
            inputs = [inputs]
        examples.append(Example(tuple(inputs), item["output"]))
    return examples


def task_from_record(record: Any, where: str) -> Task:
    """A task from `{"name", "examples"|"trainExamples", "tests"|"testExamples", "inputs"?}`."""
    if not isinstance(record, dict):
        raise NesyInputError(f"{where}: a task must be a JSON object")
    name = str(record.get("name", where))
    train_key = "examples" if "examples" in record else "trainExamples"
    if train_key not in record:
        raise NesyInputError(f"{where}: task {name!r} has no \"examples\" (or \"trainExamples\")")
    test_key = "tests" if "tests" in record else "testExamples"
    examples = _examples(record[train_key], train_key, where)
    tests = _examples(record.get(test_key, []), test_key, where)
    names = record.get("input_names") or record.get("inputNames")
    return make_task(name, examples, tests, input_names=names, source=where)
