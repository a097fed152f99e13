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
from functools import cached_property
from typing import Callable

from dsl.core import Const, Program, Task
from solvers.search.budget import task_budget
from solvers.search.checking import failing_examples
from solvers.search.edits import output_edits
from solvers.search.result import Result, SearchStats, Status
from solvers.search.special_cases import special_cases
from solvers.search.suspects import Trusted, typo_pairs

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
    order: int                   # the leave-out run that found it (SCOUT_ORDER: the scout)
    edits: int = 0               # character edits between those outputs and the program's (capped)
    rank: int = 0                # 0: the run's own pick, then its runners-up in their order
    checked: bool = True         # the run's own checked result (else `recheck` makes one at the end)
    suspects_fitted: int = 0     # outputs a typo away from another example's that it reproduces
    misfit: int = 0              # how unlike the trusted outputs its kept or made suspect outputs are
    suspect_length: int = 0      # characters of those outputs
    special: int = 0             # examples it fits by a step that serves them alone (`special_cases`)

    @cached_property
    def literal_characters(self) -> int:
        """Characters of its string literals (the rest of its description length)."""
        return _literal_characters(self.result.program)

    def key(self) -> tuple[int, int, int, int, int, int, int]:
        """Size plus the cost of its exceptions, dearer the farther the program's output is from
        the one written down (a typo is an edit or two); a join in doubt (its leave-one-out check
        got examples wrong: it may fit a typo with a special case) pays for each such error too.
        An output that occurs once and is a typo away from another example's ("ALSE" beside
        "FALSE") is as likely a typo as not: reproducing it costs one exception, as repairing it
        does, and size decides. Between two such answers ("truS" kept and "true" called wrong,
        or the other way round) the one whose outputs look like the other examples' wins
        (`suspects.Trusted.misfit`): a typo puts in a character of any kind. An
        example fitted by a step that serves it alone is an exception too (`special_cases`).
        Then the longer of such outputs: a deletion typo can drop any character, an insertion
        must also pick the one it puts in (1 in 62), so "FALE" beside "FALSE" is far more likely
        "FALSE" with a letter lost. Then fewer characters of literals: a program that writes
        "3 PM" out where another builds it from the input's "3" says more about the examples
        than about the task."""
        size = self.result.program.size if self.result.program is not None else 10_000
        suspect = len(self.dropped) + self.result.doubt
        exceptions = self.edits + self.result.doubt + self.suspects_fitted + self.special
        return (size + EXCEPTION_COST * exceptions, self.misfit, -self.suspect_length,
                self.literal_characters, suspect, self.order, self.rank)


SCOUT_ORDER = -1
SCOUT_EDITS = 2             # the scout's first search lets a wrong output be this many edits off
MAX_REPAIRS = 6             # repaired runs at most


@dataclass(frozen=True)
class _Run:
    """One exact search of the noisy one: the task without the examples `left_out`, or with the
    outputs `repaired` replaced (index, output) by another example's output a typo away."""

    left_out: tuple[int, ...] = ()
    repaired: tuple[tuple[int, object], ...] = ()

    def sub_task(self, task: Task) -> Task:
        fixed = dict(self.repaired)
        examples = tuple(replace(e, output=fixed[i]) if i in fixed else e
                         for i, e in enumerate(task.examples) if i not in self.left_out)
        # the left-out inputs are rows to tell programs apart on: runners-up that differ there
        unlabelled = tuple(task.examples[i].inputs for i in self.left_out) + task.unlabelled
        return replace(task, examples=examples, unlabelled=unlabelled)


def _repairs(task: Task) -> list[_Run]:
    """Runs on the task with one output replaced by another example's output a typo away
    ("FALE" -> "FALSE", "Xno" -> "no"): where outputs are a few labels, the typo is most likely
    one of them, and searching every example (the repaired one too) keeps the decision trees
    honest, which leaving the example out does not (`(ite (= x0 "substring") "no" "yes")` fits
    once the one row that tells it from the right program is gone)."""
    return [_Run(repaired=(pair,)) for pair in typo_pairs(task)][:MAX_REPAIRS]


Recheck = Callable[[Task, Program, SearchStats, float], Result]


