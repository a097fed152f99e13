"""Constraints that are not examples, as `Task.spec`: SyGuS single-invocation specs such as
max3's `(>= (max3 x y z) x)`. Each call of the function is replaced by a variable named after it,
so a spec is a Bool program over the task's inputs and the function's result."""
from __future__ import annotations

from dsl.core import BOOL, Program, Type, Var
from dsl.strings.ops import SMT_OPS
from dsl.strings.parser import build_program
from dsl.strings.terms import Apply, Literal, Symbol, Term
from dsl.sygus.source import Source


def spec_constraint(term: Term, source: Source, function: str, inputs: tuple[Var, ...],
                    output_type: Type, declared: dict[str, Type]) -> Program:
    """The constraint `term` over `inputs` and Var(function, output_type)."""
    renamed = _SingleInvocation(source, function, inputs, declared).rewrite(term)
    variables = {v.name: v.type for v in inputs}
    variables[function] = output_type
    program = build_program(renamed, variables, SMT_OPS, source.path)
    if program.type != BOOL:
        raise source.error(f"constraint of type {program.type}, expected Bool", term)
    return program


class _SingleInvocation:
    """Every call of the function in one constraint must pass the same distinct declared
    variables; those are renamed to the function's parameters."""

    def __init__(self, source: Source, function: str, inputs: tuple[Var, ...], declared: dict[str, Type]) -> None:
        self.source, self.function, self.inputs, self.declared = source, function, inputs, declared
        self.renaming: dict[str, str] | None = None

    def rewrite(self, term: Term) -> Term:
        self._find_calls(term)
        return self._rewrite(term)

    def _find_calls(self, term: Term) -> None:
        if isinstance(term, Apply):
            if term.head == self.function:
                self._call(term)
            for arg in term.args:
                self._find_calls(arg)

    def _call(self, term: Apply) -> None:
        names = tuple(a.name if isinstance(a, Symbol) else None for a in term.args)
        well_formed = (len(names) == len(self.inputs) and len(set(names)) == len(names)
                       and all(self.declared.get(n) == v.type for n, v in zip(names, self.inputs)))
        renaming = {n: v.name for n, v in zip(names, self.inputs)}
        if not well_formed or (self.renaming is not None and renaming != self.renaming):
            raise self.source.error(f"unsupported constraint: every call of {self.function} must pass the "
                                    f"same declared variables (single invocation)", term)
        self.renaming = renaming

    def _rewrite(self, term: Term) -> Term:
        if isinstance(term, Literal):
            return term
        if isinstance(term, Symbol):
            if self.renaming is None or term.name not in self.renaming:
                raise self.source.error(f"variable {term.name} in a constraint is not an argument of "
                                        f"{self.function}", term)
            return Symbol(self.renaming[term.name], term.line, term.column)
        if term.head == self.function:
            return Symbol(self.function, term.line, term.column)
        return Apply(term.head, tuple(self._rewrite(a) for a in term.args), term.line, term.column)
