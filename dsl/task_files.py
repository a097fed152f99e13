"""Reading task files: SyGuS `.sl`, JSONL (one task a line), BUSTLE/CrossBeam JSON lists, and CSV
columns (`dsl/csv_tasks.py`).

Every reader reports bad input with the file, the line (or task) and what was expected.
"""
from __future__ import annotations

import codecs
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dsl.core import Dsl, Example, Task, make_task
from dsl.errors import NesyInputError
from dsl.task_hints import input_row, short_repr, with_hints

TASK_SUFFIXES = (".sl", ".jsonl", ".json", ".csv")


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
        return [task for file in files for task in load_task_file(file, relative_to=path, dsl=dsl)]
    if not path.exists():
        raise NesyInputError("no such file or folder", path=str(path))
    return load_task_file(path, dsl=dsl)


def load_task_file(path: Path, relative_to: Path | None = None, dsl: Dsl | None = None) -> list[Task]:
    """The tasks of one file, read by its suffix; `dsl` types the examples of JSON tasks and says
    which names are its operators (default: the string DSL's)."""
    if path.suffix in (".sl", ".csv"):
        task = _load_single_task(path, dsl)
        if relative_to is not None:
            task = replace(task, name=str(path.relative_to(relative_to)))
        return [task]
    if path.suffix == ".jsonl":
        return _load_jsonl(path, dsl)
    if path.suffix == ".json":
        return _load_json_list(path, dsl)
    raise NesyInputError(f"unknown task file type {path.suffix!r} (expected .sl, .jsonl, .json or .csv)",
                         path=str(path))


def _load_single_task(path: Path, dsl: Dsl | None) -> Task:
    """The one task of a `.sl` or `.csv` file, named after the file."""
    if path.suffix == ".csv":
        from dsl.csv_tasks import load_csv_task

        return load_csv_task(path, dsl)
    from dsl.sygus import load_sygus

    return load_sygus(path)


def read_task_text(path: Path, kind: str = "task file") -> str:
    """The text of a task file, which must be UTF-8 (a byte-order mark is skipped): other encodings
    are refused at the first byte that does not decode, so no reader sees garbled text."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NesyInputError(f"cannot read {kind}: {error.strerror or error}", path=str(path)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NesyInputError("the file is UTF-16 or UTF-32 (it starts with a byte-order mark); save it as UTF-8",
                             path=str(path), line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NesyInputError(f"not UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start} does not "
                             f"decode; save the file as UTF-8", path=str(path),
                             line=data.count(b"\n", 0, error.start) + 1) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise NesyInputError(f"NUL character at offset {nul} (a UTF-16 file without byte-order mark?); save the "
                             f"file as UTF-8 text", path=str(path), line=text.count("\n", 0, nul) + 1)
    return text


def jsonl_records(path: Path) -> list[tuple[int, Any]]:
    """(line number, decoded JSON) for each non-blank line; a malformed line is named in the error
    (the column is given in the message: a JSONL line is one task).

    Lines end at "\\n" only: JSON strings may hold U+2028 and other characters `str.splitlines`
    would break a line at."""
    records = []
    for number, line in enumerate(read_task_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, _json_document(line)))
        except _JsonProblem as problem:
            raise NesyInputError(f"{problem.message} (column {problem.offset + 1})", path=str(path),
                                 line=number) from None
    return records


class _JsonProblem(Exception):
    """What is wrong with a JSON text, and at which offset (made a located error by the caller)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


def _located(problem: _JsonProblem, text: str, path: str) -> NesyInputError:
    """The error at the line and column of the problem's offset in `text`."""
    offset = problem.offset
    return NesyInputError(problem.message, path=path, line=text.count("\n", 0, offset) + 1,
                          column=offset - text.rfind("\n", 0, offset))


def _json_document(text: str) -> Any:
    """The one JSON value of `text`."""
    _check_json_nesting(text)
    value, end = _json_value_at(text, _JSON_SPACE.match(text).end())
    rest = _JSON_SPACE.match(text, end).end()
    if rest != len(text):
        raise _JsonProblem("malformed JSON: extra data after the value", rest)
    return value


