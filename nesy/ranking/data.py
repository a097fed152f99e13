"""Labelled candidate sets for the ranker, made from the DSL alone (no benchmark task is read).

A random input set gets a pool of programs (the guide's recipe: `nesy.guides.data`, real
enumeration over spreadsheet-like inputs from `nesy.guides.inputs`). A *target* is a pool program,
or a concatenation of two small ones (so joins and their memorising look-alikes show up).
Its outputs on 2-4 rows make a task's examples (random rows, or rows a simpler look-alike fits
too: `nesy.ranking.rows`); other rows of the same columns are the task's unlabelled inputs and its
held-out rows. Search (`fitting_candidates`, the driver's own) collects
the programs that fit, with their outputs on the probe rows; a candidate is labelled right when it
agrees with the target on every held-out row.

Everything is seeded and search runs under a candidate budget (the time limit is only a safety
net), so the same seed gives the same data on any machine, for the same enumerator.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from dsl.core import INT, STRING, Const, Dsl, Example, Program, Task, Var, evaluate, right_nested
from nesy.guides.data import DataConfig, GuideDataGenerator, PoolEntry
from nesy.ranking.features import FEATURES, candidate_features
from nesy.ranking.rows import Rows, choose_rows
from solvers.search.driver import SynthesisOptions, fitting_candidates
from solvers.search.enumeration import SearchConfig
from solvers.search.ranking import Candidate

if TYPE_CHECKING:
    from nesy.executors import Executor

CHUNK = 25              # tasks per seeded chunk of work
CONCAT_PART_SIZE = 5    # the pieces of a concatenated target are this small
EVALUATION_CHUNKS = 50_000   # chunk numbers from here on make evaluation tasks


@dataclass(frozen=True)
class RankingDataConfig:
    """Sizes of the generated data; each task searches at most `search_candidates` candidates."""

    train_examples: tuple[int, int] = (2, 4)   # inclusive range of examples per task
    held_out: int = 4                          # rows a candidate must get right to be labelled right
    unlabelled: tuple[int, int] = (0, 4)       # inclusive range of the user's unlabelled rows
    rows: int = 16                             # rows per random input set, to choose the above from
    lookalike_share: float = 0.35              # tasks whose examples a smaller look-alike fits too
    same_length_share: float = 0.15            # tasks whose example outputs have one length
    pool_candidates: int = 20_000
    targets_per_pool: int = 6
    concatenated_share: float = 0.3            # targets that concatenate two small pool programs
    min_target_size: int = 2
    max_target_size: int = 10
    search_candidates: int = 1_500_000
    search_timeout: float = 120.0              # seconds; a safety net, not a budget


@dataclass(frozen=True)
class RankingGroup:
    """One task's candidates and labels (1: agrees with the target on the held-out rows); the
    task's `tests` are those rows."""

    task: Task
    target: Program
    probes: tuple[tuple[Any, ...], ...]
    candidates: tuple[Candidate, ...]
    labels: tuple[int, ...]

    @property
    def ambiguous(self) -> bool:
        """Does picking matter here (some candidates right, some wrong)?"""
        return 0 < sum(self.labels) < len(self.labels)


