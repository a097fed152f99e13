"""Fuzzing the SyGuS reader: mutated `.sl` files (SyGuS-Comp 2019 seeds) are read or refused
with a one-line NesyInputError at a line of the file; nothing else escapes."""
from __future__ import annotations

import pathlib

from hypothesis import given

from dsl.task_files import load_tasks
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, refusal_of

AREA = "sygus"
_BENCHMARKS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "sygus-pbe-slia-2019"
_FILES = ("from_2018/initials_small.sl", "from_2018/max3.sl", "from_2018/bikes.sl", "euphony/37281007.sl")
# A seed that needs no benchmark folder: a v2 grammar, an Int non-terminal, escapes, a comment.
_OWN = '''(set-logic SLIA)
(synth-fun f ((name String) (k Int)) String
  ((Start String (name " " "\\u{41}" (str.++ Start Start) (str.substr Start I I)))
   (I Int (0 1 k (- 2) (str.len Start)))))
; one example a line
(constraint (= (f "Ada Lovelace" 3) "Ada"))
(constraint (= (f "say ""hi""" 1) "s"))
(check-synth)
'''
SEEDS: list[str] = [_OWN] + [(_BENCHMARKS / f).read_text() for f in _FILES if (_BENCHMARKS / f).is_file()]
# Errors about the file as a whole: nothing in it to point at.
WHOLE_FILE = ("no synth-fun in the file", "no constraints")


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """Read `data` as a user's `.sl` task file."""
    path = tmp_dir / "task.sl"
    path.write_bytes(data)
    load_tasks(path)


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_sygus_files_are_read_or_refused_at_a_line(data, tmp_path):
    error = refusal_of(lambda: read_bytes(data, tmp_path))
    if error is not None:
        assert error.path == str(tmp_path / "task.sl"), str(error)
        assert error.line is not None or any(m in str(error) for m in WHOLE_FILE), str(error)
