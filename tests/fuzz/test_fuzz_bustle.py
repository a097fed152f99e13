"""Fuzzing the BUSTLE/CrossBeam JSON reader: mutated task lists (seeds from BUSTLE's benchmark
files) are read or refused with a one-line NesyInputError at a line of the file."""
from __future__ import annotations

import json
import pathlib

from hypothesis import given

from dsl.task_files import load_tasks
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, refusal_of

AREA = "bustle-json"
_BUSTLE = pathlib.Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "bustle"
_OWN = [{"name": "addDecimal", "description": "add a decimal point", "tags": [], "tables": [],
         "expectedProgram": "", "trainExamples": [{"inputs": ["45"], "output": "45.0"}],
         "testExamples": [{"inputs": ["1.5"], "output": "1.5"}]}]


def _seeds() -> list[str]:
    """Two tasks of each BUSTLE file, laid out as BUSTLE lays them out (indent 2)."""
    files = sorted(_BUSTLE.glob("*.json")) if _BUSTLE.is_dir() else []
    return [json.dumps(_OWN, indent=2)] + [json.dumps(json.loads(f.read_text())[:2], indent=2) for f in files]


SEEDS: list[str] = _seeds()


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """Read `data` as a user's BUSTLE-style `.json` task list."""
    path = tmp_dir / "tasks.json"
    path.write_bytes(data)
    load_tasks(path)


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_json_task_lists_are_read_or_refused_at_a_line(data, tmp_path):
    error = refusal_of(lambda: read_bytes(data, tmp_path))
    if error is not None:
        assert error.path == str(tmp_path / "tasks.json") and error.line is not None, str(error)
