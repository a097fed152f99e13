"""The SyGuS-IF reader: every benchmark file loads, grammars become exactly the ops and constants
they allow, constraints become examples (or a spec), and bad files get located errors."""
from __future__ import annotations

import doctest
import importlib
import pickle
from pathlib import Path

import pytest
import z3

from dsl.core import BOOL, INT, STRING, Const, Example, evaluate
from dsl.errors import NesyInputError
from dsl.strings import DEFAULT_CONSTANTS, SMT_OPS, STRINGS, define_fun, parse_program
from dsl.sygus import load_sygus, parse_define_fun, parse_sygus

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
SLIA_2019 = BENCHMARKS / "sygus-pbe-slia-2019"
STRINGS_V1 = BENCHMARKS / "sygus-pbe-strings"

needs_slia = pytest.mark.skipif(not SLIA_2019.is_dir(), reason="SyGuS-Comp 2019 benchmarks not present")
needs_v1 = pytest.mark.skipif(not STRINGS_V1.is_dir(), reason="SyGuS-Comp 2017/18 v1 benchmarks not present")

HEADER = "(set-logic SLIA)\n"


def sygus(body: str, header: str = HEADER) -> str:
    return header + body + "\n(check-synth)\n"


def ops_of(task) -> set[str]:
    return {op.signature for op in task.grammar.ops}


@needs_slia
def test_every_slia_2019_file_loads():
    files = sorted(SLIA_2019.rglob("*.sl"))
    assert len(files) == 210
    for path in files:
        task = load_sygus(path)
        assert task.name == path.stem and task.source == str(path)
        assert task.examples or task.spec, path
        assert task.grammar.ops and task.grammar.ops <= set(SMT_OPS), path
        for example in task.examples:
            assert len(example.inputs) == len(task.inputs), path


@needs_v1
def test_every_v1_strings_file_loads():
    files = sorted(STRINGS_V1.glob("*.sl"))
    assert len(files) == 109
    assert all(load_sygus(path).examples for path in files)


@needs_slia
def test_bikes_grammar_keeps_only_reachable_ops_and_its_literals():
    task = load_sygus(SLIA_2019 / "from_2018" / "bikes.sl")
    assert [v.name for v in task.inputs] == ["name"] and task.output_type == STRING
    assert task.function_name == "f"
    # ntBool (prefixof, suffixof, contains) is declared but unreachable: no production uses it.
    assert ops_of(task) == {
        "(str.++ String String) -> String", "(str.replace String String String) -> String",
        "(str.at String Int) -> String", "(int.to.str Int) -> String",
        "(str.substr String Int Int) -> String", "(+ Int Int) -> Int", "(- Int Int) -> Int",
        "(str.len String) -> Int", "(str.to.int String) -> Int",
        "(str.indexof String String Int) -> Int"}
    assert task.grammar.constants == (Const(" ", STRING), *(Const(i, INT) for i in range(6)))
    assert not task.grammar.allow_extracted_constants
    assert task.examples[0] == Example(("Ducati100",), "Ducati")
    # A hand-written solution fits every example under the DSL's semantics.
    solution = parse_program("(str.substr name 0 (- (str.len name) 3))", {"name": STRING})
    assert all(evaluate(solution, task.env(e)) == e.output for e in task.examples)


@needs_slia
def test_solution_text_is_checked_by_z3_like_the_shared_checker():
    path = SLIA_2019 / "from_2018" / "bikes.sl"
    task = load_sygus(path)
    body = parse_program("(str.substr name 0 (- (str.len name) 3))", {"name": STRING})
    script = define_fun(task.function_name, task.inputs, task.output_type, body)
    for line in path.read_text().splitlines():
        if line.startswith("(constraint"):
            script += "\n(assert" + line[len("(constraint"):]
    solver = z3.Solver()
    solver.from_string(script.replace("str.to.int", "str.to_int").replace("int.to.str", "str.from_int"))
    assert solver.check() == z3.sat


@needs_slia
def test_tasks_survive_pickling_for_worker_processes():
    task = load_sygus(SLIA_2019 / "euphony" / "11604909.sl")
    assert pickle.loads(pickle.dumps(task)) == task


@needs_slia
def test_long_repeat_files_keep_each_example_once_and_contradictions_all():
    task = load_sygus(SLIA_2019 / "from_2018" / "univ_3-long-repeat.sl")
    assert len(set(task.examples)) == len(task.examples)
    inputs = [e.inputs for e in task.examples]
    assert len(set(inputs)) < len(inputs)  # the file really gives one input two outputs


@needs_slia
def test_max3_lia_spec_becomes_single_invocation_constraints():
    task = load_sygus(SLIA_2019 / "from_2018" / "max3.sl")
    assert task.function_name == "max3" and task.output_type == INT and not task.examples
    assert [str(p) for p in task.spec][0] == "(>= max3 x)"

    def holds(x, y, z, result):
        env = {"x": x, "y": y, "z": z, "max3": result}
        return all(evaluate(p, env) for p in task.spec)
    assert holds(3, -1, 2, 3) and not holds(3, -1, 2, 2) and not holds(3, -1, 2, 4)


