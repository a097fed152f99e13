"""RASP synthesis: search returns programs that fit, their text reads back, they compile exactly,
contradictions are reported, and bad task files get one-line errors."""
from __future__ import annotations

import json
from fractions import Fraction
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dsl.core import Program, evaluate
from dsl.errors import NesyInputError
from dsl.rasp import load, run
from dsl.rasp.program_source import to_rasp
from dsl.rasp.search_ops import AGGREGATES, CAT, INDICES, LENGTH, MAPS, SELECTS, ZIPMAPS
from dsl.rasp.tasks import read_tasks, task_from_record
from dsl.registry import get_dsl
from solvers.rasp.front_end import failing, synthesize
from solvers.rasp.inverse import categorical_spec, numerical_table
from solvers.rasp.tables import lookup_table
from solvers.search.driver import SynthesisOptions
from solvers.search.enumeration import SearchConfig
from solvers.search.result import Status

RASP = get_dsl("rasp")
OPTIONS = SynthesisOptions(config=SearchConfig(timeout=20))
ROOT = Path(__file__).resolve().parents[1]


def make_task(name: str, source: str, vocab: list, max_len: int = 4, count: int = 8, seed: int = 1, **extra):
    """A task whose examples are the reference program's outputs on seeded random inputs."""
    program = load(source)
    rng = random.Random(seed)

    def example() -> dict:
        tokens = [rng.choice(vocab) for _ in range(rng.randint(1, max_len))]
        return {"input": tokens, "output": [str(v) if hasattr(v, "denominator") and v.denominator != 1 else v
                                            for v in run(program, tokens)]}
    record = {"name": name, "vocab": vocab, "max_len": max_len, "examples": [example() for _ in range(count)],
              "tests": [example() for _ in range(10)], "reference": source, **extra}
    return task_from_record(record)


@pytest.mark.parametrize("name, source, vocab", [
    ("reverse", "aggregate(select(indices, length - indices - 1, ==), tokens);", ["a", "b", "c"]),
    ("hist", "selector_width(select(tokens, tokens, ==));", ["a", "b"]),
    ("frac_prevs", 'numerical aggregate(select(indices, indices, <=), tokens == "x");', ["x", "y"]),
    ("shift", "aggregate(select(indices, indices - 1, ==), tokens);", ["a", "b"]),
    ("mode", "aggregate(select(indices, indices, true), tokens);", ["a", "b", "c"]),
])
def test_search_returns_a_program_that_fits_every_example(name, source, vocab):
    task = make_task(name, source, vocab)
    result = synthesize(task, RASP, OPTIONS)
    assert result.status is Status.SOLVED, result
    assert result.verified and result.test_correct
    assert failing(load(result.program_text), task.examples) == []
    for example in task.examples:   # the search tree itself computes the same outputs
        assert evaluate(result.program, {"tokens": example.inputs[0]}) == example.output


def test_a_found_program_compiles_to_exact_weights():
    from nesy.rasp_synthesis.proof import prove

    task = make_task("reverse", "aggregate(select(indices, length - indices - 1, ==), tokens);", ["a", "b"])
    result = synthesize(task, RASP, OPTIONS)
    proof = prove(task, result.program_text)
    assert proof.passed and proof.exhaustive and proof.inputs == 2 + 4 + 8 + 16, proof
    assert proof.program_equals_reference


def test_proof_reports_a_program_that_differs_from_the_reference():
    from nesy.rasp_synthesis.proof import prove

    task = make_task("reverse", "aggregate(select(indices, length - indices - 1, ==), tokens);", ["a", "b"])
    proof = prove(task, "tokens;")
    assert proof.model_equals_program and proof.program_equals_reference is False and not proof.passed
    assert proof.reference_disagreements > 0 and "differ" in proof.first_difference


