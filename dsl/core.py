"""The shapes every DSL shares: types, operators, programs, examples, tasks and the `Dsl` bundle.

Search (`solvers`) and the neural side (`nesy`) only ever talk about these objects, so a new DSL
plugs in by providing a `Dsl`: its op table, parser, printer and policy (see docs/adding-a-dsl.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from dsl.errors import NesyInputError


@dataclass(frozen=True, order=True)
class Type:
    """A value type of a DSL (`String`, `Int`, `Bool`, `Regex`...); compared by name."""

    name: str

    def __str__(self) -> str:
        return self.name


STRING = Type("String")
INT = Type("Int")
BOOL = Type("Bool")


@dataclass(frozen=True)
class Op:
    """An operator: its signature, its Python semantics (total: never raises on well-typed input),
    its optional Z3 semantics, and the base cost search charges for using it.

    Ops are identified by name *and* signature, so `ite` on strings and `ite` on ints are two ops
    that print the same.
    """

    name: str
    arg_types: tuple[Type, ...]
    return_type: Type
    semantics: Callable[..., Any] = field(compare=False, repr=False)
    z3_semantics: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    cost: int = field(default=1, compare=False)
    commutative: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        _OPS_BY_SIGNATURE[(self.name, self.arg_types, self.return_type)] = self

    def __reduce__(self) -> tuple[Any, ...]:
        # Semantics are closures that pickle cannot carry; an op travels between processes (the
        # benchmark's workers) by its signature and is looked up again on arrival.
        return (_op_by_signature, (self.name, self.arg_types, self.return_type))

    @property
    def arity(self) -> int:
        return len(self.arg_types)

    @property
    def signature(self) -> str:
        args = " ".join(str(t) for t in self.arg_types)
        return f"({self.name} {args}) -> {self.return_type}"


_OPS_BY_SIGNATURE: dict[tuple[str, tuple[Type, ...], Type], Op] = {}


def _op_by_signature(name: str, arg_types: tuple[Type, ...], return_type: Type) -> Op:
    try:
        return _OPS_BY_SIGNATURE[(name, arg_types, return_type)]
    except KeyError:
        raise ValueError(f"unknown operator {name} {arg_types} -> {return_type}: import its DSL first") from None


@dataclass(frozen=True)
class Var:
    """An input variable of the function being synthesized."""

    name: str
    type: Type


@dataclass(frozen=True)
class Const:
    """A literal constant; `value` is a plain Python value (str, int, bool...)."""

    value: Any
    type: Type


@dataclass(frozen=True, eq=True)
class Program:
    """An immutable, hashable expression tree: `head` is an Op applied to `children`, or a leaf
    (a `Var` or a `Const`, with no children)."""

    head: Op | Var | Const
    children: tuple["Program", ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.head, Op):
            if len(self.children) != self.head.arity:
                raise ValueError(f"{self.head.name} takes {self.head.arity} arguments, got {len(self.children)}")
        elif self.children:
            raise ValueError("a leaf program has no children")

    @staticmethod
    def var(name: str, type_: Type) -> "Program":
        return Program(Var(name, type_))

    @staticmethod
    def const(value: Any, type_: Type) -> "Program":
        return Program(Const(value, type_))

    @property
    def type(self) -> Type:
        head = self.head
        return head.return_type if isinstance(head, Op) else head.type

    @cached_property
    def size(self) -> int:
        """Number of nodes in the tree."""
        return 1 + sum(c.size for c in self.children)

    @cached_property
    def _hash(self) -> int:
        return hash((self.head, self.children))

    def __hash__(self) -> int:
        return self._hash

    def subprograms(self) -> Iterable["Program"]:
        """This program and every sub-expression, parents first."""
        yield self
        for child in self.children:
            yield from child.subprograms()

    def ops(self) -> set[Op]:
        return {p.head for p in self.subprograms() if isinstance(p.head, Op)}

    def constants(self) -> set[Const]:
        return {p.head for p in self.subprograms() if isinstance(p.head, Const)}

    def __str__(self) -> str:
        return to_sexpr(self)


def right_nested(op: Op, parts: Sequence[Program]) -> Program:
    """`a op (b op (c op d))` for parts a, b, c, d: the one shape chains of a binary op are built in
    (search's normal forms build them right-nested only, so equal chains are equal trees).

    >>> plus = Op("+", (INT, INT), INT, lambda a, b: a + b)
    >>> str(right_nested(plus, [Program.const(n, INT) for n in (1, 2, 3)]))
    '(+ 1 (+ 2 3))'
    """
    if not parts:
        raise ValueError(f"a chain of {op.name} needs at least one part")
    program = parts[-1]
    for left in reversed(parts[:-1]):
        program = Program(op, (left, program))
    return program


def format_literal(value: Any) -> str:
    """SMT-LIB spelling of a literal: strings double their quotes and write a backslash as
    `\\u{5c}` (so text such as `\\u{41}` is not read back as an escape), negative ints are `(- n)`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"(- {-value})"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\u{5c}").replace('"', '""') + '"'
    return repr(value)


def to_sexpr(program: Program, literal: Callable[[Any], str] = format_literal) -> str:
    """S-expression text of a program (SyGuS / SMT-LIB style); a DSL passes its own `literal`
    spelling (e.g. with escapes its parser reads back)."""
    head = program.head
    if isinstance(head, Var):
        return head.name
    if isinstance(head, Const):
        return literal(head.value)
    return "(" + " ".join([head.name, *(to_sexpr(c, literal) for c in program.children)]) + ")"


def evaluate(program: Program, env: Mapping[str, Any]) -> Any:
    """Run a program on one input environment with the Python semantics of its ops."""
    head = program.head
    if isinstance(head, Var):
        return env[head.name]
    if isinstance(head, Const):
        return head.value
    return head.semantics(*(evaluate(c, env) for c in program.children))


def z3_literal(value: Any) -> Any:
    """The Z3 constant for a plain Python value (bool, int or str).

    A string is given to Z3 as its code points: `z3.StringVal` would read escapes in the text
    (`\\u{41}` as "A"). Z3's characters stop at U+2FFFF (its default `encoding`); a string beyond
    is a NesyInputError, and a checker reports such a program as not checked."""
    import ctypes

    import z3  # local import: only checking needs Z3

    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    if isinstance(value, str):
        limit = {"ascii": 0xFF, "bmp": 0xFFFF}.get(str(z3.get_param("encoding")), 0x2FFFF)
        highest = ord(max(value, default="\0"))
        if highest > limit:
            raise NesyInputError(f"character U+{highest:X} is beyond Z3's strings (at most U+{limit:X})")
        codes = [ord(char) for char in value]
        context = z3.main_ctx()
        ast = z3.Z3_mk_u32string(context.ref(), len(codes), (ctypes.c_uint * len(codes))(*codes))
        return z3.SeqRef(ast, context)
    raise NesyInputError(f"no Z3 literal for {value!r}")


def to_z3(program: Program, env: Mapping[str, Any]) -> Any:
    """Translate a program to a Z3 expression; `env` maps variable names to Z3 terms."""
    head = program.head
    if isinstance(head, Var):
        return env[head.name]
    if isinstance(head, Const):
        return z3_literal(head.value)
    if head.z3_semantics is None:
        raise NesyInputError(f"operator {head.name} has no Z3 semantics")
    return head.z3_semantics(*(to_z3(c, env) for c in program.children))


@dataclass(frozen=True)
class Example:
    """One input/output pair: `inputs` in the order of the task's variables."""

    inputs: tuple[Any, ...]
    output: Any


@dataclass(frozen=True)
class Grammar:
    """What a solution may contain: the allowed ops and constants (a SyGuS `synth-fun` grammar
    restricts these; `None` for `ops` means every op of the DSL)."""

    ops: frozenset[Op] | None = None
    constants: tuple[Const, ...] = ()
    allow_extracted_constants: bool = True

    def allows(self, op: Op) -> bool:
        return self.ops is None or op in self.ops


@dataclass(frozen=True)
class Task:
    """A synthesis problem: typed inputs, train examples, held-out tests, constant hints."""

    name: str
    inputs: tuple[Var, ...]
    output_type: Type
    examples: tuple[Example, ...]
    tests: tuple[Example, ...] = ()
    constants: tuple[Const, ...] = ()
    grammar: Grammar = Grammar()
    function_name: str = "f"
    source: str = ""
    # Logical constraints beyond the examples (a SyGuS single-invocation spec, e.g. max3.sl):
    # Bool programs over the inputs in which Var(function_name, output_type) is the result.
    spec: tuple[Program, ...] = ()
    # Input rows with no output (the other rows of a spreadsheet column): never a constraint,
    # they let search tell apart programs that agree on the examples and rank them.
    unlabelled: tuple[tuple[Any, ...], ...] = ()
    # True when the examples are the whole specification (a SyGuS file's constraints): a program
    # that fits them is a solution. Otherwise they are examples of what the user means, and
    # only held-out tests can say a program is right.
    examples_are_spec: bool = False

    def env(self, example: Example) -> dict[str, Any]:
        return {v.name: x for v, x in zip(self.inputs, example.inputs)}


# A value filter: given a task, per type a test that a new value may be kept (False drops it).
ValueFilters = Callable[["Task"], Mapping[Type, Callable[[tuple[Any, ...]], bool]]]


@dataclass(frozen=True)
class Dsl:
    """A language and its policy: everything search, readers and the command line need to know
    about it, so that none of them names a DSL.

    The parts that live in `solvers` (joins, front end, checker, literal extraction) are given as
    `"module:attribute"` references, resolved on first use: `dsl` never imports `solvers`.
    A plugin package exposes its `Dsl` as the module attribute `DSL` (see docs/adding-a-dsl.md).
    """

    name: str
    ops: tuple[Op, ...]
    constants: tuple[Const, ...]
    parser: Callable[[str, Mapping[str, Type]], Program] = field(repr=False)
    printer: Callable[[Program], str] = field(repr=False)
    solution_printer: Callable[[Task, Program], str] | None = field(default=None, repr=False)
    # ops that tasks without a grammar search (a curated subset; empty: all of `ops`)
    search_ops: tuple[Op, ...] = field(default=(), repr=False)
    description: str = ""
    # the DSL type of one example value (`where` names it in the error for a value of no type);
    # None: strings, integers and booleans (`dsl.core.value_type`)
    value_type: Callable[[Any, str], Type] | None = field(default=None, repr=False)
    # reads a task file or folder of this DSL's own format (None: the common formats of dsl.task_files)
    read_tasks: Callable[[Path], list[Task]] | None = field(default=None, repr=False)
    # drops values search should not keep (e.g. strings far longer than any in the examples)
    value_filters: ValueFilters | None = field(default=None, repr=False)
    # "module:attribute" of (task, options, guide) -> Result, for tasks that are not plain
    # input -> output functions (a regex classifies strings); None: the shared driver
    front_end: str | None = None
    # "module:attribute" of (run, op_costs) -> list of joins run after each search level
    joins: str | None = None
    # "module:attribute" of (examples) -> list of Const: literals read off the examples
    literal_extractor: str | None = None
    # "module:attribute" of (program, task) -> True / False / None (None: nothing to check with)
    checker: str | None = None
    # "module:attribute" of (task, count) -> up to `count` made-up input rows (variations of the
    # examples' inputs) that tell apart programs which agree on the examples; None: no probes
    probe_maker: str | None = None
    # "module:attribute" of (args, tasks, dsl) -> exit status: `nesy bench <name>` for a DSL whose
    # results are not solved/unsolved rows (a picture scored by IoU); None: the shared suite table
    bench_runner: str | None = None
    # examples of a task no small program solves, for the enumerator-throughput line of `nesy bench`
    throughput_task: tuple[tuple[tuple[Any, ...], Any], ...] = field(default=(), repr=False)

    @property
    def default_search_ops(self) -> tuple[Op, ...]:
        return self.search_ops or self.ops

    def type_of(self, value: Any, where: str) -> Type:
        """The DSL type of one example value, or a clear error naming `where`."""
        return (self.value_type or value_type)(value, where)

    def parse(self, text: str, variables: Mapping[str, Type] | None = None) -> Program:
        """Parse program text; `variables` gives the type of each free name."""
        return self.parser(text, variables or {})

    def print(self, program: Program) -> str:
        return self.printer(program)

    def format_solution(self, task: Task, program: Program) -> str:
        """The solution as the DSL's users expect it (e.g. a SyGuS `define-fun`)."""
        if self.solution_printer is not None:
            return self.solution_printer(task, program)
        return self.printer(program)

    def op(self, name: str, arg_types: Sequence[Type]) -> Op:
        """The op with this name and argument types."""
        for op in self.ops:
            if op.name == name and op.arg_types == tuple(arg_types):
                return op
        types = " ".join(map(str, arg_types))
        raise NesyInputError(f"{self.name}: no operator {name} taking ({types})")


def resolve(reference: str) -> Any:
    """The object a `"module:attribute"` reference names (how a Dsl points into `solvers`)."""
    import importlib

    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def value_type(value: Any, where: str) -> Type:
    """The DSL type of a plain example value, or a clear error naming `where`."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, str):
        return STRING
    raise NesyInputError(f"{where}: unsupported value {value!r} (expected a string, integer or boolean)")


def make_task(name: str, examples: Sequence[Example], tests: Sequence[Example] = (),
              input_names: Sequence[str] | None = None, *,
              type_of: Callable[[Any, str], Type] | None = None, **extra: Any) -> Task:
    """Build a Task from plain examples, inferring and checking types.

    Every example must have the same number of inputs, and each input position (and the output)
    must hold one type throughout: mixed types are rejected with the task, example and position.
    Input names must be distinct non-empty strings (readers check them against their syntax).
    `type_of` types one value (a DSL's `Dsl.type_of`; default: strings, integers, booleans).
    """
    if not examples:
        raise NesyInputError(f"task {name!r}: the example list is empty")
    arity = len(examples[0].inputs)
    all_examples = [*examples, *tests]
    for index, example in enumerate(all_examples):
        if len(example.inputs) != arity:
            raise NesyInputError(f"task {name!r}, example {index + 1}: {len(example.inputs)} inputs, "
                                 f"but the first example has {arity}")
    input_types = []
    for position in range(arity):
        input_types.append(_column_type(name, [e.inputs[position] for e in all_examples], f"input {position + 1}",
                                        type_of))
    output_type = _column_type(name, [e.output for e in all_examples], "output", type_of)
    names = list(input_names) if input_names else [f"x{i}" for i in range(arity)]
    if len(names) != arity:
        raise NesyInputError(f"task {name!r}: {len(names)} input names for {arity} inputs")
    for index, input_name in enumerate(names):
        # a repeated name would make two inputs one variable, in evaluation and in Z3
        if not isinstance(input_name, str) or not input_name or input_name in names[:index]:
            problem = "is given twice" if input_name in names[:index] else "is not a name"
            raise NesyInputError(f"task {name!r}: input name {input_name!r} {problem}")
    inputs = tuple(Var(n, t) for n, t in zip(names, input_types))
    return Task(name, inputs, output_type, tuple(examples), tuple(tests), **extra)


def _column_type(task: str, values: Sequence[Any], what: str,
                 type_of: Callable[[Any, str], Type] | None = None) -> Type:
    type_of = type_of or value_type
    types = [type_of(v, f"task {task!r}, example {i + 1}, {what}") for i, v in enumerate(values)]
    first = types[0]
    for index, type_ in enumerate(types):
        if type_ != first:
            raise NesyInputError(f"task {task!r}: mixed types in {what}: example 1 has {first}, "
                                 f"example {index + 1} has {type_} ({values[index]!r})")
    return first
