"""Regex task files: AlphaRegex's format, FOREST's, and JSONL.

* AlphaRegex (no suffix): description lines, `++` then positive strings, `--` then negatives; over
  the alphabet {0,1}, where `X` in an example stands for either symbol (each such example is expanded).
* FOREST (`.txt`): the same sections over the full alphabet, plus `+-` (strings of the right shape that
  break a numeric condition: negatives, also kept as tests so that reports single them out) and `**`
  (the ground truth, kept in `source` after `FOREST_TRUTH_PREFIX`).
  A positive line `string, c1, c2` lists the capture groups' values after the string: they are dropped.
* Regel (`// examples` then `"string",+` lines, `// gt` in Regel's DSL): see `dsl.regex.regel`.
* JSONL: `{"name", "positive": [...], "negative": [...], "alphabet": "01"?, "tests": {"positive", "negative"}?}`.

A task is a `Task` with one String input `s` and Bool outputs (True: accept); the alphabet travels as
its String constants.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Iterable, Sequence

from dsl.core import Task
from dsl.errors import NesyInputError
from dsl.regex.regel import load_regel_file
from dsl.regex.tasks import regex_task
from dsl.task_files import jsonl_records, read_task_text

ALPHAREGEX_ALPHABET = "01"
WILDCARD = "X"
SKIPPED_SUFFIXES = {".md", ".py", ".json", ".sl", ".csv", ".tsv"}
MAX_EXPANSIONS = 4096
FOREST_TRUTH_PREFIX = "forest-gt: "   # a task's `source`: FOREST's ground truth follows


def load_regex_tasks(path: str | Path) -> list[Task]:
    """All regex tasks in a file or folder (folders: every task file inside, sorted by path)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_task_file(p))
        if not files:
            raise NesyInputError("no regex task files under this folder", path=str(path))
        return [task for file in files for task in load_regex_file(file)]
    if not path.exists():
        raise NesyInputError("no such file or folder", path=str(path))
    return load_regex_file(path)


def _is_task_file(path: Path) -> bool:
    """JSONL files, and files with a `++`/`--` section that are not capture-extraction (`+++`) tasks."""
    if path.suffix in SKIPPED_SUFFIXES or path.name.startswith((".", "LICENSE")):
        return False
    if path.suffix == ".jsonl":
        return True
    lines = set(path.read_text(errors="replace").splitlines())
    regel = any(line.startswith("//") and line[2:].strip().startswith("ex") for line in lines)
    return regel or (("++" in lines or "--" in lines) and "+++" not in lines)


def load_regex_file(path: Path) -> list[Task]:
    if path.suffix == ".jsonl":
        return _load_jsonl(path)
    text = read_task_text(path, "regex task file")
    if text.startswith("//"):
        return [load_regel_file(path, text)]
    return [_load_sections(path, text)]


def _load_sections(path: Path, text: str) -> Task:
    """AlphaRegex (no suffix) or FOREST (`.txt`) sections of `text`, the file's."""
    forest = path.suffix == ".txt"
    sections: dict[str, list[str]] = {"++": [], "--": [], "+-": [], "**": []}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if line in sections:
            current = line
            continue
        if line == "+++":
            raise NesyInputError("`+++` (capture-group extraction) tasks are not regex membership tasks",
                                 path=str(path), line=number)
        if current is None:
            continue  # description
        if forest and not line:
            continue  # FOREST's own reader skips empty lines: they are layout, not the empty string
        if not forest:
            line = line.strip()
            if not line:
                continue
            bad = set(line) - set(ALPHAREGEX_ALPHABET + WILDCARD)
            if bad:
                raise NesyInputError(f"unexpected symbol {sorted(bad)[0]!r} (AlphaRegex examples use "
                                     f"0, 1 and X)", path=str(path), line=number)
        if forest and current == "++":
            line = line.split(", ")[0]  # `string, capture, capture...`: the captures are for extraction
        sections[current].append(line)
    if not sections["++"] and not sections["--"]:
        raise NesyInputError("no `++` (positive) or `--` (negative) section", path=str(path))
    if forest:
        truth = FOREST_TRUTH_PREFIX + sections["**"][0] if sections["**"] else str(path)
        # `+-` strings are negatives that only a numeric condition rejects: search must see them (they
        # are what the bounds are solved from), and they stay in `tests` so reports still single them out.
        negative = list(dict.fromkeys(sections["--"] + sections["+-"]))
        return regex_task(path.stem, sections["++"], negative, test_negative=sections["+-"], source=truth,
                          path=str(path))
    positive = _expand(sections["++"], path)
    negative = _expand(sections["--"], path)
    return regex_task(path.name, positive, negative, ALPHAREGEX_ALPHABET, source=str(path), path=str(path))


def _expand(patterns: Iterable[str], path: Path) -> list[str]:
    """Every string an AlphaRegex example stands for (`X` is either symbol), without repeats."""
    strings: dict[str, None] = {}
    for pattern in patterns:
        choices = [ALPHAREGEX_ALPHABET if c == WILDCARD else c for c in pattern]
        count = 1
        for options in choices:
            count *= len(options)
        if count > MAX_EXPANSIONS:
            raise NesyInputError(f"example {pattern!r} stands for {count} strings (at most {MAX_EXPANSIONS})",
                                 path=str(path))
        for letters in itertools.product(*choices):
            strings["".join(letters)] = None
    return list(strings)


def _load_jsonl(path: Path) -> list[Task]:
    tasks = [_task_from_record(record, path, number) for number, record in jsonl_records(path)]
    if not tasks:
        raise NesyInputError("no tasks in this file", path=str(path))
    return tasks


def _strings(record: dict[str, Any], key: str, path: Path, line: int) -> list[str]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise NesyInputError(f"{key!r} must be a list of strings", path=str(path), line=line)
    return value


def _task_from_record(record: Any, path: Path, line: int) -> Task:
    if not isinstance(record, dict):
        raise NesyInputError("a task must be a JSON object", path=str(path), line=line)
    if "positive" not in record and "negative" not in record:
        raise NesyInputError("a regex task needs \"positive\" and/or \"negative\" strings", path=str(path), line=line)
    alphabet = record.get("alphabet")
    if alphabet is not None and not isinstance(alphabet, str):
        raise NesyInputError("\"alphabet\" must be a string of symbols", path=str(path), line=line)
    tests = record.get("tests", {})
    if not isinstance(tests, dict):
        raise NesyInputError("\"tests\" must be {\"positive\": [...], \"negative\": [...]}", path=str(path), line=line)
    name = str(record.get("name", f"{path.name}:{line}"))
    try:
        return regex_task(name, _strings(record, "positive", path, line), _strings(record, "negative", path, line),
                          alphabet, _strings(tests, "positive", path, line), _strings(tests, "negative", path, line),
                          source=f"{path}:{line}")
    except NesyInputError as error:
        raise NesyInputError(str(error), path=str(path), line=line) from None
