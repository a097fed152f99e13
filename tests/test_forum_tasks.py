"""datasets/strings/forum.jsonl is consistent: every output is what a plain Python reference of the
task computes, every task has the promised shape (2-4 examples, 3 held-out tests, 3-5 unlabelled
rows) and loads. The outputs were typed by hand; these functions are the second, independent check."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from dsl.core import STRING
from dsl.task_files import load_tasks

FORUM = Path(__file__).resolve().parents[1] / "datasets" / "strings" / "forum.jsonl"


def _after(text: str, mark: str) -> str:
    return text[text.index(mark) + len(mark):]


def _before(text: str, mark: str) -> str:
    return text[:text.index(mark)]


def _proper(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


REFERENCES: dict[str, Callable[[str], str]] = {
    "dates_iso_to_dmy": lambda s: f"{s[8:10]}/{s[5:7]}/{s[0:4]}",
    "dates_month_abbrev": lambda s: s[:3] + s[s.index(" "):],
    "dates_month_name": lambda s: s.split(" ")[1],
    "names_initial_and_last": lambda s: f"{s[0]}. {s.split(' ')[1]}",
    "names_last_upper_first": lambda s: f"{s.split(' ')[1].upper()}, {s.split(' ')[0]}",
    "names_capitalise": _proper,
    "names_three_initials": lambda s: "".join(word[0].upper() for word in s.split(" ")),
    "urls_domain": lambda s: _before(_after(s, "//"), "/"),
    "urls_path": lambda s: "/" + _after(_after(s, "//"), "/"),
    "urls_strip_query": lambda s: _before(s, "?"),
    "email_from_display_name": lambda s: _before(_after(s, "<"), ">"),
    "email_domain": lambda s: _after(s, "@"),
    "email_to_full_name": lambda s: _proper(_before(s, "@").replace(".", " ")),
    "money_strip_symbol": lambda s: s[1:].replace(",", ""),
    "money_thousands": lambda s: f"{int(s):,}",
    "money_negative_parens": lambda s: f"({s[1:]})" if s.startswith("-") else s,
    "phones_format_us": lambda s: f"({s[:3]}) {s[3:6]}-{s[6:]}",
    "phones_last_four": lambda s: s[-4:],
    "codes_category": lambda s: s.split("-")[1],
    "codes_order_number": lambda s: _before(_after(s, "#"), " "),
}
# Formats of one width: a fixed-position program is the right one, so lengths need not vary.
FIXED_WIDTH = {"dates_iso_to_dmy", "phones_format_us"}

TASKS = {task.name: task for task in load_tasks(FORUM)}


def test_the_file_holds_the_twenty_tasks_with_a_reference_each():
    assert len(TASKS) == 20 and sorted(TASKS) == sorted(REFERENCES)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_output_is_what_the_reference_computes(name):
    task, reference = TASKS[name], REFERENCES[name]
    for example in (*task.examples, *task.tests):
        assert reference(*example.inputs) == example.output, (name, example)
    for row in task.unlabelled:
        reference(*row)    # the unlabelled rows are of the column's kind: the reference applies


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_task_has_the_promised_shape(name):
    task = TASKS[name]
    assert 2 <= len(task.examples) <= 4 and len(task.tests) == 3 and 3 <= len(task.unlabelled) <= 5
    assert [v.type for v in task.inputs] == [STRING] and task.output_type == STRING
    rows = [e.inputs for e in (*task.examples, *task.tests)] + list(task.unlabelled)
    assert len(set(rows)) == len(rows), "a row is repeated"
    if name not in FIXED_WIDTH:
        seen = {len(e.inputs[0]) for e in task.examples}
        assert any(len(e.inputs[0]) not in seen for e in task.tests), "held-out rows of new lengths"
