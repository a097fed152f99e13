"""Fuzzing the JSONL task reader: mutated task lines (datasets/strings seeds) are read or
refused with a one-line NesyInputError at a line of the file; nothing else escapes."""
from __future__ import annotations

import pathlib

from hypothesis import given

from dsl.task_files import load_tasks
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, refusal_of

AREA = "jsonl"
_DATASETS = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "strings"
# Two tasks a seed: a mutation may break one line and leave the other.
SEEDS: list[str] = [
    "".join((_DATASETS / name).read_text().splitlines(keepends=True)[start:start + 2])
    for name in ("demo.jsonl", "spreadsheet.jsonl") for start in (0, 6)
] + ['{"name": "join", "examples": [{"inputs": ["a", "b"], "output": "a b"}], "input_names": ["first", "last"], '
     '"inputs_only": [["c", "d"]]}\n{"examples": [{"inputs": [3], "output": true}], "tests": []}\n']


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """Read `data` as a user's `.jsonl` task file."""
    path = tmp_dir / "tasks.jsonl"
    path.write_bytes(data)
    load_tasks(path)


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_jsonl_files_are_read_or_refused_at_a_line(data, tmp_path):
    error = refusal_of(lambda: read_bytes(data, tmp_path))
    if error is not None:
        assert error.path == str(tmp_path / "tasks.jsonl"), str(error)
        assert error.line is not None or "no tasks in this file" in str(error), str(error)