def test_contradictory_examples_are_reported_unsolvable():
    record = {"name": "clash", "vocab": ["a", "b"], "max_len": 3,
              "examples": [{"input": ["a", "b"], "output": ["a", "a"]}, {"input": ["a", "b"], "output": ["b", "b"]}]}
    result = synthesize(task_from_record(record), RASP, OPTIONS)
    assert result.status is Status.NO_SOLUTION and "contradictory" in result.message


def test_printed_programs_read_back_and_compute_the_same():
    tokens = Program.var("tokens", CAT)
    indices, length = Program(INDICES, (tokens,)), Program(LENGTH, (tokens,))
    opposite = Program(ZIPMAPS[2], (length, indices))                   # length - indices - 1
    flip = Program(SELECTS[0], (indices, opposite))
    reverse = Program(AGGREGATES[0], (flip, tokens))
    program = Program(ZIPMAPS[4], (reverse, Program(MAPS[0], (indices,))))   # reverse == indices + 1
    parsed = load(to_rasp(program))
    rng = random.Random(0)
    for _ in range(50):
        tokens_in = tuple(rng.choice([1, 2, 3]) for _ in range(rng.randint(1, 6)))
        assert tuple(run(parsed, list(tokens_in))) == evaluate(program, {"tokens": tokens_in})
    assert to_rasp(program).count("select(") == 1


def test_dsl_parser_and_printer_round_trip():
    source = "aggregate(select(indices, 0, ==), tokens);\n"
    program = RASP.parse(source)
    assert RASP.print(program) == source and RASP.parse(RASP.print(program)) == program
    assert evaluate(program, {"tokens": ("b", "a")}) == ("b", "b")


def test_lookup_tables_need_a_function_seen_across_examples():
    source = [("a", "b", "a"), ("b", "a")]
    assert lookup_table(source, [(1, 0, 1), (0, 1)]) == (((("a", 1),), 0))   # a -> 1, else 0
    assert lookup_table(source, [(1, 0, 0), (0, 1)]) is None                  # "a" -> 1 and 0
    assert lookup_table([("a",), ("b",)], [(1,), (0,)]) is None               # each key in one example only
    assert lookup_table(source, source) is None                               # the identity: no map needed


def test_aggregate_inverses():
    prefix = [(0b1, 0b11, 0b111), (0b1, 0b11)]        # select(indices, indices, <=) on 3 and 2 positions
    tokens = [("(", ")", "("), (")", ")")]
    solved = numerical_table(prefix, [(1, 0, Fraction(1, 3)), (-1, -1)], tokens, mean=True)
    assert {key: value for key, value in solved.values()} == {"(": 1, ")": -1}    # pair_balance's +1 / -1
    assert numerical_table(prefix, [(1, 0, 1), (-1, -1)], tokens, mean=True) is None   # no such function
    everything = [(0b11, 0b11)]
    assert numerical_table(everything, [(3, 3)], [("a", "b")], mean=False) is None     # a + b = 3: not unique
    wanted, fixed = categorical_spec([(0b10, 0b01)], [("x", "y")])               # swap: key 1 must be x
    assert wanted == [["y", "x"]] and fixed == [[True, True]]
    assert categorical_spec([(0b11, 0b01)], [("x", "y")]) is None               # key 0 must be x and y


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


GOOD = {"name": "t", "vocab": ["a"], "max_len": 2, "examples": [{"input": ["a"], "output": [1]}]}


@pytest.mark.parametrize("change, message", [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"max_len": 0}, "'max_len' must be a whole number"),
    ({"examples": [{"input": ["b"], "output": [1]}]}, "token 'b' is not in the vocabulary"),
    ({"examples": [{"input": ["a"], "output": [1, 2]}]}, "1 input tokens but 2 output values"),
    ({"examples": [{"input": ["a", "a", "a"], "output": [1, 1, 1]}]}, "the input has 3 tokens"),
    ({"vocab": ["a", "a"]}, "lists a token twice"),
])
def test_bad_task_files_get_one_line_errors_with_file_and_line(tmp_path, change, message):
    path = _write(tmp_path, [json.dumps(GOOD), json.dumps({**GOOD, "name": "u", **change})])
    with pytest.raises(NesyInputError) as error:
        read_tasks(path)
    assert message in str(error.value) and str(error.value).startswith(f"{path}:2: ")
    assert "\n" not in str(error.value)


