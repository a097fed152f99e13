"""VNN-LIB reader: every mnistfc property file, and malformed or unsupported files with positions."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from dsl.errors import NesyInputError
from dsl.vnnlib import read_vnnlib, read_vnnlib_text

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "vnncomp2021-mnistfc"
needs_suite = pytest.mark.skipif(not SUITE.is_dir(), reason=f"benchmark suite {SUITE} is not here")

HEADER = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
BOX = "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 -0.5))\n(assert (<= X_1 0.1))\n"


@needs_suite
@pytest.mark.parametrize("path", sorted(SUITE.glob("prop_*.vnnlib")), ids=lambda p: p.name)
def test_every_mnistfc_property(path: Path) -> None:
    prop = read_vnnlib(path)
    assert (prop.inputs, prop.outputs) == (784, 10)
    assert len(prop.disjuncts) == 9 and all(len(conj) == 1 for conj in prop.disjuncts)
    label = int(path.read_text().split("label:")[1].split(".")[0])
    others = sorted(dict(conj[0].coeffs).keys() - {label} for conj in prop.disjuncts)
    assert others == [{j} for j in range(10) if j != label]
    assert all(dict(conj[0].coeffs)[label] == -1 for conj in prop.disjuncts)
    eps = Fraction(path.stem.split("_")[2])
    widths = [hi - lo for lo, hi in zip(prop.exact_lo, prop.exact_hi)]
    assert max(widths) <= 2 * eps + Fraction(1, 10**6)
    assert np.all(prop.lo <= prop.hi) and np.all(prop.lo >= 0) and np.all(prop.hi <= 1)


def test_outward_rounding_and_exact_checks() -> None:
    prop = read_vnnlib_text(HEADER + BOX + "(assert (>= Y_0 Y_1))")
    assert prop.lo[1] <= -0.5 and Fraction(prop.hi[1]) >= Fraction("0.1")   # 0.1 rounded up, not to nearest
    assert prop.in_box([0.0, 0.1]) is False or Fraction(0.1) <= Fraction("0.1")
    assert prop.in_box([1.0, -0.5]) and not prop.in_box([1.0000001, 0.0])
    assert prop.violated_by([1.0, 1.0]) and not prop.violated_by([0.0, 1e-30])


def test_and_or_and_linear_terms() -> None:
    text = HEADER + BOX + ("(assert (or (and (>= Y_0 0.5) (<= (+ Y_1 (* 2 Y_0)) 3)) (> (- Y_1 Y_0) 1)))\n"
                           "(assert (<= Y_0 10))")
    prop = read_vnnlib_text(text)
    assert len(prop.disjuncts) == 2 and [len(c) for c in prop.disjuncts] == [3, 2]
    assert prop.violated_by([0.6, 1.0]) and not prop.violated_by([0.4, 1.0])
    assert prop.violated_by([0.0, 1.5]) and not prop.violated_by([0.0, 1.0])   # strict >
    assert not prop.violated_by([11.0, 20.0])


@pytest.mark.parametrize("text, message, line", [
    (HEADER + BOX + "(assert (>= Y_0 Y_1)", "syntax error", None),
    (HEADER + BOX + "(assert (>= Y_0 Y_7))", "Y_7 is not a declared constant", 9),
    (HEADER + "(assert (>= X_0 0))\n(assert (>= Y_0 Y_1))", "X_0 has no upper bound", None),
    (HEADER + BOX + "(assert (>= (* Y_0 Y_1) 1))", "product of two variables", 9),
    (HEADER + BOX + "(assert (not (>= Y_0 Y_1)))", "outside the supported fragment", 9),
    (HEADER + BOX + "(assert (>= Y_0 X_1))", "mixes inputs X_i and outputs Y_j", 9),
    (HEADER + "(assert (or (>= X_0 0) (<= X_0 1)))\n(assert (<= X_1 1))(assert (>= X_1 0))(assert (>= Y_0 Y_1))",
     "an 'or' over inputs", 5),
    ("(declare-const X_0 Int)", "only Real is supported", 1),
    ("(declare-const Z Real)", "only X_i (inputs) and Y_j (outputs)", 1),
    (HEADER + BOX, "no assertion on the outputs", None),
    (HEADER + "(assert (>= X_0 2))(assert (<= X_0 1))(assert (<= X_1 1))(assert (>= X_1 0))(assert (>= Y_0 Y_1))",
     "the box is empty", None),
])
def test_malformed_files_name_what_and_where(text: str, message: str, line: int | None) -> None:
    with pytest.raises(NesyInputError) as error:
        read_vnnlib_text(text, "bad.vnnlib")
    assert message in str(error.value) and str(error.value).startswith("bad.vnnlib")
    assert "\n" not in str(error.value)
    if line is not None:
        assert error.value.line == line


def test_syntax_error_position() -> None:
    with pytest.raises(NesyInputError) as error:
        read_vnnlib_text(HEADER + "(assert (>= X_0 ))", "bad.vnnlib")
    assert error.value.line == 5 and error.value.column is not None


def test_missing_file() -> None:
    with pytest.raises(NesyInputError, match="not found"):
        read_vnnlib("/nonexistent/p.vnnlib")