class RankingDataGenerator:
    """Makes `RankingGroup`s for a DSL with string ops: `generate(tasks, seed)`.

    Example:
        >>> from dsl.strings import STRINGS
        >>> groups = RankingDataGenerator(STRINGS, RankingDataConfig(pool_candidates=3_000)).generate(2, seed=1)
        >>> all(len(g.labels) == len(g.candidates) for g in groups)
        True
    """

    def __init__(self, dsl: Dsl, config: RankingDataConfig = RankingDataConfig()) -> None:
        self.dsl = dsl
        self.config = config
        self.pools = GuideDataGenerator(dsl, DataConfig(train_examples=(0, 0), held_out_examples=config.rows,
                                                        pool_candidates=config.pool_candidates))
        self.concat = next((op for op in dsl.ops if op.name == "str.++" and op.arg_types == (STRING, STRING)), None)
        self.options = SynthesisOptions(config=SearchConfig(timeout=config.search_timeout,
                                                            max_candidates=config.search_candidates),
                                        verify_with_z3=False)

    def generate(self, tasks: int, seed: int) -> list[RankingGroup]:
        """The groups of `tasks` generated tasks (those search found a program for)."""
        config = self.config
        rng = random.Random(seed)
        groups: list[RankingGroup] = []
        made = 0
        while made < tasks:
            variables, rows, _, entries = self.pools.build_pool(rng)
            inputs = [r.inputs for r in rows]
            for target in self.pick_targets(rng, entries)[:tasks - made]:
                made += 1
                outputs = [evaluate(target, dict(zip((v.name for v in variables), row))) for row in inputs]
                lookalikes = [e.vector for e in entries if e.type == target.type and e.program.size <= target.size
                              and list(e.vector) != outputs]
                chosen = choose_rows(rng, outputs, lookalikes, rng.randint(*config.train_examples),
                                     config.lookalike_share, config.same_length_share)
                group = None if chosen is None else self.label(self.task_for(rng, target, variables, inputs,
                                                                             outputs, chosen, made), target)
                if group is not None:
                    groups.append(group)
        return groups

    def pick_targets(self, rng: random.Random, entries: Sequence[PoolEntry]) -> list[Program]:
        """Distinct targets: pool programs (mostly strings) not constant, not an input copy, not
        mostly empty; some concatenations of small ones, with a separator or not."""
        config = self.config
        inputs = {e.vector for e in entries if isinstance(e.program.head, Var)}
        usable = [e for e in entries if e.type in (STRING, INT) and len(set(e.vector)) > 1 and e.vector not in inputs
                  and config.min_target_size <= e.program.size <= config.max_target_size
                  and sum(v != "" for v in e.vector) >= config.rows // 2]
        if not usable:
            return []
        pieces = [e.program for e in usable if e.type == STRING and e.program.size <= CONCAT_PART_SIZE]
        separators = [e.program for e in entries if isinstance(e.program.head, Const) and e.type == STRING
                      and e.program.head.value]
        weights = [(4.0 if e.type == STRING else 1.0) * min(e.program.size, 6) for e in usable]
        targets: list[Program] = []
        for _ in range(config.targets_per_pool):
            if self.concat is not None and len(pieces) > 1 and rng.random() < config.concatenated_share:
                parts = rng.sample(pieces, 2)
                if separators and rng.random() < 0.5:
                    parts.insert(1, rng.choice(separators))
                targets.append(right_nested(self.concat, parts))
            else:
                targets.append(rng.choices(usable, weights=weights)[0].program)
        return list(dict.fromkeys(targets))

    def task_for(self, rng: random.Random, target: Program, variables: tuple[Var, ...],
                 inputs: Sequence[tuple[Any, ...]], outputs: Sequence[Any], chosen: Rows, number: int) -> Task:
        """The target's task: examples, held-out rows as `tests`, some unlabelled rows."""
        config = self.config
        examples, rest = chosen
        held, spare = rest[:config.held_out], rest[config.held_out:]
        unlabelled = spare[:rng.randint(*config.unlabelled)]
        return Task(f"generated-{number}", variables, target.type,
                    tuple(Example(inputs[i], outputs[i]) for i in examples),
                    tests=tuple(Example(inputs[i], outputs[i]) for i in held),
                    unlabelled=tuple(inputs[i] for i in unlabelled))

    def label(self, task: Task, target: Program) -> RankingGroup | None:
        """Search the task; None when it found nothing."""
        probes, candidates = fitting_candidates(task, self.dsl, self.options)
        if not candidates:
            return None
        labels = tuple(int(right_on(c.program, task, task.tests)) for c in candidates)
        return RankingGroup(task, target, tuple(probes), tuple(candidates), labels)


def right_on(program: Program, task: Task, rows: Sequence[Example]) -> bool:
    """Does `program` give every row's output (an error counts as wrong)?"""
    try:
        return all(evaluate(program, task.env(row)) == row.output for row in rows)
    except Exception:
        return False


def generate_parallel(dsl_name: str, tasks: int, seed: int, jobs: int,
                      config: RankingDataConfig = RankingDataConfig(), first_chunk: int = 0,
                      progress: Callable[[str], None] | None = None,
                      executor: "Executor | None" = None) -> list[RankingGroup]:
    """`tasks` tasks in chunks of `CHUNK`, chunk c seeded `seed * 100_000 + first_chunk + c`, made
    on `executor` (`nesy.executors`: the process pool or Ray; default: `jobs` worker processes
    here, or this process for `jobs` 1): the same data whatever runs it (`EVALUATION_CHUNKS` as
    `first_chunk` gives tasks no training run of any seed sees). `progress` hears of each chunk
    done (minutes of work for a few thousand tasks)."""
    from nesy.executors import executor_or_pool, run_parts

    work = [(dsl_name, min(CHUNK, tasks - start), seed * 100_000 + first_chunk + start // CHUNK, config)
            for start in range(0, tasks, CHUNK)]
    started = time.monotonic()
    made = [0]

    def done(count: int, part: list[RankingGroup]) -> None:
        made[0] += len(part)
        if progress is not None:
            progress(f"  {min(count * CHUNK, tasks)}/{tasks} tasks generated "
                     f"({made[0]} with candidates, {time.monotonic() - started:.0f} s)")

    if executor is None and (jobs <= 1 or len(work) <= 1):
        parts = []
        for count, chunk in enumerate(work, 1):
            parts.append(_generate_part(chunk))
            done(count, parts[-1])
    else:
        from dsl.registry import get_dsl

        get_dsl(dsl_name)   # the results carry ops by signature: their DSL must be loaded here too
        with executor_or_pool(executor, min(jobs, len(work))) as runner:
            parts = run_parts(runner, _generate_part, work, "ranker data", on_part=done)
    return [group for part in parts for group in part]


def _generate_part(args: tuple[str, int, int, RankingDataConfig]) -> list[RankingGroup]:
    from dsl.registry import get_dsl

    dsl_name, tasks, seed, config = args
    return RankingDataGenerator(get_dsl(dsl_name), config).generate(tasks, seed)


def feature_arrays(groups: Sequence[RankingGroup]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (candidates, FEATURES), labels (candidates,) and each row's group index."""
    if not groups:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0, dtype=int)
    x = [candidate_features(g.task, g.probes, g.candidates) for g in groups]
    y = [np.asarray(g.labels, dtype=np.float64) for g in groups]
    index = [np.full(len(g.labels), i) for i, g in enumerate(groups)]
    return np.concatenate(x), np.concatenate(y), np.concatenate(index)


def describe(groups: Sequence[RankingGroup], tasks: int) -> dict[str, int]:
    """Counts for the card: tasks made, with candidates, with a right one, where picking matters."""
    return {"tasks": tasks, "with_candidates": len(groups),
            "with_a_right_candidate": sum(1 for g in groups if any(g.labels)),
            "ambiguous": sum(1 for g in groups if g.ambiguous),
            "candidates": sum(len(g.labels) for g in groups), "right_candidates": sum(sum(g.labels) for g in groups)}
