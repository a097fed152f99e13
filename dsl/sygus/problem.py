"""SyGuS command records -> `Task`, interpreting the commands in file order."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from dsl.core import Example, Grammar, Program, Task, Type, Var, value_type
from dsl.strings import DEFAULT_CONSTANTS
from dsl.strings.ops import ALIASES, ALL_OPS, SMT_OPS
from dsl.strings.parser import literal_value
from dsl.strings.terms import Apply, Term, input_name_problem
from dsl.sygus.commands import Command, SortedName, read_commands
from dsl.sygus.grammar import GrammarReader
from dsl.sygus.source import Source
from dsl.sygus.spec import spec_constraint

# String logics, and LIA: its ops are a subset of SLIA's (SyGuS-Comp 2019's max3.sl is LIA).
SUPPORTED_LOGICS = ("SLIA", "QF_SLIA", "S", "QF_S", "ALL", "LIA", "QF_LIA")
_OPERATOR_NAMES = frozenset(op.name for op in ALL_OPS) | frozenset(ALIASES)


def parse_sygus(text: str, path: str = "<string>") -> Task:
    """The PBE task in SyGuS-IF `text`; `path` names it in errors and gives the task's name."""
    return _TaskBuilder(Source(path)).build(read_commands(text, path))


def load_sygus(path: str | Path) -> Task:
    """The PBE task in the SyGuS-IF file at `path` (UTF-8, a byte-order mark tolerated)."""
    from dsl.task_files import read_task_text

    return parse_sygus(read_task_text(Path(path), "SyGuS file"), str(path))


@dataclass(frozen=True)
class _Function:
    """The synth-fun being read: its name, typed parameters, result type and grammar."""

    name: str
    inputs: tuple[Var, ...]
    output_type: Type
    grammar: Grammar


class _TaskBuilder:
    """One method per supported command; each keeps what the Task needs."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.function: _Function | None = None
        self.declared: dict[str, Type] = {}
        self.examples: dict[Example, None] = {}  # an ordered set: file order, repeats once
        self.spec: list[Program] = []

    def build(self, commands: Iterable[Command]) -> Task:
        for command in commands:
            handler = getattr(self, "_" + command.name.replace("-", "_"), None)
            if handler is None:
                raise self.source.error(f"unsupported SyGuS command {command.name}", command)
            handler(command)
        if self.function is None:
            raise self.source.error("no synth-fun in the file")
        if not self.examples and not self.spec:
            raise self.source.error(f"no constraints: nothing says what {self.function.name} should compute")
        fn, path = self.function, self.source.path
        return Task(Path(path).stem, fn.inputs, fn.output_type, tuple(self.examples), grammar=fn.grammar,
                    function_name=fn.name, source=path, spec=tuple(self.spec), examples_are_spec=True)

    def _set_logic(self, command: Command) -> None:
        logic = command.args[0]
        if logic not in SUPPORTED_LOGICS:
            raise self.source.error(f"unsupported logic {logic} (supported: {', '.join(SUPPORTED_LOGICS)})",
                                    logic)

    def _check_synth(self, command: Command) -> None:
        """Nothing to do: the task is complete once the file is read."""

    def _set_info(self, command: Command) -> None:
        """Metadata and solver options do not change the problem."""

    _set_option = _set_info

    def _declare_var(self, command: Command) -> None:
        name, sort = command.args
        self.declared[str(name)] = self.source.sort(str(sort), sort)

    def _synth_fun(self, command: Command) -> None:
        name, params, sort, nonterminals = command.args
        if self.function is not None:
            raise self.source.error(f"second synth-fun {name}: only one function per problem is supported",
                                    name)
        self._check_parameter_names(str(name), params)
        inputs = tuple(Var(p.name, self.source.sort(p.sort, p)) for p in params)
        output_type = self.source.sort(str(sort), sort)
        if nonterminals is None:
            grammar = Grammar(ops=frozenset(SMT_OPS), constants=DEFAULT_CONSTANTS, allow_extracted_constants=True)
        else:
            grammar = GrammarReader(self.source, inputs, output_type).read(nonterminals)
        self.function = _Function(str(name), inputs, output_type, grammar)

    def _check_parameter_names(self, function: str, params: tuple[SortedName, ...]) -> None:
        """Distinct parameters, none named like the function (a spec calls it by its name), a
        reserved word or an op: the solution's define-fun must mean what it says."""
        seen = {function}
        for param in params:
            problem = input_name_problem(param.name, _OPERATOR_NAMES)
            if problem is None and param.name in seen:
                problem = (f"parameter {param.name} is given twice" if param.name != function
                           else f"parameter {param.name} has the function's name")
            if problem is not None:
                raise self.source.error(problem, param)
            seen.add(param.name)

    def _constraint(self, command: Command) -> None:
        term = command.args[0]
        fn = self.function
        if fn is None:
            raise self.source.error("constraint before synth-fun", command)
        example = self._example(term)
        if example is not None:
            # Identical repeats are kept once; contradicting examples are all kept (some benchmark
            # files have them: such a task has no solution, and a solver should find none).
            self.examples.setdefault(example, None)
        else:
            self.spec.append(spec_constraint(term, self.source, fn.name, fn.inputs, fn.output_type,
                                             self.declared))

    def _example(self, term: Term) -> Example | None:
        """`(= (f lits...) lit)`, either way round, as an Example; None for other shapes."""
        if not (isinstance(term, Apply) and term.head == "=" and len(term.args) == 2):
            return None
        for call, result in (term.args, term.args[::-1]):
            output = literal_value(result)
            if isinstance(call, Apply) and call.head == self.function.name and output is not None:
                inputs = tuple(literal_value(a) for a in call.args)
                if all(v is not None for v in inputs):
                    return self._typed_example(call, inputs, output, result)
        return None

    def _typed_example(self, call: Apply, inputs: tuple[Any, ...], output: Any, result: Term) -> Example:
        fn = self.function
        if len(inputs) != len(fn.inputs):
            raise self.source.error(f"{fn.name} takes {len(fn.inputs)} arguments, got {len(inputs)}", call)
        for var, value, arg in zip(fn.inputs, inputs, call.args):
            self._check_type(value, var.type, f"argument {var.name} of {fn.name}", arg)
        self._check_type(output, fn.output_type, f"result of {fn.name}", result)
        return Example(inputs, output)

    def _check_type(self, value: Any, expected: Type, what: str, where: Term) -> None:
        actual = value_type(value, self.source.path)
        if actual != expected:
            raise self.source.error(f"{what} is {actual} {value!r}, expected {expected}", where)