def synthesize_allowing_errors(task: Task, noise: int, solve: Callable[..., Result], seconds: float,
                               recheck: Recheck | None = None) -> Result:
    """The best answer that fits all but at most `noise` examples of `task`; `solve(sub_task,
    seconds, max_candidates, tolerate=0)` is one exact synthesis (the driver without noise), and
    with `tolerate` > 0 the scout: the first program that gets at most that many examples wrong.

    Every program a run offers competes: its pick, its runners-up (`Result.alternatives`: another
    program may be as small and much closer on the left-out example) and the scout's program.
    `recheck(sub_task, program, stats, seconds)` gives the checked Result (the DSL's checker,
    held-out tests) of a winner that is not a run's own pick, on the examples it treats as right,
    in the seconds the task has left (and the grace every answer's checks get)."""
    n = len(task.examples)
    noise = min(noise, max(0, n - MIN_KEPT))
    leave_outs = [_Run(combo) for k in range(1, noise + 1) for combo in itertools.combinations(range(n), k)]
    repairs = _repairs(task) if noise else []
    suspects = {index for run in repairs for index, _ in run.repaired}
    runs = ([_Run()] + repairs + leave_outs)[:MAX_RUNS]
    trusted = Trusted.of(task, suspects)
    open_runs = list(range(len(runs)))
    answers: list[_Answer] = []
    total = SearchStats()
    last: Result | None = None
    scouting = noise > 0
    scouted = 0                  # candidates the scout searched
    scout_edits = SCOUT_EDITS    # how far off a wrong output the scout's next search lets be
    charges: Charges = {}        # special-case charges of the programs `_best` has looked at

    with task_budget(seconds, None, None) as budget:

        def attempt(order: int, cap: int) -> None:
            """Run leave-out `order` within `cap` candidates and keep its answer."""
            nonlocal total, last
            result = solve(runs[order].sub_task(task), budget.remaining(), cap)
            last = result
            total = total.plus(result.stats, budget.elapsed())
            if result.status is Status.INTERRUPTED:
                raise _Interrupted
            if order in open_runs and (result.stats.candidates < cap
                                       or (not result.found and result.status is not Status.TIMEOUT)):
                open_runs.remove(order)          # its search ended within the cap: a bigger one adds nothing
            if result.found:
                answers[:] = [a for a in answers if a.order != order]   # a bigger cap's answers replace its own
                for rank, (offered, checked) in enumerate(_offered(result)):
                    keep(offered, order, rank, checked)

        def keep(result: Result, order: int, rank: int, checked: bool) -> None:
            """Keep `result`'s program as an answer if it gets at most `noise` examples wrong."""
            wrong = tuple(failing_examples(result.program, task, task.examples))
            if len(wrong) <= noise:
                kept = suspects - set(wrong)
                made = [(task.examples[i].output, i) for i in kept] + \
                    [(_output(result, task, i), i) for i in wrong if i in suspects]
                misfit = sum(trusted.misfit(value, task.examples[i].inputs) for value, i in made)
                length = sum(len(value) for value, _ in made if isinstance(value, str))
                answers.append(_Answer(result, wrong, order, _edits(result, task, wrong), rank, checked,
                                       len(kept), misfit, length))

        def scout(cap: int) -> int | None:
            """One search on every example that lets `noise` of them be wrong: the leave-out run
            it points to (the examples its program gets wrong), None while it finds nothing.
            A program two edits off on an example may hide a bigger one a single edit off (the
            typo), which costs less: the next round's scout then looks for that one."""
            nonlocal total, last, scouting, scouted, scout_edits
            result = solve(task, budget.remaining(), cap, tolerate=noise, edits=scout_edits)
            total = total.plus(result.stats, budget.elapsed())
            scouted += result.stats.candidates
            if result.status is Status.INTERRUPTED:
                last = result
                raise _Interrupted
            if not result.found:
                last = last or result
                if result.stats.candidates < cap and result.status is not Status.TIMEOUT:
                    scouting = False                 # it searched everything: a bigger cap finds nothing
                return None
            keep(result, SCOUT_ORDER, scout_edits, checked=False)      # unchecked: the scout runs no checker
            scouting = False
            if result.doubt:
                return None                          # a join that may fit a typo by a special case
            wrong = tuple(failing_examples(result.program, task, task.examples))
            worst = _worst_edits(result, task, wrong)
            if worst >= 2:
                scouting, scout_edits = True, worst - 1
                return None                          # a weak lead: the stricter scout comes first
            return runs.index(_Run(wrong)) if _Run(wrong) in runs else None

        cap = FIRST_ROUND_CANDIDATES
        extra_rounds = 0
        lead, led = _lead(runs, task, trusted), False
        try:
            while open_runs and budget.remaining() > 0:
                if lead is not None and not led:
                    # the run the examples point to first, with what the scout will get: where
                    # the scout is slow (long outputs, many examples) it often ends the task
                    led = True
                    attempt(lead, cap * len(open_runs))
                    if _settled(answers, task, charges):
                        break
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
                    if _settled(answers, task, charges):
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
    best = _best(answers, task, charges)
    if not best.checked and recheck is not None:
        kept = tuple(e for i, e in enumerate(task.examples) if i not in best.dropped)
        best = replace(best, result=recheck(replace(task, examples=kept), best.result.program, stats,
                                            max(0.0, seconds - stats.seconds)))
    return _named(best, task, stats)


