"""Printed solutions stand alone: every op SMT-LIB lacks is defined before `define-fun f`, and Z3
(and cvc5, where installed) reads the text as printed and agrees with our interpreter on it."""
from __future__ import annotations

import itertools

import pytest
import z3

import nesy
from dsl.core import INT, STRING, Op, Program, Var, evaluate
from dsl.strings import ALL_OPS, STRINGS, solution_text
from dsl.strings.ops import SOLUTION_NAMES
from dsl.strings.printer import format_literal
from dsl.strings.z3_semantics import OP_DEFINITIONS, definitions_for
from dsl.sygus import parse_define_fun

# Names of SMT-LIB 2.6 (Core, Ints, Strings) that a solution may use without a definition.
SMT_LIB_26 = {"str.++", "str.substr", "str.at", "str.len", "str.indexof", "str.replace", "str.replace_all",
              "str.to_int", "str.from_int", "str.prefixof", "str.suffixof", "str.contains", "ite", "+", "-",
              "=", "<=", "<", ">=", ">", "and", "or", "not"}
DEFINED = [op for op in ALL_OPS if (op.name, op.arity) in OP_DEFINITIONS]

# Sample arguments: runs of digits, letters and spaces (tabs too), delimiters, repeats, non-ASCII.
TEXTS = ["", "ab 12 cd", "  Ann   lee  ", "x,y,,z", "2024-03-15", "a\tb\n9", "é1ßz", "aaa"]
NEEDLES = ["", " ", ",", "a", "aa"]
INTS = [-2, -1, 0, 1, 2, 3, 1234567, -1234]


