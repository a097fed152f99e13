"""VNN-LIB properties in: `vnnlib.lark` parses the file, `read_vnnlib` turns it into a `VnnlibProperty`.

The supported fragment is what VNN-COMP's fully connected and small conv benchmarks use: inputs
`X_0..X_{n-1}` and outputs `Y_0..Y_{m-1}` declared `Real`; assertions on inputs are bounds of one
input by a constant (together: a box); assertions on outputs are and/or combinations of linear
inequalities over the outputs. All asserts together describe the *violation*: a point that meets
them is a counterexample (SAT), none existing means the property holds (UNSAT).

Numbers are kept exact (`fractions.Fraction`); the float64 box is rounded outward (lower bounds
down, upper bounds up), so a proof over it covers every real point of the exact box.

>>> p = read_vnnlib_text("(declare-const X_0 Real)(declare-const Y_0 Real)(declare-const Y_1 Real)"
...                      "(assert (<= X_0 0.5))(assert (>= X_0 0))(assert (>= Y_1 Y_0))")
>>> p.inputs, p.outputs, p.lo.tolist(), p.hi.tolist(), len(p.disjuncts)
(1, 2, [0.0], [0.5], 1)
>>> p.violated_by([0.25, 0.5]), p.violated_by([0.5, 0.25])
(True, False)
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable

import numpy as np

from dsl.errors import NesyInputError, syntax_error

GRAMMAR_FILE = Path(__file__).with_name("vnnlib.lark")
MAX_DISJUNCTS = 10_000
"""An and/or formula is multiplied out into disjunctive normal form; past this many disjuncts the
file is refused rather than searched."""

_VARIABLE = re.compile(r"^([XY])_(\d+)$")


@dataclass(frozen=True)
class Inequality:
    """sum(coeffs[j] * Y_j) >= rhs (strict: >), with exact rational coefficients."""

    coeffs: tuple[tuple[int, Fraction], ...]
    rhs: Fraction
    strict: bool
    line: int = 0

    def holds(self, y: Iterable[float]) -> bool:
        """Exact check on concrete outputs (each float taken as the rational it is)."""
        values = list(y)
        total = sum((c * Fraction(float(values[j])) for j, c in self.coeffs), Fraction(0))
        return total > self.rhs if self.strict else total >= self.rhs


@dataclass(frozen=True, eq=False)
class VnnlibProperty:
    """An input box and the violation: a disjunction of conjunctions of output inequalities.

    `lo`/`hi` are float64, rounded outward from the exact bounds `exact_lo`/`exact_hi`."""

    source: str
    inputs: int
    outputs: int
    exact_lo: tuple[Fraction, ...]
    exact_hi: tuple[Fraction, ...]
    disjuncts: tuple[tuple[Inequality, ...], ...]

    @property
    def lo(self) -> np.ndarray:
        return np.array([_round_down(v) for v in self.exact_lo])

    @property
    def hi(self) -> np.ndarray:
        return np.array([_round_up(v) for v in self.exact_hi])

    def in_box(self, x: Iterable[float]) -> bool:
        """Exact: every input within its bounds."""
        return all(lo <= Fraction(float(v)) <= hi for v, lo, hi in zip(x, self.exact_lo, self.exact_hi))

    def violated_by(self, y: Iterable[float]) -> bool:
        """Exact: the outputs meet some disjunct completely."""
        values = list(y)
        return any(all(atom.holds(values) for atom in conj) for conj in self.disjuncts)

    def objective_rows(self) -> list[list[tuple[np.ndarray, float]]]:
        """Per disjunct, per inequality: (c, d) in float64 with c @ y - d >= 0 the violation.

        d is rounded down, so proving c @ y < d' for the rounded d' proves it for the exact one;
        coefficients that float64 cannot hold exactly are refused (VNN-COMP's are +-1)."""
        rows = []
        for conj in self.disjuncts:
            part = []
            for atom in conj:
                c = np.zeros(self.outputs)
                for j, value in atom.coeffs:
                    c[j] = float(value)
                    if Fraction(c[j]) != value:
                        raise NesyInputError(f"coefficient {value} of Y_{j} is not exactly a float64 number",
                                             path=self.source, line=atom.line)
                part.append((c, _round_down(atom.rhs)))
            rows.append(part)
        return rows


def _round_down(value: Fraction) -> float:
    f = float(value)
    return f if Fraction(f) <= value else math.nextafter(f, -math.inf)


def _round_up(value: Fraction) -> float:
    f = float(value)
    return f if Fraction(f) >= value else math.nextafter(f, math.inf)


@functools.lru_cache(maxsize=1)
def _parser():
    import lark

    return lark.Lark(GRAMMAR_FILE.read_text(), parser="lalr", propagate_positions=True)


def read_vnnlib(path: str | Path) -> VnnlibProperty:
    """Read a `.vnnlib` file (errors name the file, line and column)."""
    path = Path(path)
    if not path.is_file():
        raise NesyInputError(f"VNN-LIB file {path} not found")
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as error:
        raise NesyInputError(f"{path}: cannot read as UTF-8 text ({error.__class__.__name__})") from None
    return read_vnnlib_text(text, str(path))


def read_vnnlib_text(text: str, source: str = "<vnnlib>") -> VnnlibProperty:
    """Parse VNN-LIB text; see the module docstring for the supported fragment."""
    import lark

    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as error:
        raise syntax_error(error, text, source, what="VNN-LIB syntax error") from None
    return _Reader(source).read(tree)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.declared: dict[str, int] = {}  # name -> line
        self.lower: dict[int, Fraction] = {}
        self.upper: dict[int, Fraction] = {}
        self.output_formulas: list = []  # each a DNF: list of lists of Inequality

    def fail(self, message: str, node) -> NesyInputError:
        meta = getattr(node, "meta", None)
        line = getattr(meta, "line", None) if meta is not None and not getattr(meta, "empty", True) else None
        column = getattr(meta, "column", None) if line is not None else None
        if line is None and hasattr(node, "line"):  # a token
            line, column = node.line, node.column
        return NesyInputError(message, path=self.source, line=line, column=column)

    def read(self, tree) -> VnnlibProperty:
        for command in tree.children:
            if command.data == "declare":
                self.declare(command)
            else:
                self.assertion(command)
        inputs = self.count("X", tree)
        outputs = self.count("Y", tree)
        for i in range(inputs):
            if i not in self.lower or i not in self.upper:
                side = "lower" if i not in self.lower else "upper"
                raise NesyInputError(f"input X_{i} has no {side} bound (the input region must be a box)",
                                     path=self.source)
            if self.lower[i] > self.upper[i]:
                raise NesyInputError(f"input X_{i}: lower bound {self.lower[i]} exceeds upper bound "
                                     f"{self.upper[i]} (the box is empty)", path=self.source)
        if not self.output_formulas:
            raise NesyInputError("no assertion on the outputs Y_j: nothing to verify", path=self.source)
        dnf = [[]]
        for formula in self.output_formulas:
            dnf = [a + b for a in dnf for b in formula]
            if len(dnf) > MAX_DISJUNCTS:
                raise NesyInputError(f"the output constraints multiply out to more than {MAX_DISJUNCTS} "
                                     "disjuncts", path=self.source)
        return VnnlibProperty(self.source, inputs, outputs, tuple(self.lower[i] for i in range(inputs)),
                              tuple(self.upper[i] for i in range(inputs)), tuple(tuple(c) for c in dnf))

    def count(self, kind: str, tree) -> int:
        indices = sorted(int(_VARIABLE.match(n).group(2)) for n in self.declared if n.startswith(kind))
        if not indices:
            raise NesyInputError(f"no {kind}_i constants declared ({'inputs' if kind == 'X' else 'outputs'})",
                                 path=self.source)
        if indices != list(range(len(indices))):
            missing = sorted(set(range(indices[-1] + 1)) - set(indices))[0]
            raise NesyInputError(f"{kind}_{missing} is not declared, but {kind}_{indices[-1]} is "
                                 f"({kind}_0..{kind}_n-1 must all be declared)", path=self.source)
        return len(indices)

    def declare(self, node) -> None:
        name, sort = node.children
        if not _VARIABLE.match(str(name)):
            raise self.fail(f"constant {name}: only X_i (inputs) and Y_j (outputs) are supported", name)
        if str(sort) != "Real":
            raise self.fail(f"constant {name} has sort {sort}; only Real is supported", sort)
        if str(name) in self.declared:
            raise self.fail(f"constant {name} is declared twice (first on line {self.declared[str(name)]})", name)
        self.declared[str(name)] = name.line

    def assertion(self, node) -> None:
        formula = node.children[0]
        kinds = self.kinds(formula)
        if kinds == {"X"}:
            self.input_bounds(formula)
        elif kinds == {"Y"}:
            self.output_formulas.append(self.dnf(formula))
        elif not kinds:
            raise self.fail("an assertion without X_i or Y_j", formula)
        else:
            raise self.fail("an assertion that mixes inputs X_i and outputs Y_j: outside the supported fragment "
                            "(input boxes, output constraints)", formula)

    def kinds(self, node) -> set[str]:
        for sub in node.iter_subtrees_topdown():
            if sub.data == "other_formula":
                raise self.fail(f"operator {sub.children[0]} is outside the supported fragment (and, or, <=, >=, "
                                "<, >, =)", sub)
        found = set()
        for token in node.scan_values(lambda v: getattr(v, "type", None) == "NAME"):
            match = _VARIABLE.match(str(token))
            if match is None or str(token) not in self.declared:
                raise self.fail(f"{token} is not a declared constant", token)
            found.add(match.group(1))
        return found

    # inputs: a conjunction of single-variable bounds
    def input_bounds(self, node) -> None:
        if node.data == "conj":
            for child in node.children:
                self.input_bounds(child)
            return
        if node.data != "atom":
            raise self.fail("input constraints must be bounds X_i <= c / X_i >= c joined by 'and' (an 'or' "
                            "over inputs, or other operators, are outside the supported fragment)", node)
        op, left, right = node.children
        linear = self.linear(left, right)  # left - right as {index: coeff}, constant
        coeffs, constant = linear
        if len(coeffs) != 1:
            raise self.fail("an input constraint must bound one input by a constant", node)
        (index, coeff), = coeffs.items()
        bound = -constant / coeff
        # coeff * X + constant  op  0
        upper = (op in ("<=", "<")) == (coeff > 0)
        if op == "=":
            self.set_bound(self.lower, index, bound, max, node)
            self.set_bound(self.upper, index, bound, min, node)
        elif upper:
            self.set_bound(self.upper, index, bound, min, node)
        else:
            self.set_bound(self.lower, index, bound, max, node)

    @staticmethod
    def set_bound(bounds: dict, index: int, value: Fraction, pick, node) -> None:
        bounds[index] = pick(bounds[index], value) if index in bounds else value

    # outputs: and/or of linear inequalities, in DNF
    def dnf(self, node) -> list[list[Inequality]]:
        if node.data == "atom":
            if node.children[0] == "=":
                return [list(self.equality(node))]
            return [[self.inequalities(node)]]
        if node.data == "conj":
            result = [[]]
            for child in node.children:
                result = [a + b for a in result for b in self.dnf(child)]
                if len(result) > MAX_DISJUNCTS:
                    raise self.fail(f"this 'and' multiplies out to more than {MAX_DISJUNCTS} disjuncts", node)
            return result
        if node.data == "disj":
            return [conj for child in node.children for conj in self.dnf(child)]
        raise self.fail(f"operator {node.children[0] if node.children else '?'} is outside the supported "
                        "fragment (and, or, <=, >=, <, >, =)", node)

    def inequalities(self, node) -> Inequality:
        op, left, right = node.children
        coeffs, constant = self.linear(left, right)
        if op in ("<=", "<"):  # left - right <= 0  <=>  right - left >= 0
            coeffs, constant = {j: -c for j, c in coeffs.items()}, -constant
        return self.make(coeffs, constant, strict=op in ("<", ">"), node=node)

    def equality(self, node):
        coeffs, constant = self.linear(node.children[1], node.children[2])
        yield self.make(coeffs, constant, False, node)
        yield self.make({j: -c for j, c in coeffs.items()}, -constant, False, node)

    def make(self, coeffs: dict, constant: Fraction, strict: bool, node) -> Inequality:
        # sum coeffs * Y + constant >= 0  <=>  sum coeffs * Y >= -constant
        terms = tuple(sorted((j, c) for j, c in coeffs.items() if c != 0))
        line = node.meta.line if not node.meta.empty else 0
        return Inequality(terms, -constant, strict, line)

    def linear(self, left, right) -> tuple[dict[int, Fraction], Fraction]:
        """left - right as a linear form: ({variable index: coefficient}, constant)."""
        lc, lk = self.term(left)
        rc, rk = self.term(right)
        coeffs = dict(lc)
        for j, c in rc.items():
            coeffs[j] = coeffs.get(j, Fraction(0)) - c
        return {j: c for j, c in coeffs.items() if c != 0}, lk - rk

    def term(self, node) -> tuple[dict[int, Fraction], Fraction]:
        kind = node.data
        if kind == "num":
            return {}, Fraction(str(node.children[0]))
        if kind == "var":
            return {int(_VARIABLE.match(str(node.children[0])).group(2)): Fraction(1)}, Fraction(0)
        parts = [self.term(child) for child in node.children]
        if kind == "add" or (kind == "sub" and len(parts) > 1):
            coeffs, constant = dict(parts[0][0]), parts[0][1]
            sign = 1 if kind == "add" else -1
            for c, k in parts[1:]:
                for j, v in c.items():
                    coeffs[j] = coeffs.get(j, Fraction(0)) + sign * v
                constant += sign * k
            return coeffs, constant
        if kind == "sub":
            return {j: -v for j, v in parts[0][0].items()}, -parts[0][1]
        # mul: at most one factor may hold variables (the form must stay linear)
        coeffs, constant = dict(parts[0][0]), parts[0][1]
        for c, k in parts[1:]:
            if c and coeffs:
                raise self.fail("a product of two variables: only linear constraints are supported", node)
            merged = {j: v * k for j, v in coeffs.items()}
            for j, v in c.items():
                merged[j] = merged.get(j, Fraction(0)) + v * constant
            coeffs, constant = merged, constant * k
        return coeffs, constant
