"""Properties over random well-typed RASP programs (maps, composite selectors, numerical and
categorical aggregates, selector widths): they compile to models equal to the interpreter on
every input of a small vocabulary and length, and the printer round-trips them."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.rasp import load
from dsl.rasp.parser import parse
from dsl.rasp.printer import to_source
from nesy.compiler import compile_program
from nesy.compiler.check import check, count_inputs

VOCAB = (0, 1, 2)
MAX_LEN = 4
PREDICATES = ("==", "!=", "<", "<=", ">", ">=", "true")


@st.composite
def selectors(draw, categorical: list[str]) -> str:
    def leaf() -> str:
        keys, queries = draw(st.sampled_from(categorical)), draw(st.sampled_from(categorical))
        return f"select({keys}, {queries}, {draw(st.sampled_from(PREDICATES))})"
    shape = draw(st.sampled_from(("leaf", "leaf", "and", "or", "not")))
    if shape == "leaf":
        return leaf()
    if shape == "not":
        return f"not {leaf()}"
    return f"({leaf()} {shape} {leaf()})"


@st.composite
def programs(draw) -> str:
    """Source text: each line defines a new sequence from earlier ones; the last is the output."""
    categorical, numerical = ["tokens", "indices"], []
    lines = []
    for step in range(draw(st.integers(2, 5))):
        name = f"v{step}"
        kinds = ("map", "map2", "lambda", "cond", "width", "mean", "pick")
        kind = draw(st.sampled_from(kinds + ("numeric_map", "numeric_arith") if numerical else kinds))
        a, b = draw(st.sampled_from(categorical)), draw(st.sampled_from(categorical))
        if kind == "map":
            op, k = draw(st.sampled_from(("+", "-", "%", "==", "<"))), draw(st.integers(1, 2))
            lines.append(f"{name} = {a} {op} {k};")
        elif kind == "map2":
            lines.append(f"{name} = {draw(st.sampled_from(('min', 'max')))}({a}, {b});")
        elif kind == "lambda":
            lines.append(f"{name} = zipmap(lambda x, y: (x * 2 + y) % 3, {a}, {b});")
        elif kind == "cond":
            lines.append(f"{name} = {a} if {b} == 1 else {draw(st.integers(0, 2))};")
        elif kind == "width":
            lines.append(f"{name} = selector_width({draw(selectors(categorical))});")
        elif kind == "pick":  # selects at most one position: exact whatever it feeds
            lines.append(f"{name} = aggregate(select(indices, {a}, ==), {b}, 0);")
        elif kind == "mean":
            lines.append(f"{name} = numerical aggregate({draw(selectors(categorical))}, {a} == {b});")
            numerical.append(name)
            continue
        elif kind == "numeric_arith":  # affine in numbers, or a number times a category: no steps
            n, m = draw(st.sampled_from(numerical)), draw(st.sampled_from(numerical))
            lines.append(draw(st.sampled_from((f"{name} = {n} - {m};", f"{name} = {n} * ({a} + 1);"))))
            numerical.append(name)
            continue
        else:
            n = draw(st.sampled_from(numerical))
            lines.append(draw(st.sampled_from((f"{name} = {n} < 0.5;", f"{name} = {n} > 0 and {a} == 1;"))))
        categorical.append(name)
    return "\n".join(lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_compile_exactly(source):
    program = load(source)
    compiled = compile_program(program, VOCAB, MAX_LEN)
    report = check(compiled, program)
    assert report.exhaustive and report.inputs_checked == count_inputs(len(VOCAB), MAX_LEN)
    assert report.exact == report.inputs_checked, f"{source}\n{report}"


@settings(max_examples=60, deadline=None)
@given(programs())
def test_printer_round_trips_random_programs(source):
    module = parse(source)
    assert parse(to_source(module)) == module