def test_missing_key_and_broken_json(tmp_path):
    with pytest.raises(NesyInputError, match=r":1: missing key 'vocab'"):
        read_tasks(_write(tmp_path, [json.dumps({k: v for k, v in GOOD.items() if k != "vocab"})]))
    with pytest.raises(NesyInputError, match=r":1: "):
        read_tasks(_write(tmp_path, ['{"name": ']))


def _nesy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nesy", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_synth_and_bench(tmp_path):
    task = {"name": "first", "vocab": ["a", "b"], "max_len": 3,
            "examples": [{"input": list(t), "output": [t[0]] * len(t)} for t in ("ab", "ba", "b", "aab", "bba")],
            "reference": "aggregate(select(indices, 0, ==), tokens);"}
    path = _write(tmp_path, [json.dumps(task)])
    synth = _nesy("synth", "--dsl", "rasp", str(path), "--timeout", "10")
    assert synth.returncode == 0, synth.stderr
    assert "output = aggregate(" in synth.stdout
    out = tmp_path / "bench.json"
    bench = _nesy("bench", "rasp", "--suite", str(path), "--timeout", "10", "--jobs", "1", "--json", str(out),
                  "--quiet")
    assert bench.returncode == 0, bench.stderr
    row = json.loads(out.read_text())["results"][0]
    assert row["solved"] and row["proof"]["exhaustive"] and row["program"].startswith("select")
    assert "solved 1/1" in bench.stdout


def test_cli_bad_task_file_exits_2(tmp_path):
    path = _write(tmp_path, [json.dumps({**GOOD, "colour": 1})])
    result = _nesy("synth", "--dsl", "rasp", str(path))
    assert result.returncode == 2 and "unknown key 'colour'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_distill_a_compiled_model_back_from_its_file(tmp_path):
    from nesy.compiler import compile_rasp
    from nesy.compiler.files import save
    from nesy.rasp_synthesis.distill import CompiledModelQuery, distill

    path = tmp_path / "hist.pt"
    save(compile_rasp("selector_width(select(tokens, tokens, ==));", "a,b,c", 4), path)
    model = CompiledModelQuery(path)
    found = distill(model, model.vocab, model.max_len, timeout=10)
    assert found.agrees and found.exhaustive and found.inputs == 3 + 9 + 27 + 81
    assert "selector_width" in found.result.program_text


def test_distill_reports_where_program_and_model_disagree():
    from nesy.rasp_synthesis.distill import distill

    def model(batch):   # the last token everywhere, but the first token on inputs of length 4
        return [[t[0] if len(t) == 4 else t[-1]] * len(t) for t in batch]
    found = distill(model, ["a", "b"], 4, examples=3, tests=0, timeout=5, rounds=1)
    assert found.result.found and not found.agrees and found.disagreements > 0
    tokens, wanted, got = found.examples[0]
    assert wanted == model([tokens])[0] and got != wanted


@pytest.mark.slow
def test_cli_distill(tmp_path):
    model = tmp_path / "count.pt"
    compiled = _nesy("rasp", "compile", "datasets/rasp/count_a.rasp", "--vocab", "a,b", "--max-len", "4",
                     "--out", str(model))
    assert compiled.returncode == 0, compiled.stderr
    program = tmp_path / "found.rasp"
    result = _nesy("rasp", "distill", str(model), "--timeout", "10", "--out", str(program))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "30/30 agree" in result.stdout and "selector_width" in program.read_text()
    bad = _nesy("rasp", "distill", str(model), "--vocab", "a,z")
    assert bad.returncode == 2 and "'z' is not in the model's vocabulary" in bad.stderr


