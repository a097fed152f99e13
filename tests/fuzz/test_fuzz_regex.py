"""Fuzzing the regex front door: mutated patterns (as `nesy regex equiv/match/convert` get them) and
mutated regex task files (FOREST, AlphaRegex, Regel, JSONL) are read or refused with a one-line
NesyInputError that says where (the column of a pattern, the line of a file); nothing else escapes.
A pattern that is read must reach Z3 (or be refused there) and print back to the same regex."""
from __future__ import annotations

import pathlib

from hypothesis import given

from dsl.errors import NesyInputError
from dsl.regex import accepts, parse_regex, to_everyday, to_z3
from dsl.regex.ground_truth import ground_truth_z3
from dsl.regex.task_files import load_regex_tasks
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, refusal_of

AREA = "regex"
PATTERNS = [r"\d{2}/\d{2}/\d{4}", r"^[a-z0-9.\-_]+@[a-z]+\.(com|org)$", r"(?:ab|c){2,}[^0-9]?x*?",
            r"[\W_]\x41\u00e9\N{BULLET}\012+[]a-]", "(0|1)*01|()|(?!)", r"a{,3}b{2}c{1,}\$\^"]
FOREST = "\n".join(["++", "01/02/2024, 01", "31/12/1999, 31", "--", "1/2/2024", "+-", "32/01/2024", "**",
                    "([0-9]{2})/[0-9]{2}/[0-9]{4}, $0 <= 31, $0 >= 1", ""])
ALPHAREGEX = "strings ending in 01\n++\n01\nX01\n--\n0\n10\nX0\n"
REGEL = '// natural language\ndigits\n\n// examples\n"12",+\n"a",-\n\n// gt\nrepeatatleast(<num>,1)\n'
JSONL = ('{"name": "t", "positive": ["ab"], "negative": ["a"], "alphabet": "abc", '
         '"tests": {"positive": ["abab"], "negative": ["b"]}}\n{"positive": ["1"], "negative": []}\n')
SEEDS: list[str] = PATTERNS + [FOREST, ALPHAREGEX, REGEL, JSONL]
# Errors about the whole pattern or file: nothing in it to point at.
WHOLE_PATTERN = ("too long", "levels deep", "past what Z3 can check", "beyond Z3's strings")
WHOLE_FILE = ("no `++`", "no tasks in this file", "no positive and no negative", "is both positive and negative")
SAMPLES = ("", "a", "01/02/2024", "a-b@x.com")


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """One line of text is a pattern given on the command line; more is a regex task file."""
    text = data.decode("utf-8", "surrogateescape")   # what the command line makes of the bytes
    if "\n" in text:
        _read_task_file(data, text, tmp_dir)
    else:
        _read_pattern(text)


def _read_pattern(text: str) -> None:
    """What `nesy regex convert/match/equiv R` does with the pattern."""
    regex = parse_regex(text, "everyday", "R")
    to_everyday(regex)
    for sample in SAMPLES:
        accepts(regex, sample)
    to_z3(regex)


def _read_task_file(data: bytes, text: str, tmp_dir: pathlib.Path) -> None:
    """What `nesy synth --dsl regex FILE` and `nesy regex score` read of the file."""
    name = "tasks.jsonl" if text.startswith("{") else "task.txt" if "**" in text else "task"
    path = tmp_dir / name
    path.write_bytes(data)
    for task in load_regex_tasks(path):
        ground_truth_z3(task)


def _where(error: NesyInputError, data: bytes, tmp_dir: pathlib.Path) -> None:
    """The refusal points into the pattern or the file."""
    message = str(error)
    if "\n" in data.decode("utf-8", "surrogateescape"):
        assert error.path is not None and error.path.startswith(str(tmp_dir)), message
        assert error.line is not None or any(m in message for m in WHOLE_FILE), message
    else:
        assert error.column is not None or any(m in message for m in WHOLE_PATTERN), message


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_regexes_and_task_files_are_read_or_refused_with_a_position(data, tmp_path):
    error = refusal_of(lambda: read_bytes(data, tmp_path))
    if error is not None:
        _where(error, data, tmp_path)


@FUZZ_SETTINGS
@given(data=mutated_bytes(PATTERNS))
def test_mutated_patterns_that_are_read_print_back_to_the_same_regex(data):
    text = data.decode("utf-8", "surrogateescape").replace("\n", "")
    try:
        regex = parse_regex(text)
    except NesyInputError:
        return
    assert parse_regex(to_everyday(regex)) == regex, to_everyday(regex)