def _offered(result: Result) -> list[tuple[Result, bool]]:
    """A run's pick (checked), then each runner-up as an unchecked Result of its own."""
    offered = [(result, True)]
    for alternative in result.alternatives:
        offered.append((replace(result, program=alternative.program, program_text=alternative.program_text,
                                score=alternative.score, doubt=alternative.doubt, alternatives=(),
                                distinguishing=None, distinguishing_is_own=False, verified=None,
                                test_correct=None), False))
    return offered


Charges = dict[tuple[Program, tuple[int, ...]], int]


def _best(answers: list[_Answer], task: Task, charges: Charges) -> _Answer:
    """The answer of lowest key once special cases are charged. Charging only adds, so answers
    are charged cheapest first until the next one's key without the charge cannot win; a
    program's charge is computed once (`charges`, kept by the caller across rounds)."""
    best: _Answer | None = None
    for answer in sorted(answers, key=_Answer.key):
        if best is not None and answer.key() >= best.key():
            break
        program = answer.result.program
        cached = (program, answer.dropped)
        if cached not in charges:
            fitted = [i for i in range(len(task.examples)) if i not in answer.dropped]
            charges[cached] = len(special_cases(program, task, fitted))
        charged = replace(answer, special=charges[cached])
        if best is None or charged.key() < best.key():
            best = charged
    assert best is not None
    return best


def _lead(runs: list[_Run], task: Task, trusted: Trusted) -> int | None:
    """The run the examples themselves point to, when one stands out: the repair that most makes
    an output look like the trusted ones ("Microjoft" -> "Microsoft", which its input "Microsoft
    Corporation" writes), or else the one example whose output looks least like the others' in
    classes and shape ("Los Angeles, CA,USA" beside "..., MI, USA"). None when no run stands out
    (a tie, or nothing looks off)."""
    scores: dict[int, int] = {}
    for order, run in enumerate(runs):
        if run.repaired:
            index, replacement = run.repaired[0]
            inputs = task.examples[index].inputs
            scores[order] = trusted.misfit(task.examples[index].output, inputs) - trusted.misfit(replacement, inputs)
    if not any(score > 0 for score in scores.values()):
        scores = {}
        for order, run in enumerate(runs):
            if len(run.left_out) == 1 and not run.repaired:
                index = run.left_out[0]
                scores[order] = Trusted.of(task, {index}).misfit(task.examples[index].output)
    best = max(scores.values(), default=0)
    leaders = [order for order, score in scores.items() if score == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


def _settled(answers: list[_Answer], task: Task, charges: Charges) -> bool:
    """No later run can beat the best answer: it needs no exception, and any answer that drops
    an example costs more (a program of one node plus one exception). Charges only add, so the
    best is looked for only when the cheapest answer before them could be settled."""
    if not answers or min(a.key()[0] for a in answers) > 1 + EXCEPTION_COST:
        return False
    best = _best(answers, task, charges)
    return not best.dropped and best.key()[0] <= 1 + EXCEPTION_COST


def _literal_characters(program: Program | None) -> int:
    """Characters of the string literals of `program` (the rest of its description length)."""
    if program is None:
        return 0
    return sum(len(p.head.value) for p in program.subprograms()
               if isinstance(p.head, Const) and isinstance(p.head.value, str))


def _worst_edits(result: Result, task: Task, wrong: tuple[int, ...]) -> int:
    """The most character edits between an output written down and the program's, over `wrong`."""
    return max((_edits(result, task, (index,)) for index in wrong), default=0)


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