def _random_program(rng: random.Random, depth: int, type_, leaves: dict):
    """A random well-typed program over the search ops (leaves when depth runs out)."""
    from dsl.rasp.search_ops import SEARCH_OPS

    if (depth <= 0 or rng.random() < 0.25) and leaves.get(type_):
        return rng.choice(leaves[type_])
    ops = [op for op in SEARCH_OPS if op.return_type == type_
           and (depth > 0 or all(leaves.get(t) for t in op.arg_types))]   # out of depth: leaves next
    op = rng.choice(ops)
    return Program(op, tuple(_random_program(rng, depth - 1, t, leaves) for t in op.arg_types))


def test_search_ops_compute_what_the_interpreter_computes_on_their_printed_text():
    """Random programs over the op table: where the op table gives a value, the printed RASP text
    read back by the parser gives the same value in the interpreter (None, booleans, fractions)."""
    from dsl.rasp.search_ops import NUM, OUT, SEL, SELECT_ALL, constant_op

    tokens = Program.var("tokens", CAT)
    leaves = {CAT: [tokens, Program(INDICES, (tokens,)), Program(LENGTH, (tokens,)),
                    Program(constant_op(1), (tokens,)), Program(constant_op(2), (tokens,))],
              SEL: [Program(SELECT_ALL, (tokens,))], NUM: [], OUT: []}
    rng = random.Random(7)
    compared = 0
    for _ in range(250):
        program = _random_program(rng, 4, rng.choice([CAT, NUM, OUT]), leaves)
        if program.head.__class__.__name__ == "Var" or program.type == SEL:
            continue
        parsed = load(to_rasp(program))
        for _ in range(3):
            tokens_in = tuple(rng.choice([0, 1, 2, 3]) for _ in range(rng.randint(1, 5)))
            try:
                mine = evaluate(program, {"tokens": tokens_in})
            except (TypeError, ValueError, ArithmeticError):
                continue       # search drops such values
            theirs = tuple(run(parsed, list(tokens_in)))
            assert [repr(v) for v in theirs] == [repr(v) for v in mine], to_rasp(program)
            compared += 1
    assert compared > 150


def test_a_boolean_target_is_found_as_a_conjunction_of_small_parts():
    """`b c` ends here: two parts of 3 and 5 operations, joined by `and` (the conjunction join),
    with None where the pattern cannot fit, as in Tracr's make_detect_pattern."""
    source = 'aggregate(select(indices, indices - 1, ==), tokens) == "b" and tokens == "c";'
    task = make_task("detect_bc", source, ["a", "b", "c"], max_len=5, count=16, seed=3)
    result = synthesize(task, RASP, OPTIONS)
    assert result.status is Status.SOLVED, result
    assert " and " in result.program_text
    assert failing(load(result.program_text), task.examples) == []


def test_the_cover_picks_cheap_parts_and_drops_redundant_ones():
    from solvers.rasp.conjunctions import _cheap_cover

    def part(size: int) -> Program:
        program = Program.var("tokens", CAT)
        for _ in range(size - 1):
            program = Program(INDICES, (program,))
        return program
    kept = {0b0011: part(2), 0b1100: part(2), 0b1111: part(9), 0b0110: part(1)}
    chosen = _cheap_cover(kept, 0b1111)
    assert sorted(mask for mask, _ in chosen) == [0b0011, 0b1100]   # 0b0110 is redundant once both are in
    assert _cheap_cover({0b0001: part(1)}, 0b0011) is None


def test_brace_tokens_print_as_literals_not_as_template_fields():
    """Dyck-2's vocabulary: a "{" in a constant or a table key must reach the text as itself."""
    from dsl.rasp.search_ops import constant_op, table_op

    tokens = Program.var("tokens", CAT)
    is_open = Program(table_op((("{", True), ("}", False)), None, CAT), (tokens,))
    program = Program(ZIPMAPS[4], (is_open, Program(constant_op("{"), (tokens,))))   # x == y
    text = to_rasp(program)
    assert '"{"' in text and '"}"' in text
    assert run(load(text), ["{", "}", "("]) == list(evaluate(program, {"tokens": ("{", "}", "(")}))
