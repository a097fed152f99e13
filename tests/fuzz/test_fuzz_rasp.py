"""Fuzzing `nesy rasp`: mutated library programs (datasets/rasp/*.rasp) are read, checked and run,
or refused with a one-line NesyInputError naming the file; compiling what loads refuses the same
way; a damaged compiled model file is refused too. Nothing else escapes."""
from __future__ import annotations

import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.errors import NesyInputError
from dsl.rasp import LIBRARY_DIR, load_file
from dsl.rasp.interpreter import run
from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, only_input_errors

AREA = "rasp"
SEEDS: list[str] = [path.read_text() for path in sorted(LIBRARY_DIR.glob("*.rasp"))]
INPUTS = ([1, 2, 3], ["(", "a", ")"])


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """What `nesy rasp run FILE --input ...` does with `data` as the user's `.rasp` file."""
    path = tmp_dir / "program.rasp"
    path.write_bytes(data)
    program = load_file(path)
    for tokens in INPUTS:
        try:
            run(program, tokens, str(path))
        except NesyInputError as error:
            if error.path != str(path):  # a run-time error names the program's file
                raise AssertionError(f"error without the file: {error}") from None


def _refused_naming(path: pathlib.Path, read) -> None:
    errors: list[NesyInputError] = []

    def attempt() -> None:
        try:
            read()
        except NesyInputError as error:
            errors.append(error)
            raise

    if only_input_errors(attempt) == "refused":
        assert errors[0].path == str(path), str(errors[0])


@FUZZ_SETTINGS
@given(data=mutated_bytes(SEEDS))
def test_mutated_programs_are_run_or_refused_naming_the_file(data, tmp_path):
    _refused_naming(tmp_path / "program.rasp", lambda: read_bytes(data, tmp_path))


@settings(FUZZ_SETTINGS, max_examples=max(10, FUZZ_SETTINGS.max_examples // 3))
@given(data=mutated_bytes(SEEDS))
def test_mutated_programs_compile_or_are_refused(data, tmp_path):
    from nesy.compiler import compile_program

    path = tmp_path / "program.rasp"
    path.write_bytes(data)
    _refused_naming(path, lambda: compile_program(load_file(path), (1, 2, "a"), 3, str(path)).run([[1, "a", 2]]))


_MODEL: dict[str, bytes] = {}


def _model_bytes(tmp_dir: pathlib.Path) -> bytes:
    """A valid saved model (reverse over 1,2,3 at length 4), made once."""
    if "reverse" not in _MODEL:
        from nesy.compiler import compile_rasp
        from nesy.compiler.files import save

        save(compile_rasp((LIBRARY_DIR / "reverse.rasp").read_text(), "1,2,3", 4), tmp_dir / "seed.pt")
        _MODEL["reverse"] = (tmp_dir / "seed.pt").read_bytes()
    return _MODEL["reverse"]


@settings(FUZZ_SETTINGS, max_examples=max(10, FUZZ_SETTINGS.max_examples // 3))
@given(cut=st.floats(0, 1), damage=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4))
def test_damaged_model_files_are_refused(cut, damage, tmp_path):
    from nesy.compiler.files import load_model

    data = bytearray(_model_bytes(tmp_path))
    for where, byte in damage:
        data[int(where * (len(data) - 1))] = byte
    if cut < 0.5:
        data = data[:int(cut * 2 * len(data))]
    path = tmp_path / "model.pt"
    path.write_bytes(bytes(data))
    _refused_naming(path, lambda: load_model(path))
