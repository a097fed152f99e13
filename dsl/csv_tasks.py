"""Reading a spreadsheet column as a task: a `.csv` file with a header row, input columns first and
the output column last; rows with an empty output cell are the unlabelled rows to fill.

Every cell is a string, digits included: a ZIP code or a phone number keeps its leading zeros, and
the DSL converts text to a number (`str.to.int`) when a program needs one. An empty output cell
means "no output yet", so a CSV task cannot have the empty string as an output (JSONL can).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from dsl.core import Dsl, Example, Task, make_task
from dsl.errors import NesyInputError
from dsl.task_files import input_names_problem, read_task_text
from dsl.task_hints import with_hints


def load_csv_task(path: Path, dsl: Dsl | None = None) -> Task:
    """The task of one CSV file, named after the file; `dsl` types the cells (default: strings)."""
    rows = csv_rows(read_task_text(path), str(path))
    if not rows:
        raise NesyInputError("no header row: the first row names the input columns and the output", path=str(path))
    (header_line, header), body = rows[0], rows[1:]
    if len(header) < 2:
        raise NesyInputError(f"the header has {len(header)} column; a task needs an input column and an "
                             f"output column{_separator_hint(header)}", path=str(path), line=header_line)
    examples, unlabelled = [], []
    for line, row in body:
        if len(row) != len(header):
            raise NesyInputError(f"this row has {len(row)} cells and the header {len(header)} (a row to fill "
                                 f"ends with an empty output cell: 'a,b,')", path=str(path), line=line)
        *inputs, output = row
        if output == "":
            unlabelled.append(tuple(inputs))
        else:
            examples.append(Example(tuple(inputs), output))
    if not examples:
        raise NesyInputError("no row has an output: fill the last column of at least one row", path=str(path))
    names = input_names(header[:-1], dsl)
    try:
        task = make_task(path.stem, examples, input_names=names, type_of=dsl.type_of if dsl else None,
                         source=str(path))
        return with_hints(task, dsl, unlabelled=unlabelled)
    except NesyInputError as error:
        raise NesyInputError(str(error), path=str(path)) from None


def csv_rows(text: str, path: str) -> list[tuple[int, list[str]]]:
    """(line where the row starts, cells) for each row with a non-empty cell; quoting errors name
    their line. Lines may end in "\\n", "\\r\\n" or "\\r"; a quoted cell may hold line breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell != "" for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise NesyInputError(f"malformed CSV: {error}", path=path, line=reader.line_num or 1) from None
    return rows


def input_names(header: list[str], dsl: Dsl | None = None) -> list[str] | None:
    """Header cells as input names, surrounding space dropped and inner spaces made `_`
    ("First Name" -> First_Name); None (inputs are x0, x1, ...) unless every one is a usable,
    distinct name: all or none, so a fallback name cannot clash with a header's."""
    names = ["_".join(cell.split()) for cell in header]
    if len(set(names)) != len(names) or input_names_problem(names, dsl) is not None:
        return None
    return names


def _separator_hint(header: list[str]) -> str:
    """Excel in many locales saves with ';' (or tabs): say so rather than only counting columns."""
    cell = header[0] if header else ""
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if separator in cell:
            return f" (the header holds {name}: save the file comma-separated)"
    return ""