def _json_value_at(text: str, start: int) -> tuple[Any, int]:
    """The JSON value at `start` and the offset just after it (nesting already checked), refusing
    integers longer than Python converts."""
    try:
        return _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise _JsonProblem(f"malformed JSON: {error.msg}", error.pos) from None
    except RecursionError:  # the nesting check keeps far below it
        raise _JsonProblem("malformed JSON: nested too deeply", start) from None
    except ValueError:  # only Python's limit on the digits of an integer raises a plain ValueError
        digits = _LONG_INTEGER.search(text, start)
        raise _JsonProblem(f"an integer with more than {_MAX_DIGITS} digits",
                           digits.start() if digits else start) from None


def _check_json_nesting(text: str) -> None:
    """Refuse lists and objects nested deeper than MAX_JSON_NESTING, at the first one too deep."""
    depth = 0
    for match in _JSON_NESTING_TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > MAX_JSON_NESTING:
                raise _JsonProblem(f"JSON nested deeper than {MAX_JSON_NESTING} levels", match.start())
        elif token == "]" or token == "}":
            depth -= 1


# JSON documents nest this deep at most (task files need 4 levels): json recurses and would pass
# Python's stack limit on a few thousand, and every later stage walks values recursively.
MAX_JSON_NESTING = 100
_JSON_NESTING_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# Python refuses to convert longer digit strings to int (0: no limit).
_MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 0)()
_LONG_INTEGER = re.compile("[0-9]{%d,}" % (_MAX_DIGITS + 1))
_DECODER = json.JSONDecoder()


def _load_jsonl(path: Path, dsl: Dsl | None = None) -> list[Task]:
    tasks = [task_from_record(record, TaskPlace(str(path), number, f"{path}:{number}"), dsl)
             for number, record in jsonl_records(path)]
    if not tasks:
        raise NesyInputError("no tasks in this file", path=str(path))
    return tasks


def _load_json_list(path: Path, dsl: Dsl | None = None) -> list[Task]:
    """A JSON list of tasks (BUSTLE's and CrossBeam's files), or a single task object."""
    text = read_task_text(path)
    try:
        items = _json_items(text)
    except _JsonProblem as problem:
        raise _located(problem, text, str(path)) from None
    places = [TaskPlace(str(path), text.count("\n", 0, offset) + 1, f"{path} task {index + 1}")
              for index, (offset, _) in enumerate(items)]
    return [task_from_record(record, place, dsl) for place, (_, record) in zip(places, items)]


def _json_items(text: str) -> list[tuple[int, Any]]:
    """(offset, value) of each element of the top-level JSON list, or of the one top-level value
    if it is an object: the offset lets errors about a task point at its line."""
    _check_json_nesting(text)
    start = _JSON_SPACE.match(text).end()
    if not text.startswith("[", start):
        value = _json_document(text)
        if not isinstance(value, dict):
            raise _JsonProblem("expected a JSON list of tasks", start)
        return [(start, value)]
    items, position = [], _JSON_SPACE.match(text, start + 1).end()
    if not text.startswith("]", position):
        while True:
            value, end = _json_value_at(text, position)
            items.append((position, value))
            position = _JSON_SPACE.match(text, end).end()
            if text.startswith("]", position):
                break
            if not text.startswith(",", position):
                raise _JsonProblem("malformed JSON: expected ',' or ']' after a task", position)
            position = _JSON_SPACE.match(text, position + 1).end()
    end = _JSON_SPACE.match(text, position + 1).end()
    if end != len(text):
        raise _JsonProblem("malformed JSON: extra data after the list", end)
    return items


@dataclass(frozen=True)
class TaskPlace:
    """Where a task record is: errors point at `path`:`line`; `label` names a task without a name
    (and is its `Task.source`)."""

    path: str
    line: int
    label: str

    def error(self, message: str) -> NesyInputError:
        return NesyInputError(message, path=self.path, line=self.line)


# Every key the shipped task files use: ours, and BUSTLE's/CrossBeam's (`tables`, `expectedProgram`
# and `tags` are kept by those files and ignored here). `inputs_only`, `constants`, `ops`: hints
# (dsl/task_hints.py).
TASK_KEYS = ("name", "description", "examples", "trainExamples", "tests", "testExamples", "input_names",
             "inputNames", "inputs_only", "constants", "ops", "tables", "expectedProgram", "tags")
HINT_KEYS = ("inputs_only", "constants", "ops")
_SYNONYMS = (("examples", "trainExamples"), ("tests", "testExamples"), ("input_names", "inputNames"))
EXAMPLE_KEYS = ("inputs", "output")


