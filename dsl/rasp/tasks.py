"""RASP synthesis tasks: JSONL, one task a line, read into `SequenceTask`s.

    {"name": "reverse", "vocab": [1, 2, 3], "max_len": 5,
     "examples": [{"input": [1, 2], "output": [2, 1]}, ...], "tests": [...],
     "reference": "<RASP source of the intended program>", "library": "reverse"}

`vocab`, `max_len` and `examples` are required; `tests` (held-out examples), `reference` (the
intended program, checked against the found one on every input up to `max_len`) and `library`
(the hand-written program of `datasets/rasp/` to compare sizes with) are optional; any other key
is refused. Values are JSON scalars; a string that spells a number ("1/3", "0.5") is that exact
number, as `nesy rasp run --input` reads tokens.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsl.core import Example, Task, Var
from dsl.errors import NesyInputError
from dsl.rasp.search_ops import CAT, TARGET
from dsl.rasp.values import Value, canon, format_value, identity_key, parse_token

KEYS = {"name", "vocab", "max_len", "examples", "tests", "reference", "library"}
REQUIRED = ("name", "vocab", "max_len", "examples")
MAX_LEN_LIMIT = 64


@dataclass(frozen=True)
class SequenceTask(Task):
    """A task whose input is one token sequence and whose output has a value per position; the
    vocabulary and the longest input are what the program is compiled and proven for."""

    vocab: tuple[Value, ...] = ()
    max_len: int = 0
    reference: str = ""     # RASP source of the intended program ("" when there is none)
    library: str = ""       # the hand-written library program this task was made from


def read_tasks(path: Path) -> list[SequenceTask]:
    """Every task of a JSONL file; a bad task is a one-line error naming the file and line."""
    from dsl.task_files import jsonl_records

    path = Path(path)
    if path.is_dir() or path.suffix != ".jsonl":
        raise NesyInputError("RASP tasks are read from a .jsonl file (one task a line)", path=str(path))
    if not path.exists():
        raise NesyInputError("no such file", path=str(path))
    tasks = [task_from_record(record, str(path), number) for number, record in jsonl_records(path)]
    if not tasks:
        raise NesyInputError("no tasks in this file", path=str(path))
    names = [t.name for t in tasks]
    for number, (name, task) in enumerate(zip(names, tasks), start=1):
        if names.index(name) != number - 1:
            raise NesyInputError(f"task name {name!r} is used twice", path=str(path))
    return tasks


def task_from_record(record: Any, path: str = "<task>", line: int | None = None) -> SequenceTask:
    """One task from its decoded JSON object."""
    def fail(message: str) -> NesyInputError:
        return NesyInputError(message, path=path, line=line)

    if not isinstance(record, dict):
        raise fail("a task is a JSON object")
    unknown = sorted(set(record) - KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (a RASP task has {', '.join(sorted(KEYS))})")
    missing = [k for k in REQUIRED if k not in record]
    if missing:
        raise fail(f"missing key {missing[0]!r}")
    name = record["name"]
    if not isinstance(name, str) or not name:
        raise fail("'name' must be a non-empty string")
    max_len = record["max_len"]
    if not isinstance(max_len, int) or isinstance(max_len, bool) or not 1 <= max_len <= MAX_LEN_LIMIT:
        raise fail(f"'max_len' must be a whole number from 1 to {MAX_LEN_LIMIT}, not {max_len!r}")
    vocab = _vocab(record["vocab"], fail)
    examples = _examples(record["examples"], "examples", vocab, max_len, fail)
    if not examples:
        raise fail("'examples' is empty")
    tests = _examples(record.get("tests", []), "tests", vocab, max_len, fail)
    for key in ("reference", "library"):
        if not isinstance(record.get(key, ""), str):
            raise fail(f"'{key}' must be a string")
    return SequenceTask(name, (Var("tokens", CAT),), TARGET, examples, tests, source=path,
                        vocab=vocab, max_len=max_len, reference=record.get("reference", ""),
                        library=record.get("library", ""))


def value_from_json(value: Any, where: str) -> Value:
    """A JSON scalar as a RASP value (numbers exact; number-like strings are numbers)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        try:
            return canon(value)
        except ArithmeticError:
            raise NesyInputError(f"{where}: {value!r} is not a finite number") from None
    if isinstance(value, str):
        return parse_token(value)
    raise NesyInputError(f"{where}: {value!r} is not a token (a string, number, boolean or null)")


def _vocab(raw: Any, fail) -> tuple[Value, ...]:
    if not isinstance(raw, list) or not raw:
        raise fail("'vocab' must be a non-empty list of tokens")
    try:
        vocab = tuple(value_from_json(v, "'vocab'") for v in raw)
    except NesyInputError as error:
        raise fail(str(error)) from None
    if None in vocab:
        raise fail("'vocab' cannot hold null")
    keys = [identity_key(v) for v in vocab]
    if len(set(keys)) != len(keys):
        raise fail("'vocab' lists a token twice")
    return vocab


def _examples(raw: Any, key: str, vocab: tuple[Value, ...], max_len: int, fail) -> tuple[Example, ...]:
    if not isinstance(raw, list):
        raise fail(f"'{key}' must be a list of {{\"input\": [...], \"output\": [...]}} objects")
    allowed = {identity_key(v) for v in vocab}
    examples = []
    for number, item in enumerate(raw, start=1):
        where = f"{key} {number}"
        if not isinstance(item, dict) or set(item) != {"input", "output"}:
            raise fail(f"{where}: an example is an object with exactly the keys 'input' and 'output'")
        tokens, output = item["input"], item["output"]
        if not isinstance(tokens, list) or not isinstance(output, list):
            raise fail(f"{where}: 'input' and 'output' must be lists")
        if not 1 <= len(tokens) <= max_len:
            raise fail(f"{where}: the input has {len(tokens)} tokens (1 to max_len {max_len} allowed)")
        if len(output) != len(tokens):
            raise fail(f"{where}: {len(tokens)} input tokens but {len(output)} output values "
                       "(one value per position)")
        try:
            tokens = tuple(value_from_json(t, where) for t in tokens)
            output = tuple(value_from_json(v, where) for v in output)
        except NesyInputError as error:
            raise fail(str(error)) from None
        strangers = [t for t in tokens if identity_key(t) not in allowed]
        if strangers:
            raise fail(f"{where}: token {format_value(strangers[0])!r} is not in the vocabulary")
        examples.append(Example((tokens,), output))
    return tuple(examples)
