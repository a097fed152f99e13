"""Z3 checks for regexes: does a regex accept/reject given strings, and are two regexes equivalent.

Both use z3's regular-expression theory (`InRe`) on the same AST the search produced, so they share no
code with the span-matrix enumerator or the derivative matcher that they check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from dsl.core import Program, z3_literal
from dsl.regex import z3_semantics as z3s
from dsl.regex.ops import to_z3
from solvers.search.budget import z3_timeout_ms

Z3_TIMEOUT_MS = 10_000
_LONGEST_Z3_TIMEOUT_MS = 2**32 - 1   # Z3's timeout is an unsigned int; 0 would mean none


def _as_z3(regex: Program | Any) -> Any:
    """A regex AST, or a z3 regex as is (ground truths in other DSLs arrive translated)."""
    return to_z3(regex) if isinstance(regex, Program) else regex


def z3_classifies(program: Program | Any, positive: Sequence[str], negative: Sequence[str]) -> bool | None:
    """True when Z3 agrees the regex accepts every positive and rejects every negative string;
    None when Z3 answers unknown (the timeout: at most `Z3_TIMEOUT_MS`, never past the active
    budget's deadline)."""
    import z3

    regex = _as_z3(program)
    solver = z3.Solver()
    solver.set("timeout", z3_timeout_ms(Z3_TIMEOUT_MS))
    solver.add(*[z3.InRe(z3.StringVal(s), regex) for s in positive])
    solver.add(*[z3.Not(z3.InRe(z3.StringVal(s), regex)) for s in negative])
    verdict = solver.check()
    return True if verdict == z3.sat else False if verdict == z3.unsat else None


@dataclass(frozen=True)
class Equivalence:
    """`equivalent` is None when Z3 gave up; `witness` is in exactly one of the two languages."""

    equivalent: bool | None
    witness: str | None = None
    in_first: bool | None = None


def z3_equivalence(first: Program | Any, second: Program | Any, alphabet: str | None = None,
                   timeout_ms: int = Z3_TIMEOUT_MS) -> Equivalence:
    """Decide L(first) == L(second), over strings of `alphabet` when given (an empty one leaves only
    the empty string), with a distinguishing string.

    >>> from dsl.regex import parse_regex
    >>> z3_equivalence(parse_regex("(a|b)*"), parse_regex("(a*b*)*")).equivalent
    True
    """
    import z3

    a, b = _as_z3(first), _as_z3(second)
    # One membership in the symmetric difference: Z3's derivative-based regex solver decides this
    # directly, where `InRe(w, a) != InRe(w, b)` sends it into case splits that can time out.
    difference = z3.Union(z3.Intersect(a, z3.Complement(b)), z3.Intersect(b, z3.Complement(a)))
    if alphabet is not None:
        letters = [z3.Re(z3_literal(c)) for c in dict.fromkeys(alphabet)]
        difference = z3.Intersect(z3.Star(z3s.union_all(letters)), difference)
    text = z3.String("w")
    solver = z3.Solver()
    solver.set("timeout", min(max(timeout_ms, 1), _LONGEST_Z3_TIMEOUT_MS))
    solver.add(z3.InRe(text, difference))
    verdict = solver.check()
    if verdict == z3.unsat:
        return Equivalence(True)
    if verdict != z3.sat:
        return Equivalence(None)
    model = solver.model()
    witness = _unescape(model.eval(text, model_completion=True).as_string())
    in_first = z3.is_true(model.eval(z3.InRe(text, a), model_completion=True))
    return Equivalence(False, witness, in_first)


def _unescape(z3_text: str) -> str:
    """Z3 prints non-printable characters as `\\u{hex}`; give the real characters back."""
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), z3_text)
