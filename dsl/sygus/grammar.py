"""A synth-fun grammar -> `Grammar`: the ops and literals a solution may use.

Only non-terminals reachable from the start symbol count (many SyGuS-Comp files declare an
`ntBool` that no production uses). Non-terminals of one type pool their productions, as the
enumerator pools values by type. Productions must be flat, `(op NT ...)`: a nested production such
as `(str.++ S " ")` would allow an op only with that argument, which `Grammar` cannot say.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable

from dsl.core import Const, Grammar, Op, Type, Var, value_type
from dsl.strings.ops import ALL_OPS
from dsl.strings.parser import literal_value, op_index, resolve_op
from dsl.strings.terms import Apply, Symbol, Term
from dsl.sygus.commands import NonterminalDef
from dsl.sygus.source import Source

ANY_CONSTANT = "Constant"
ANY_VARIABLE = ("Variable", "Input", "InputVariable", "LocalVariable")


class GrammarReader:
    """Reads the grammar of one synth-fun with these parameters and result type."""

    def __init__(self, source: Source, inputs: tuple[Var, ...], output_type: Type) -> None:
        self.source, self.output_type = source, output_type
        self.params = {v.name: v.type for v in inputs}
        self.types: dict[str, Type] = {}

    def read(self, nonterminals: tuple[NonterminalDef, ...]) -> Grammar:
        by_name = self._declare(nonterminals)
        ops: set[Op] = set()
        constants: dict[Const, None] = {}  # an ordered set: file order
        any_constant = False
        for nt in _reachable(nonterminals[0].name, by_name):
            for production in nt.productions:
                allowed = self._production(production, self.types[nt.name])
                if isinstance(allowed, Op):
                    ops.add(allowed)
                elif isinstance(allowed, Const):
                    constants[allowed] = None
                any_constant |= allowed == ANY_CONSTANT
        return Grammar(ops=frozenset(ops), constants=tuple(constants), allow_extracted_constants=any_constant)

    def _declare(self, nonterminals: tuple[NonterminalDef, ...]) -> dict[str, NonterminalDef]:
        by_name: dict[str, NonterminalDef] = {}
        for nt in nonterminals:
            if nt.name in by_name:
                raise self.source.error(f"non-terminal {nt.name} is defined twice", nt)
            by_name[nt.name] = nt
            self.types[nt.name] = self.source.sort(nt.sort, nt)
        start = nonterminals[0]
        if self.types[start.name] != self.output_type:
            raise self.source.error(f"start symbol {start.name} has type {self.types[start.name]}, "
                                    f"the function returns {self.output_type}", start)
        return by_name

    def _production(self, term: Term, nt_type: Type) -> Op | Const | str | None:
        """What one production allows: an op, a constant, any constant, or nothing new."""
        literal = literal_value(term)
        if literal is not None:
            const = Const(literal, value_type(literal, self.source.path))
            self._expect(term, const.type, nt_type)
            return const
        if isinstance(term, Symbol):
            self._expect(term, self._symbol_type(term), nt_type)
            return None
        if term.head == ANY_CONSTANT or term.head in ANY_VARIABLE:
            self._expect(term, self._class_sort(term), nt_type)
            return ANY_CONSTANT if term.head == ANY_CONSTANT else None
        return self._op(term, nt_type)

    def _op(self, term: Apply, nt_type: Type) -> Op:
        arg_types = []
        for arg in term.args:
            if not (isinstance(arg, Symbol) and arg.name in self.types):
                raise self.source.error(f"production ({term.head} ...) has an argument that is not a "
                                        f"non-terminal; only flat productions are supported", arg)
            arg_types.append(self.types[arg.name])
        op = resolve_op(term, tuple(arg_types), op_index(ALL_OPS), self.source.path)
        self._expect(term, op.return_type, nt_type)
        return op

    def _symbol_type(self, term: Symbol) -> Type:
        if term.name in self.types:
            return self.types[term.name]
        if term.name in self.params:
            return self.params[term.name]
        raise self.source.error(f"unknown name {term.name} in the grammar (neither a non-terminal "
                                f"nor a parameter)", term)

    def _class_sort(self, term: Apply) -> Type:
        if len(term.args) != 1 or not isinstance(term.args[0], Symbol):
            raise self.source.error(f"({term.head} SORT) takes one sort", term)
        return self.source.sort(term.args[0].name, term.args[0])

    def _expect(self, where: Term, actual: Type, nt_type: Type) -> None:
        if actual != nt_type:
            raise self.source.error(f"production of type {actual} in a non-terminal of type {nt_type}", where)


def _reachable(start: str, by_name: dict[str, NonterminalDef]) -> list[NonterminalDef]:
    """Non-terminals reachable from `start`, in breadth-first order."""
    seen, queue, order = {start}, deque([start]), []
    while queue:
        nt = by_name[queue.popleft()]
        order.append(nt)
        for name in _mentioned(nt.productions):
            if name in by_name and name not in seen:
                seen.add(name)
                queue.append(name)
    return order


def _mentioned(terms: Iterable[Term]) -> Iterable[str]:
    for term in terms:
        if isinstance(term, Symbol):
            yield term.name
        elif isinstance(term, Apply):
            yield from _mentioned(term.args)
