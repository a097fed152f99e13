"""Mutations of valid inputs, for the fuzz tests of every parser and reader.

A fuzz test starts from a few valid files of its language (seeds), mutates them with the strategies
here and asserts that the reader either accepts the result or raises `NesyInputError` (with position
information where the language has lines): nothing else may escape. The number of examples comes
from the environment, so the default test run stays short and `make test-fuzz` runs it longer:

    NESY_FUZZ_EXAMPLES=5000 pytest tests/fuzz
"""
from __future__ import annotations

import os
from typing import Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from dsl.errors import NesyInputError

FUZZ_EXAMPLES = int(os.environ.get("NESY_FUZZ_EXAMPLES", "150"))
# One profile for every fuzz test: no deadline (a mutation may legitimately take a while to be
# refused), derandomized in the default run so CI is reproducible.
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_EXAMPLES <= 500,
                         suppress_health_check=list(HealthCheck))

# Text that tends to break readers: brackets, quotes, escapes, huge numbers, odd code points.
NASTY_PIECES = ("(", ")", "[", "]", "{", "}", '"', "'", "\\", "\\u{1F600}", "\\x41", "\n", "\t", "\r\n",
                "\x00", "\ufeff", "\U0003ffff", "-", ";", ":", ",", "9" * 5000, "-" + "9" * 400, "1e999",
                "NaN", "Infinity", "null", "true", "(" * 10000, "[" * 10000, "{" * 10000, " " * 3)


@st.composite
def mutated_text(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed with a few random edits: delete, duplicate, insert a nasty piece, swap, truncate."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("delete", "duplicate", "insert", "truncate", "swap", "char")))
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(NASTY_PIECES)) + text[i:]
        elif kind == "truncate":
            text = text[:i]
        elif kind == "swap" and n > 1:
            k = draw(st.integers(0, n - 1))
            text = text[:k] + text[i:j] + text[k:i] + text[j:] if k < i else text
        else:
            text = text[:i] + draw(st.characters()) + text[j:]
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: list[str]) -> bytes:
    """Mutated text written in some encoding, or with raw byte damage (non-UTF-8 files)."""
    text = draw(mutated_text(seeds))
    encoding = draw(st.sampled_from(("utf-8", "utf-8", "utf-16", "latin-1", "damaged")))
    if encoding == "damaged":
        data = bytearray(text.encode("utf-8", "surrogatepass"))
        for _ in range(draw(st.integers(1, 3))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0x80, 0xFF))
        return bytes(data)
    return text.encode(encoding, "replace")


def only_input_errors(read: Callable[[], object]) -> str:
    """Run `read`; return "accepted" or "refused" (a `NesyInputError`); anything else propagates
    and fails the test with its traceback."""
    try:
        read()
    except NesyInputError as error:
        message = str(error)
        assert message and "\n" not in message.strip(), f"error message is not one line: {message!r}"
        return "refused"
    return "accepted"


def refusal_of(read: Callable[[], object]) -> NesyInputError | None:
    """Like `only_input_errors`, but hand back the refusal (None when accepted) so a test can
    check where it points."""
    try:
        read()
    except NesyInputError as error:
        message = str(error)
        assert message and "\n" not in message.strip(), f"error message is not one line: {message!r}"
        return error
    return None