def test_v2_predeclaration_any_constant_and_int_output():
    task = parse_sygus(sygus(
        "(synth-fun g ((s String) (k Int)) Int ((I Int) (S String))\n"
        "  ((I Int (k (Constant Int) (str.len S) (+ I I) (- 1)))\n"
        "   (S String (s (Variable String)))))\n"
        "(constraint (= (g \"ab\" (- 2)) 0))\n(constraint (= -1 (g \"\" 7)))"))
    assert ops_of(task) == {"(str.len String) -> Int", "(+ Int Int) -> Int"}
    assert task.grammar.allow_extracted_constants and task.grammar.constants == (Const(-1, INT),)
    assert task.examples == (Example(("ab", -2), 0), Example(("", 7), -1))


def test_no_grammar_allows_every_smt_op_and_bool_outputs():
    task = parse_sygus(sygus('(synth-fun p ((s String)) Bool)\n; a comment\n(constraint (= (p "a") true))'))
    assert task.grammar.ops == frozenset(SMT_OPS) and task.grammar.allow_extracted_constants
    assert task.grammar.constants == DEFAULT_CONSTANTS
    assert task.output_type == BOOL and task.examples == (Example(("a",), True),)


def test_string_literals_use_smt_lib_escapes():
    task = parse_sygus(sygus('(synth-fun f ((s String)) String)\n(constraint (= (f "say ""hi""") "\\u{41}"))'))
    assert task.examples == (Example(('say "hi"',), "A"),)


def test_dsl_grammar_ops_are_the_table_ops():
    task = parse_sygus(sygus("(synth-fun f ((s String)) String ((S String (s (str.to_int I))) (I Int (0))))"
                             .replace("(str.to_int I)", "(int.to.str I)") + '\n(constraint (= (f "a") "a"))'))
    assert task.grammar.ops == frozenset({STRINGS.op("int.to.str", [INT])})


def test_define_fun_solutions_parse_bare_or_wrapped():
    bare = parse_define_fun('(define-fun f ((s String) (k Int)) String (str.++ s " " (int.to.str k)))')
    assert [v.name for v in bare.inputs] == ["s", "k"] and bare.return_type == STRING
    assert evaluate(bare.body, {"s": "a", "k": 2}) == "a 2"
    wrapped = parse_define_fun('((define-fun f ((s String)) Int (str.len s)))')
    assert wrapped.body.size == 2
    with pytest.raises(NesyInputError, match="body of f has type Int, declared String"):
        parse_define_fun("(define-fun f ((s String)) String (str.len s))")


@pytest.mark.parametrize("text, message", [
    ("(set-logic BV)\n", r"^<string>:1:12: unsupported logic BV \(supported: SLIA"),
    (sygus("(synth-fun f ((s String)) String\n  ((S String (s (str.reverse S)))))"),
     r"^<string>:3:18: unknown operator str.reverse"),
    (sygus("(synth-fun f ((s String)) String ((S String (s (str.len S)))))"),
     r"^<string>:2:49: production of type Int in a non-terminal of type String"),
    (sygus("(synth-fun f ((s String)) String ((S String (s (str.++ S \" \")))))"),
     r"^<string>:2:58: production \(str.\+\+ \.\.\.\) has an argument that is not a non-terminal"),
    (sygus("(synth-fun f ((s String)) String)\n(define-fun h ((a Int)) Int a)"),
     r"^<string>:3:2: unsupported SyGuS command define-fun"),
    (sygus("(synth-fun f ((s String)) String)\n(constraint (= (f 3) \"a\"))"),
     r"^<string>:3:19: argument s of f is Int 3, expected String"),
    (sygus("(synth-fun f ((s String)) String)\n(constraint (= (f \"a\" \"b\") \"a\"))"),
     r"^<string>:3:17: f takes 1 arguments, got 2"),
    (sygus("(synth-fun f ((s Real)) String)"), r"^<string>:2:16: unsupported sort Real"),
    (sygus("(synth-fun f ((s String)) String\n  ((S String (s)))"),
     r"^<string>:4:1: syntax error: unexpected '\('; expected '\)'"),
    (sygus("(synth-fun f ((s String)) String)\n(constraint (= (f \"a) \"b\"))"),
     r"^<string>:3:\d+: syntax error"),
    (sygus(""), r"^<string>: no synth-fun in the file"),
    (sygus("(synth-fun f ((s String)) String ((S String (s)) (S String (\"a\"))))"),
     r"^<string>:2:51: non-terminal S is defined twice"),
    (sygus("(synth-fun f ((s String)) String ((I Int (0)) (S String (s))))"),
     r"^<string>:2:36: start symbol I has type Int, the function returns String"),
    (sygus("(synth-fun f ((s String)) String ((S String (t))))"),
     r"^<string>:2:46: unknown name t in the grammar"),
    (sygus("(synth-fun f ((x Int)) Int)\n(declare-var a Int)\n(declare-var b Int)\n"
           "(constraint (= (f a) (f b)))"), r"^<string>:5:23: unsupported constraint: every call of f"),
    ("(set-option :print-success true)\n(declare-fun g (Int) Int)",
     r"^<string>:2:2: unsupported SyGuS command declare-fun"),
])
def test_bad_files_get_located_one_line_errors(text, message):
    with pytest.raises(NesyInputError, match=message) as error:
        parse_sygus(text)
    assert "\n" not in str(error.value)


