"""The rules of the sequence task and their Python semantics.

Our reimplementation of the sequence task of "Searching Latent Program Spaces" (Macfarlane &
Bonnet, NeurIPS 2025, App. B.7), written from the paper's description, not from its code: a
sequence holds numbers 0-4; a program is 3-5 parameterised rules applied one after another; each
rule sweeps the sequence left to right, rewriting one position at a time in place, so a position's
left neighbour is already rewritten and its right neighbour is not yet. A neighbour beyond either
end reads as 0.

The rule kinds (parameters in brackets):

    inc(side, t)   x := (x + 1) mod 5   when the neighbour on `side` (left / right) is >= t (1-4)
    dec(side, t)   x := (x - 1) mod 5   when the neighbour on `side` is >= t (1-4)
    sub(t)         x := (x - left) mod 5   when the right neighbour is >= t (1-4)
    mulclip(k)     x := min(x * k, 4)   when both neighbours are equal (k = 2, 3, 4)
    replace(f)     x := f(left, right)  when x is 0; f is max, min, add (mod 5) or diff (mod 5)

The paper's exact thresholds and conditions are not published in full; these are ours, chosen to
match its description (decrease / increase / subtract modulo 5 by neighbour thresholds,
multiply-and-clip when both neighbours are equal, replace by a function of the neighbours).

    >>> rule = rule_named("inc(left, 1)")
    >>> rule.apply((1, 0, 3, 0))
    (1, 1, 4, 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from dsl.errors import NesyInputError

BASE = 5                        # values are 0 .. BASE - 1
SIDES = ("left", "right")
THRESHOLDS = (1, 2, 3, 4)
FACTORS = (2, 3, 4)
FUNCTIONS: dict[str, Callable[[int, int], int]] = {
    "max": max,
    "min": min,
    "add": lambda left, right: (left + right) % BASE,
    "diff": lambda left, right: (left - right) % BASE,
}
KINDS = ("inc", "dec", "sub", "mulclip", "replace")

Seq = tuple[int, ...]


@dataclass(frozen=True)
class Rule:
    """One parameterised rule: its kind and parameters (`side`, `threshold`, `factor`, `function`:
    the ones the kind takes; the others are empty)."""

    kind: str
    side: str = ""
    threshold: int = 0
    factor: int = 0
    function: str = ""

    @property
    def text(self) -> str:
        """How the rule is written: `inc(left, 2)`, `sub(3)`, `mulclip(2)`, `replace(max)`."""
        if self.kind in ("inc", "dec"):
            return f"{self.kind}({self.side}, {self.threshold})"
        if self.kind == "sub":
            return f"sub({self.threshold})"
        if self.kind == "mulclip":
            return f"mulclip({self.factor})"
        return f"replace({self.function})"

    def rewrite(self, x: int, left: int, right: int) -> int:
        """The new value of one position, given its (current) neighbours."""
        if self.kind == "inc":
            return (x + 1) % BASE if (left if self.side == "left" else right) >= self.threshold else x
        if self.kind == "dec":
            return (x - 1) % BASE if (left if self.side == "left" else right) >= self.threshold else x
        if self.kind == "sub":
            return (x - left) % BASE if right >= self.threshold else x
        if self.kind == "mulclip":
            return min(x * self.factor, BASE - 1) if left == right else x
        return FUNCTIONS[self.function](left, right) if x == 0 else x

    def apply(self, sequence: Sequence[int]) -> Seq:
        """One left-to-right sweep over the sequence."""
        values = list(sequence)
        for i, x in enumerate(values):
            left = values[i - 1] if i > 0 else 0
            right = values[i + 1] if i + 1 < len(values) else 0
            values[i] = self.rewrite(x, left, right)
        return tuple(values)


def _all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for kind in ("inc", "dec"):
        rules += [Rule(kind, side=side, threshold=t) for side in SIDES for t in THRESHOLDS]
    rules += [Rule("sub", threshold=t) for t in THRESHOLDS]
    rules += [Rule("mulclip", factor=k) for k in FACTORS]
    rules += [Rule("replace", function=f) for f in FUNCTIONS]
    return tuple(rules)


RULES: tuple[Rule, ...] = _all_rules()          # 27 rules; their order is the op order everywhere
_BY_TEXT = {rule.text: rule for rule in RULES}
RULE_FORMS = "inc(side, t), dec(side, t) with side left or right and t 1-4; sub(t) with t 1-4; " \
             "mulclip(k) with k 2-4; replace(f) with f max, min, add or diff"


def rule_named(text: str) -> Rule:
    """The rule written `text` (spaces after commas optional)."""
    canonical = text.replace(" ", "").replace(",", ", ")
    try:
        return _BY_TEXT[canonical]
    except KeyError:
        raise NesyInputError(f"seqrules: no rule {text!r} ({RULE_FORMS})") from None


def run_rules(rules: Sequence[Rule], sequence: Sequence[int]) -> Seq:
    """The sequence after each rule in turn."""
    values = tuple(sequence)
    for rule in rules:
        values = rule.apply(values)
    return values


def check_sequence(value: object, where: str) -> Seq:
    """`value` as a sequence of numbers 0-4, or a clear error naming `where`."""
    if not isinstance(value, (list, tuple)) or not value:
        raise NesyInputError(f"{where}: a seqrules value is a non-empty list of numbers 0-{BASE - 1}, not {value!r}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < BASE:
            raise NesyInputError(f"{where}: {item!r} is not a number 0-{BASE - 1}")
    return tuple(value)
