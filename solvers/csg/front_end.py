"""The CSG front end of the driver: a task's target picture -> a `Result` with a postfix program.

A CSG answer is a picture's closest program, not a function that fits examples: the status is
SOLVED when the program draws the target exactly, FITS when it draws a near picture (its IoU
and Chamfer distance are in the message), NO_SOLUTION when the task holds no picture.
"""
from __future__ import annotations

import time

from dsl.core import Dsl, Task
from dsl.csg.canvas import Canvas
from solvers.csg.search import CsgAnswer, CsgSearchConfig, synthesize_shape
from solvers.search.budget import active_budget
from solvers.search.driver import SynthesisOptions
from solvers.search.guide import Guide
from solvers.search.result import Result, SearchStats, Status

SAFETY_SECONDS = 0.05        # left of the budget for drawing and scoring the answer again


def target_of(task: Task) -> Canvas | None:
    """The picture a CSG task asks for (its one example's output)."""
    outputs = [e.output for e in task.examples if isinstance(e.output, Canvas)]
    return outputs[0] if len(outputs) == 1 else None


def synthesize_csg_task(task: Task, dsl: Dsl | None = None, options: SynthesisOptions = SynthesisOptions(),
                        guide: Guide | None = None) -> Result:
    """Search-only synthesis of one CSG task within the task's budget (`guide` is not used yet)."""
    started = time.perf_counter()
    target = target_of(task)
    if target is None:
        return Result(task.name, Status.NO_SOLUTION, message="a CSG task needs exactly one target picture")
    budget = active_budget()
    seconds = budget.remaining() if budget is not None else options.config.timeout
    answer = synthesize_shape(target.image, CsgSearchConfig(seconds=max(seconds - SAFETY_SECONDS, 0.01)))
    return answer_result(task.name, answer, time.perf_counter() - started)


def answer_result(name: str, answer: CsgAnswer, seconds: float) -> Result:
    status = Status.SOLVED if answer.exact else Status.FITS
    message = f"IoU {answer.iou:.4f}, Chamfer distance {answer.cd:.4f}, {answer.tokens} tokens"
    stats = SearchStats(candidates=answer.scored, values_kept=answer.kept, seconds=seconds)
    return Result(name, status, answer.program, answer.text, stats, message=message)