def test_load_names_the_file(tmp_path):
    path = tmp_path / "bad.sl"
    path.write_text("(set-logic QF_BV)\n")
    with pytest.raises(NesyInputError, match=rf"^{path}:1:12: unsupported logic QF_BV"):
        load_sygus(path)
    with pytest.raises(NesyInputError, match="cannot read SyGuS file"):
        load_sygus(tmp_path / "missing.sl")


ONE_EXAMPLE = '(synth-fun f ((x String)) String ((S String (x "a" (str.++ S S)))))\n(constraint (= (f "a") "aa"))'
DEEP = 10_000


@pytest.mark.parametrize("text, message", [
    (sygus(ONE_EXAMPLE.replace("(str.++ S S)", "(str.++ " * DEEP + "S" + ")" * DEEP)),
     r"^<string>:2:\d+: parentheses nested deeper than 200 levels"),
    (sygus(ONE_EXAMPLE.replace('(= (f "a") "aa")', "(not " * DEEP + "true" + ")" * DEEP)),
     r"^<string>:3:\d+: parentheses nested deeper than 200 levels"),
    (sygus("(synth-fun f ((x Int)) Int)\n(constraint (= (f 1) " + "9" * 5000 + "))"),
     r"^<string>:3:22: numeral with 5000 digits \(at most \d+\)"),
    (sygus("(synth-fun f ((x Int)) Int)\n(constraint (= (f 1) -" + "9" * 5000 + "))"),
     r"^<string>:3:22: numeral with 5000 digits"),
    (sygus(ONE_EXAMPLE.split("\n")[0]), r"^<string>: no constraints: nothing says what f should compute"),
    (sygus('(synth-fun f ((x String) (x String)) String)\n(constraint (= (f "a" "b") "ab"))'),
     r"^<string>:2:27: parameter x is given twice"),
    (sygus('(synth-fun x ((x String)) String)\n(constraint (= (x "a") "ab"))'),
     r"^<string>:2:16: parameter x has the function's name"),
    (sygus('(synth-fun f ((true String)) String)\n(constraint (= (f "a") "ab"))'),
     r"^<string>:2:16: input name 'true' is a reserved word"),
    (sygus('(synth-fun f ((str.len String)) String)\n(constraint (= (f "a") "ab"))'),
     r"^<string>:2:16: input name 'str.len' is a reserved word or an operator"),
])
def test_hostile_files_get_located_one_line_errors(text, message):
    with pytest.raises(NesyInputError, match=message) as error:
        parse_sygus(text)
    assert "\n" not in str(error.value)


def test_a_spec_without_examples_is_still_a_task():
    task = parse_sygus(sygus("(synth-fun m ((x Int) (y Int)) Int)\n(declare-var a Int)\n(declare-var b Int)\n"
                             "(constraint (>= (m a b) a))"))
    assert not task.examples and len(task.spec) == 1


def test_deep_define_fun_solutions_are_refused():
    body = "(str.++ x " * DEEP + "x" + ")" * DEEP
    with pytest.raises(NesyInputError, match=r"^<string>:1:\d+: parentheses nested deeper"):
        parse_define_fun(f"(define-fun f ((x String)) String {body})")


@pytest.mark.parametrize("data, message", [
    (sygus(ONE_EXAMPLE).replace('"a"', '"\xe9"').encode("latin-1"), r":2: not UTF-8: byte 0xe9 at byte offset 65"),
    (sygus(ONE_EXAMPLE).encode("utf-16"), r":1: the file is UTF-16"),
    (sygus(ONE_EXAMPLE).encode("utf-16-le"), r":1: NUL character at offset 1"),
])
def test_files_that_are_not_utf8_name_the_byte(tmp_path, data, message):
    path = tmp_path / "bad.sl"
    path.write_bytes(data)
    with pytest.raises(NesyInputError, match=f"^{path}{message}"):
        load_sygus(path)


def test_a_utf8_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "bom.sl"
    path.write_bytes(b"\xef\xbb\xbf" + sygus(ONE_EXAMPLE).encode())
    assert load_sygus(path).examples == (Example(("a",), "aa"),)


@pytest.mark.parametrize("module", ["dsl.sygus", "dsl.sygus.solutions"])
def test_docstring_examples_run(module):
    results = doctest.testmod(importlib.import_module(module))
    assert results.attempted > 0 and results.failed == 0
