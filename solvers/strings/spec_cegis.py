"""Logical specifications (SyGuS constraints that are not plain examples) by counterexample-guided
inductive synthesis.

The enumerator needs examples. For a single-invocation spec such as `max3.sl` Z3 supplies them:
for chosen inputs it finds an output the spec allows, the enumerator fits those examples, and Z3
then looks for inputs where the candidate breaks the spec. Each counterexample becomes one more
example, until Z3 finds none (the program is proven correct for all inputs) or time runs out.
Every Z3 call and every round of search runs inside the task's budget.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from dsl.core import BOOL, INT, STRING, Example, Program, Task, to_z3, z3_literal
from solvers.search.budget import task_budget, z3_timeout_ms
from solvers.search.result import Result, SearchStats, Status

Z3_TIMEOUT_MS = 5_000
MAX_ROUNDS = 64


def _symbol(name: str, type_):
    import z3

    makers = {STRING: z3.String, INT: z3.Int, BOOL: z3.Bool}
    if type_ not in makers:
        raise ValueError(f"no Z3 sort for type {type_}")
    return makers[type_](name)


def _python(value) -> Any:
    import z3

    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_true(value) or z3.is_false(value):
        return z3.is_true(value)
    if z3.is_string_value(value):
        return value.as_string()
    raise ValueError(f"cannot read Z3 value {value}")


def _default_value(type_) -> Any:
    return {STRING: "", INT: 0, BOOL: False}[type_]


def output_for(task: Task, inputs: tuple[Any, ...]) -> Any | None:
    """An output the spec allows for these inputs, or None if there is none (TimeoutError when Z3
    cannot tell in the time left)."""
    import z3

    result = _symbol(task.function_name, task.output_type)
    env = {v.name: z3_literal(x) for v, x in zip(task.inputs, inputs)}
    env[task.function_name] = result
    solver = z3.Solver()
    solver.set("timeout", z3_timeout_ms(Z3_TIMEOUT_MS))
    solver.add(*[to_z3(c, env) for c in task.spec])
    verdict = solver.check()
    if verdict == z3.unsat:
        return None
    if verdict != z3.sat:
        raise TimeoutError(f"Z3 could not find an output the spec allows for inputs {inputs} in time")
    return _python(solver.model().eval(result, model_completion=True))


def counterexample(task: Task, program: Program) -> tuple[Any, ...] | None:
    """Inputs on which `program` violates the spec, or None when it holds for all inputs."""
    import z3

    env = {v.name: _symbol(v.name, v.type) for v in task.inputs}
    env[task.function_name] = to_z3(program, env)
    solver = z3.Solver()
    solver.set("timeout", z3_timeout_ms(Z3_TIMEOUT_MS))
    solver.add(z3.Not(z3.And(*[to_z3(c, env) for c in task.spec])))
    verdict = solver.check()
    if verdict == z3.unsat:
        return None
    if verdict != z3.sat:
        raise TimeoutError("Z3 could not decide the spec for this candidate")
    model = solver.model()
    return tuple(_python(model.eval(env[v.name], model_completion=True)) for v in task.inputs)


def synthesize_from_spec(task: Task, solve_examples: Callable[[Task, float], Result], timeout: float) -> Result:
    """CEGIS: grow examples from counterexamples until a candidate meets the spec for all inputs,
    within the task's budget (the caller's, or `timeout` seconds)."""
    with task_budget(timeout, None, None) as budget:
        inputs = [e.inputs for e in task.examples] or [tuple(_default_value(v.type) for v in task.inputs)]
        candidates = 0

        def timed_out(message: str) -> Result:
            stats = SearchStats(candidates=candidates, seconds=budget.elapsed(), peak_memory_mb=budget.peak_memory_mb)
            return Result(task.name, Status.TIMEOUT, stats=stats, message=message)

        for _ in range(MAX_ROUNDS):
            examples = []
            for point in inputs:
                if budget.remaining() <= 0:
                    return timed_out(f"stopped at the time limit of {budget.root.seconds:g} s")
                try:
                    output = output_for(task, point)
                except TimeoutError as error:
                    return timed_out(str(error))
                if output is None:
                    return Result(task.name, Status.NO_SOLUTION, message=f"the spec allows no output for inputs {point}")
                examples.append(Example(point, output))
            remaining = budget.remaining()
            if remaining <= 0:
                break
            result = solve_examples(replace(task, examples=tuple(examples), spec=()), remaining)
            candidates += result.stats.candidates
            if result.program is None:
                return replace(result, task=task.name)
            try:
                broken = counterexample(task, result.program)
            except TimeoutError as error:
                return timed_out(str(error))
            if broken is None:
                stats = replace(result.stats, candidates=candidates, seconds=budget.elapsed())
                return replace(result, task=task.name, stats=stats, verified=True,
                               message=f"proven for all inputs by Z3 after {len(inputs)} examples")
            inputs.append(broken)
        return timed_out(f"no proven program after {len(inputs)} counterexamples")
