"""Fuzzing the CSV task reader: mutated spreadsheet columns are read or refused with a one-line
NesyInputError naming the file (and a line, unless the whole file is at fault); nothing else
escapes."""
from __future__ import annotations

import pathlib

from hypothesis import given

from dsl.task_files import load_tasks
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, refusal_of

AREA = "csv"
SEEDS: list[str] = [
    "Full Name,Initials\nAda Lovelace,A.L.\nAlan Turing,A.T.\nGrace Hopper,\n",
    'zip,city,label\r\n02139,"Cambridge, MA",02139 Cambridge\r\n"10001"," New\nYork ",\r\n',
    'first,last,email\nJane,Doe,jane.doe@example.com\n"O\'Neil ""Shaq""",Smith,\n,,\nBo,Li,bo.li@example.com\n',
]
# What a refusal of the whole file says (no one line is at fault).
_WHOLE_FILE = ("no header row", "no row has an output")


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """Read `data` as a user's `.csv` task file."""
    path = tmp_dir / "column.csv"
    path.write_bytes(data)
    load_tasks(path)


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_csv_files_are_read_or_refused_at_a_line(data, tmp_path):
    error = refusal_of(lambda: read_bytes(data, tmp_path))
    if error is not None:
        assert error.path == str(tmp_path / "column.csv"), str(error)
        assert error.line is not None or any(text in str(error) for text in _WHOLE_FILE), str(error)
