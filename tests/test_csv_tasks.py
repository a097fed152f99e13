"""CSV task files: a header naming the inputs, the output column last, rows with an empty output as
the unlabelled rows; bad files get a one-line error at their line, as the other readers give."""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl.core import STRING
from dsl.errors import NesyInputError
from dsl.task_files import load_tasks

GOOD = "Full Name,Initials\nAda Lovelace,A.L.\nAlan Turing,A.T.\nGrace Hopper,\n"


def csv_file(tmp_path: Path, text: str, name: str = "initials.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def refused(path: Path, fragment: str, line: int | None) -> NesyInputError:
    with pytest.raises(NesyInputError) as caught:
        load_tasks(path)
    error = caught.value
    assert "\n" not in str(error) and str(error).startswith(str(path)) and fragment in str(error), str(error)
    assert error.line == line, str(error)
    return error


def test_a_column_is_one_task_named_after_the_file(tmp_path):
    [task] = load_tasks(csv_file(tmp_path, GOOD))
    assert task.name == "initials" and task.source == str(tmp_path / "initials.csv")
    assert [(v.name, v.type) for v in task.inputs] == [("Full_Name", STRING)] and task.output_type == STRING
    assert [(e.inputs, e.output) for e in task.examples] == [(("Ada Lovelace",), "A.L."), (("Alan Turing",), "A.T.")]
    assert task.unlabelled == (("Grace Hopper",),) and task.tests == ()


def test_cells_stay_strings_quoted_cells_may_hold_commas_and_line_breaks(tmp_path):
    text = 'zip,city,label\r\n02139,"Cambridge, MA",02139 Cambridge\r\n"10001"," New\nYork ",\r\n\r\n'
    [task] = load_tasks(csv_file(tmp_path, text))
    assert [v.type for v in task.inputs] == [STRING, STRING]
    assert task.examples[0].inputs == ("02139", "Cambridge, MA")   # leading zero kept
    assert task.unlabelled == (("10001", " New\nYork "),)          # spaces kept: they may matter


@pytest.mark.parametrize("header,names", [
    ("first,last,out", ["first", "last"]),
    (" First  Name ,Last,out", ["First_Name", "Last"]),
    ("first,first,out", ["x0", "x1"]),        # repeated: positional names for all
    ("1st,last,out", ["x0", "x1"]),           # not a symbol
    ("str.len,last,out", ["x0", "x1"]),       # an operator
    (",last,out", ["x0", "x1"]),
])
def test_header_cells_name_the_inputs_when_all_are_usable(tmp_path, header, names):
    [task] = load_tasks(csv_file(tmp_path, f"{header}\na,b,ab\n"))
    assert [v.name for v in task.inputs] == names


def test_in_a_folder_a_csv_task_is_named_by_its_path(tmp_path):
    (tmp_path / "sheets").mkdir()
    csv_file(tmp_path / "sheets", GOOD, name="names.csv")
    [task] = load_tasks(tmp_path)
    assert task.name == "sheets/names.csv"


@pytest.mark.parametrize("text,fragment,line", [
    ("", "no header row", None),
    ("\n,\n", "no header row", None),
    ("only\nA\n", "the header has 1 column; a task needs an input column and an output column", 1),
    ("name;initials\nAda;A\n", "the header holds semicolons: save the file comma-separated", 1),
    ("name,initials\nAda\n", "this row has 1 cells and the header 2 (a row to fill ends with an empty output", 2),
    ("name,initials\nAda,A,x\n", "this row has 3 cells and the header 2", 2),
    ('name,initials\n"Ada\nLovelace",A.L.\nBob,B,x\n', "this row has 3 cells", 4),
    ("name,initials\nAda,\nBob,\n", "no row has an output", None),
    ('name,initials\nAda,"A.L.\n', "malformed CSV: unexpected end of data", 2),
    ('name,initials\n"Ada"x,A\n', "malformed CSV: ',' expected after '\"'", 2),
])
def test_bad_csv_files_are_refused_at_a_line(tmp_path, text, fragment, line):
    refused(csv_file(tmp_path, text), fragment, line)


@pytest.mark.parametrize("data,fragment,line", [
    ("name,initials\nJosé,J\n".encode("latin-1"), "not UTF-8: byte 0xe9 at byte offset 17", 2),
    ("name,initials\nAda,A\n".encode("utf-16"), "UTF-16", 1),
    ("name,initials\nAda,A\n".encode("utf-16-le"), "NUL character at offset 1", 1),
])
def test_files_that_are_not_utf8_get_the_same_error_as_other_task_files(tmp_path, data, fragment, line):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    refused(path, fragment, line)


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    [task] = load_tasks(path)
    assert task.inputs[0].name == "Full_Name"