def task_from_record(record: Any, place: TaskPlace, dsl: Dsl | None = None) -> Task:
    """A task from `{"name", "examples"|"trainExamples", "tests"|"testExamples",
    "input_names"|"inputNames", "inputs_only", "constants", "ops"}` (see TASK_KEYS for the rest);
    a key outside TASK_KEYS, here or in an example, is refused, so a misspelt key is not silently
    dropped."""
    if not isinstance(record, dict):
        raise place.error("a task must be a JSON object")
    for key in record:
        if key not in TASK_KEYS:
            raise place.error(f"unknown key {short_repr(key)} in a task (known keys: {', '.join(TASK_KEYS)})")
    for key, synonym in _SYNONYMS:
        if key in record and synonym in record:
            raise place.error(f"both {key!r} and {synonym!r}: give one")
    name = record.get("name", place.label)
    if not isinstance(name, str) or _has_lone_surrogate(name):
        raise place.error(f"the task name must be a string of text, got {short_repr(name)}")
    train_key = "examples" if "examples" in record else "trainExamples"
    if train_key not in record:
        raise place.error(f"task {name!r} has no \"examples\" (or \"trainExamples\")")
    test_key = "tests" if "tests" in record else "testExamples"
    examples = _examples(record[train_key], train_key, place)
    tests = _examples(record.get(test_key, []), test_key, place)
    names = _input_names(record.get("input_names", record.get("inputNames")), place, dsl)
    type_of = dsl.type_of if dsl is not None else None
    try:
        task = make_task(name, examples, tests, input_names=names, type_of=type_of, source=place.label)
    except NesyInputError as error:
        raise place.error(str(error)) from None
    unlabelled, constants, ops = (record.get(key) for key in HINT_KEYS)
    try:
        return with_hints(task, dsl, unlabelled=unlabelled, constants=constants, ops=ops, keys=HINT_KEYS)
    except NesyInputError as error:
        raise place.error(str(error)) from None


def _examples(raw: Any, key: str, place: TaskPlace) -> list[Example]:
    if not isinstance(raw, list):
        raise place.error(f"{key!r} must be a list of {{\"inputs\": [...], \"output\": ...}}")
    examples = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "inputs" not in item or "output" not in item:
            raise place.error(f"{key}[{index}] must have \"inputs\" and \"output\"")
        for item_key in item:
            if item_key not in EXAMPLE_KEYS:
                raise place.error(f"unknown key {short_repr(item_key)} in {key}[{index}] (known keys: inputs, output)")
        examples.append(Example(input_row(item["inputs"]), item["output"]))
    return examples


def _input_names(raw: Any, place: TaskPlace, dsl: Dsl | None) -> list[str] | None:
    """The given input names, each one a name a solution's `define-fun` can use."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise place.error(f"\"input_names\" must be a list of names, got {short_repr(raw)}")
    from dsl.strings.terms import input_name_problem

    reserved = reserved_names(dsl)
    for name in raw:
        problem = input_name_problem(name, reserved)
        if problem is not None:
            raise place.error(problem)
    return raw


def input_names_problem(names: Any, dsl: Dsl | None) -> str | None:
    """Why `names` cannot name a task's inputs (not a list of distinct SMT-LIB symbols, or one is
    an operator of the DSL), or None."""
    from dsl.strings.terms import input_name_problem

    if not isinstance(names, (list, tuple)):
        return f"input names must be a list of names, got {short_repr(names)}"
    reserved = reserved_names(dsl)
    for name in names:
        problem = input_name_problem(name, reserved)
        if problem is not None:
            return problem
    return None


def reserved_names(dsl: Dsl | None) -> frozenset[str]:
    """Names an input may not take: the DSL's op names (the string DSL's, aliases included,
    for the common task formats)."""
    if dsl is not None:
        return frozenset(op.name for op in dsl.ops)
    from dsl.strings.ops import ALIASES, ALL_OPS

    return frozenset(op.name for op in ALL_OPS) | frozenset(ALIASES)


def _has_lone_surrogate(text: str) -> bool:
    """JSON's "\\ud800" escapes decode to characters no file or terminal can show."""
    return any("\ud800" <= char <= "\udfff" for char in text)

