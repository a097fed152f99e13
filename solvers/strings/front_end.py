"""The string DSL's way in: logical specs by CEGIS (`solvers.strings.spec_cegis`), examples by
the shared driver."""
from __future__ import annotations

from dataclasses import replace

from dsl.core import Dsl, Task
from solvers.search.driver import SynthesisOptions, enumerate_task
from solvers.search.guide import Guide
from solvers.search.result import Result
from solvers.strings.spec_cegis import synthesize_from_spec


def synthesize_strings_task(task: Task, dsl: Dsl, options: SynthesisOptions = SynthesisOptions(),
                            guide: Guide | None = None) -> Result:
    """A checked result for a string task; a task with a logical spec is proven for all inputs."""
    if not task.spec:
        return enumerate_task(task, dsl, options, guide)

    def solve_examples(sub_task: Task, seconds: float) -> Result:
        return enumerate_task(sub_task, dsl, replace(options, config=replace(options.config, timeout=seconds)), guide)

    return synthesize_from_spec(task, solve_examples, options.config.timeout)
