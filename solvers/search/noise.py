"""Examples with typos: the best program that fits all but at most K of them.

One wrong output (a typo, RobustFill's setting) makes exact search fail, or fit it with a join
that treats the typo as a special case. Here search runs on the examples with up to K of them
left out, and each answer is then run on the left-out ones: an answer right on them too needs
no exception at all. Answers are compared by exceptions first weighed against size (an exception
costs `EXCEPTION_COST` program nodes: a much simpler program that calls one example wrong beats a
decision tree that fits it; a join whose leave-one-out check fails pays the same for each
failure, as it may fit the typo with a special case), then by search's order. The result names
the examples it treats as wrong.

Every run is a full exact search of the shared driver. Runs go in rounds of growing candidate
budgets (x4 each round, iterative deepening): the run without the typo finds its answer about as
fast as the clean task would, and runs that cannot succeed cost little in early rounds. Budgets
are counted in candidates, not seconds, so the answer does not depend on the machine's load;
the time limit only cuts the last round short.

Before each round's leave-out runs, a scout searches every example at once, letting up to K of
them be wrong (as much budget as the round's runs together): the first program it finds names
the examples a typo hides, and that leave-out run goes next with a large budget. One search
then does what n + 1 did, so a typo costs about twice the clean task, not n + 1 times.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Callable

from dsl.core import Task
from solvers.search.budget import task_budget
from solvers.search.checking import failing_examples
from solvers.search.edits import output_edits
from solvers.search.result import Result, SearchStats, Status

EXCEPTION_COST = 8          # program nodes one example treated as wrong is worth, per character edit
FAR_EDITS = 4               # ... up to this many edits (an output far from the program's is no typo)
MAX_RUNS = 24               # leave-out combinations tried at most (K >= 2 on many examples)
MIN_KEPT = 2                # never fewer examples than this left to search on
FIRST_ROUND_CANDIDATES = 100_000
ROUND_GROWTH = 4
EXTRA_ROUNDS = 3            # rounds after the first answers: the run without the typo may need them
FOCUS_GROWTH = 4            # the run a scout points to gets this many times what the scout searched ...
FOCUS_MIN_CANDIDATES = 500_000     # ... and this more (it collects alternatives for the ranker)


class _Interrupted(Exception):
    """A run was interrupted (Ctrl-C): the noisy search ends with its result."""


@dataclass(frozen=True)
class _Answer:
    result: Result
    dropped: tuple[int, ...]     # indices of the examples the program gets wrong
    order: int
    edits: int = 0               # character edits between those outputs and the program's (capped)

    def key(self) -> tuple[int, int, int]:
        """Size plus the cost of its exceptions, dearer the farther the program's output is from
        the one written down (a typo is an edit or two); a join in doubt (its leave-one-out check
        got examples wrong: it may fit a typo with a special case) pays for each such error too."""
        size = self.result.program.size if self.result.program is not None else 10_000
        suspect = len(self.dropped) + self.result.doubt
        return (size + EXCEPTION_COST * (self.edits + self.result.doubt), suspect, self.order)


def synthesize_allowing_errors(task: Task, noise: int, solve: Callable[..., Result], seconds: float) -> Result:
    """The best answer that fits all but at most `noise` examples of `task`; `solve(sub_task,
    seconds, max_candidates, tolerate=0)` is one exact synthesis (the driver without noise), and
    with `tolerate` > 0 the scout: the first program that gets at most that many examples wrong."""
    n = len(task.examples)
    noise = min(noise, max(0, n - MIN_KEPT))
    runs = [()] + [combo for k in range(1, noise + 1) for combo in itertools.combinations(range(n), k)]
    runs = runs[:MAX_RUNS]
    open_runs = list(range(len(runs)))
    answers: list[_Answer] = []
    total = SearchStats()
    last: Result | None = None
    scouting = noise > 0
    scouted = 0                  # candidates the scout searched

    with task_budget(seconds, None, None) as budget:

        def attempt(order: int, cap: int) -> None:
            """Run leave-out `order` within `cap` candidates and keep its answer."""
            nonlocal total, last
            left_out = runs[order]
            kept = tuple(e for i, e in enumerate(task.examples) if i not in left_out)
            result = solve(replace(task, examples=kept), budget.remaining(), cap)
            last = result
            total = total.plus(result.stats, budget.elapsed())
            if result.status is Status.INTERRUPTED:
                raise _Interrupted
            if order in open_runs and (result.stats.candidates < cap
                                       or (not result.found and result.status is not Status.TIMEOUT)):
                open_runs.remove(order)          # its search ended within the cap: a bigger one adds nothing
            if result.found:
                wrong = tuple(failing_examples(result.program, task, task.examples))
                if len(wrong) <= noise:
                    answers[:] = [a for a in answers if a.order != order]   # a bigger cap's answer replaces it
                    answers.append(_Answer(result, wrong, order, _edits(result, task, wrong)))

        def scout(cap: int) -> int | None:
            """One search on every example that lets `noise` of them be wrong: the leave-out run
            it points to (the examples its program gets wrong), None while it finds nothing."""
            nonlocal total, last, scouting
            nonlocal scouted
            result = solve(task, budget.remaining(), cap, tolerate=noise)
            total = total.plus(result.stats, budget.elapsed())
            scouted = result.stats.candidates
            if result.status is Status.INTERRUPTED:
                last = result
                raise _Interrupted
            if not result.found:
                last = result
                if result.stats.candidates < cap and result.status is not Status.TIMEOUT:
                    scouting = False                 # it searched everything: a bigger cap finds nothing
                return None
            scouting = False
            if result.doubt:
                return None                          # a join that may fit a typo by a special case
            wrong = tuple(failing_examples(result.program, task, task.examples))
            return runs.index(wrong) if wrong in runs else None

        cap = FIRST_ROUND_CANDIDATES
        extra_rounds = 0
        try:
            while open_runs and budget.remaining() > 0:
                if scouting:
                    # the scout costs what the round's leave-out runs cost together, and finds a
                    # typo's program about as soon as the clean task's search would
                    pointed = scout(cap * len(open_runs))
                    if pointed is not None and budget.remaining() > 0:
                        attempt(pointed, FOCUS_MIN_CANDIDATES + FOCUS_GROWTH * scouted)
                        if pointed in open_runs:
                            open_runs.remove(pointed)
                for order in list(open_runs):
                    if budget.remaining() <= 0:
                        break
                    attempt(order, cap)
                    if answers and _settled(min(answers, key=_Answer.key)):
                        open_runs = []
                        break
                if answers:
                    extra_rounds += 1
                    if extra_rounds > EXTRA_ROUNDS:
                        break                         # the rounds after the first answers had their chance
                cap *= ROUND_GROWTH
        except _Interrupted:
            return replace(last, task=task.name, stats=total)
        stats = replace(total, seconds=budget.elapsed())
    if not answers:
        if last is None:
            return Result(task.name, Status.TIMEOUT, stats=stats, message="no time to search")
        return replace(last, task=task.name, stats=stats,
                       message=(last.message + "; " if last.message else "")
                       + f"no program fits all but {noise} of the {n} examples")
    return _named(min(answers, key=_Answer.key), task, stats)


def _settled(best: _Answer) -> bool:
    """No later run can beat `best`: it needs no exception, and any answer that drops an example
    costs more (a program of one node plus one exception)."""
    return not best.dropped and best.key()[0] <= 1 + EXCEPTION_COST


def _edits(result: Result, task: Task, wrong: tuple[int, ...]) -> int:
    """Character edits between the outputs written down and the program's, over the examples it
    gets wrong, each capped at `FAR_EDITS`."""
    total = 0
    for index in wrong:
        try:
            produced = result.run(*task.examples[index].inputs)
        except Exception:  # the op raised on this example's inputs: as far off as it gets
            produced = None
        total += output_edits(task.examples[index].output, produced, FAR_EDITS - 1)
    return total


def _named(answer: _Answer, task: Task, stats: SearchStats) -> Result:
    result = replace(answer.result, task=task.name, stats=stats, dropped=answer.dropped)
    if not answer.dropped:
        return result
    names = ", ".join(f"{i + 1} ({_short(task.examples[i].output)})" for i in answer.dropped)
    note = f"treats example(s) {names} as wrong: the program gives " + ", ".join(
        _short(_output(result, task, i)) for i in answer.dropped)
    return replace(result, message=(result.message + "; " if result.message else "") + note)


def _output(result: Result, task: Task, index: int) -> object:
    try:
        return result.run(*task.examples[index].inputs)
    except Exception as error:  # the op raised on this example's inputs
        return f"<{type(error).__name__}>"


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."