def _samples(op: Op) -> list[tuple]:
    """Argument tuples for `op`: all combinations, thinned to at most 40."""
    pools = [{STRING: TEXTS, INT: INTS}[t] for t in op.arg_types]
    if op.arg_types[:2] == (STRING, STRING):
        pools[1] = NEEDLES
    combos = list(itertools.product(*pools))
    return combos[::max(1, len(combos) // 40)]


def _program(op: Op) -> tuple[Program, list[Var]]:
    """`op` applied to inputs x0, x1, ...: a solution that uses it."""
    inputs = [Var(f"x{i}", t) for i, t in enumerate(op.arg_types)]
    return Program(op, tuple(Program(v) for v in inputs)), inputs


def _asserts(program: Program, inputs: list[Var], rows: list[tuple], negate: bool = False) -> str:
    lines = []
    for row in rows:
        output = evaluate(program, {v.name: x for v, x in zip(inputs, row)})
        call = f"(f {' '.join(format_literal(x) for x in row)})"
        claim = f"(= {call} {format_literal(output)})"
        lines.append(f"(assert (not {claim}))" if negate else f"(assert {claim})")
    return "\n".join(lines)


def _z3_check(script: str) -> z3.CheckSatResult:
    """Z3's verdict on the script, read in a fresh context as another process would (ours already
    holds the helpers as Z3 functions)."""
    context = z3.Context()
    solver = z3.Solver(ctx=context)
    solver.set("timeout", 30_000)
    solver.add(z3.parse_smt2_string(script, ctx=context))
    return solver.check()


def test_ops_without_a_definition_are_smt_lib():
    printed = {SOLUTION_NAMES.get((op.name, op.arity), op.name) for op in ALL_OPS
               if (op.name, op.arity) not in OP_DEFINITIONS}
    assert printed <= SMT_LIB_26
    assert not {d.name for d in OP_DEFINITIONS.values()} & SMT_LIB_26


@pytest.mark.parametrize("op", DEFINED, ids=lambda o: o.signature)
def test_z3_reads_each_definition_and_agrees_with_the_interpreter(op):
    program, inputs = _program(op)
    text = solution_text("f", inputs, op.return_type, program)
    rows = _samples(op)
    assert _z3_check(text + "\n" + _asserts(program, inputs, rows)) == z3.sat
    for row in rows:   # each output is forced, not merely allowed
        assert _z3_check(text + "\n" + _asserts(program, inputs, [row], negate=True)) == z3.unsat, row


def test_definitions_come_once_and_after_the_helpers_they_call():
    program = STRINGS.parse('(str.++ (excel.proper (excel.trim x)) (nesy.field (excel.trim x) " " (- 1)))',
                            {"x": STRING})
    lines = solution_text("f", [Var("x", STRING)], STRING, program).splitlines()
    names = [line.split()[1] for line in lines]
    assert names == ["nesy.proper_from", "excel.proper", "nesy.squeeze", "excel.trim", "nesy.field_from",
                     "nesy.field", "f"]
    assert lines[0].startswith("(define-fun-rec ") and lines[1].startswith("(define-fun ")


def test_standard_programs_print_no_definitions_and_use_smt_lib_26_names():
    program = STRINGS.parse("(int.to.str (+ (str.to.int x) 1))", {"x": STRING})
    assert definitions_for({(op.name, op.arity) for op in program.ops()}) == []
    assert solution_text("f", [Var("x", STRING)], STRING, program) == \
        "(define-fun f ((x String)) String (str.from_int (+ (str.to_int x) 1)))"


@pytest.mark.parametrize("text", ["(str.to_upper x)", '(excel.find "a" x)', "(nesy.fixed (str.to.int x) 2)",
                                  "(int.to.str (str.to.int x))"])
def test_the_solution_body_reads_back_as_the_program(text):
    program = STRINGS.parse(text, {"x": STRING})
    last = solution_text("f", [Var("x", STRING)], program.type, program).splitlines()[-1]
    assert parse_define_fun(last).body == program


def test_a_found_answer_with_spreadsheet_ops_is_accepted_by_z3_as_printed():
    examples = [("ann lee", "Ann Lee!"), ("BOB  ray", "Bob Ray!"), ("x", "X!")]
    result = nesy.synthesize(examples, timeout=20, guide=None)
    assert result.found and (result.program.ops() - {op for op in ALL_OPS if op.name in SMT_LIB_26})
    asserts = "\n".join(f"(assert (= (f {format_literal(i)}) {format_literal(o)}))" for i, o in examples)
    assert _z3_check(result.program_text + "\n" + asserts) == z3.sat


def _cvc5_check(script: str) -> str:
    cvc5 = pytest.importorskip("cvc5")
    manager = cvc5.TermManager()
    solver = cvc5.Solver(manager)
    solver.setOption("fmf-fun", "true")   # unfold define-fun-rec on concrete arguments
    symbols = cvc5.SymbolManager(manager)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, f"(set-logic ALL)\n{script}\n(check-sat)", "solution")
    replies = []
    while not (command := parser.nextCommand()).isNull():
        replies.append(command.invoke(solver, symbols).strip())
    return " ".join(reply for reply in replies if reply)


def _cvc5_rows(op: Op) -> list[tuple]:
    """Samples cvc5 decides in seconds: it unfolds a helper once per character and per count, so
    texts stay short and counts small (but for the number formats, whose ints are the point)."""
    def small(x: object) -> bool:
        return len(x) <= 8 if isinstance(x, str) else op.arg_types[0] == INT or abs(x) <= 3
    return [row for row in _samples(op) if all(map(small, row))][::3]


@pytest.mark.slow
@pytest.mark.parametrize("op", DEFINED, ids=lambda o: o.signature)
def test_cvc5_reads_each_definition_and_agrees_with_the_interpreter(op):
    program, inputs = _program(op)
    text = solution_text("f", inputs, op.return_type, program)
    for row in _cvc5_rows(op):
        assert _cvc5_check(text + "\n" + _asserts(program, inputs, [row])) == "sat", row
        assert _cvc5_check(text + "\n" + _asserts(program, inputs, [row], negate=True)) == "unsat", row
