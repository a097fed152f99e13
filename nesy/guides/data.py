"""Training data for the guide, made from the DSL alone (BUSTLE's recipe, no benchmark task read).

One *pool* per random input set: bottom-up search (the real enumerator, with a candidate budget and
a target nothing matches) builds every distinct value it can on train + held-out inputs. Programs
from that pool become random *target* programs; their outputs make a task. For each target:

- the values search would hold on the **train** examples alone are the pool's first program per
  train-projection (the enumerator keeps exactly the first program per vector, cheapest first);
- each sub-expression of the target is looked up there: its representative is **positive** when it
  also behaves like the sub-expression on the held-out inputs, and **negative** when it only fits
  the train examples (an over-fitting look-alike: this is how the guide learns to prefer values
  that generalise);
- other values of no greater cost are sampled as negatives.

Each target also gives one op-prior example: the task's signature and the set of ops it uses.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from dsl.core import INT, STRING, Const, Dsl, Example, Op, Program, Task, Type, Var
from nesy.guides.inputs import InputSampler
from nesy.guides.signatures import SignatureEncoder
from solvers.search.enumeration import BottomUpSearch, Leaf, SearchConfig, leaves_for
from solvers.search.value_pool import Vector

if TYPE_CHECKING:
    from nesy.executors import Executor

_NO_TARGET = "\u0000no target\u0000"   # an output no value equals, so pool search never stops early


@dataclass
class PoolEntry:
    type: Type
    vector: Vector
    program: Program
    level: int


class RecordingGuide:
    """A guide that changes nothing and writes down every value, level by level, in search order."""

    def __init__(self, leaves: Sequence[Leaf]) -> None:
        self.entries: list[PoolEntry] = []
        self._cost: dict[Program, int] = {leaf.program: leaf.cost for leaf in leaves}

    def op_costs(self, task: Task, ops: Sequence[Op]) -> dict[Op, int]:
        return {op: op.cost for op in ops}

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> list[int]:
        for vector, program in zip(vectors, programs):
            self.entries.append(PoolEntry(type_, vector, program, self._level_of(program)))
        return [0] * len(vectors)

    def _level_of(self, program: Program) -> int:
        """A value's cost level: its op's cost plus its children's (children are recorded first)."""
        cost = self._cost.get(program)
        if cost is None:
            cost = program.head.cost + sum(self._level_of(c) for c in program.children)  # type: ignore[union-attr]
            self._cost[program] = cost
        return cost


@dataclass
class LabelledValue:
    """One training value, kept for inspection and tests: `stands_for` is the target's
    sub-expression it was looked up for (None for sampled negatives); `task` holds the train
    examples and `held_out` the inputs the label's generalisation check used."""

    program: Program
    label: int
    stands_for: Program | None
    target: Program
    task: Task
    held_out: tuple[Example, ...]


@dataclass
class GuideData:
    """Feature matrices and labels: values (for the value scorer) and tasks (for the op prior)."""

    value_x: np.ndarray          # (values, encoder.value_width) float32
    value_y: np.ndarray          # (values,) float32, 1 = useful
    task_x: np.ndarray           # (tasks, encoder.task_width) float32
    op_y: np.ndarray             # (tasks, ops) float32, 1 = op occurs in the target
    examples: list[LabelledValue] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.value_y)

    @staticmethod
    def concatenate(parts: Sequence["GuideData"]) -> "GuideData":
        return GuideData(np.concatenate([p.value_x for p in parts]), np.concatenate([p.value_y for p in parts]),
                         np.concatenate([p.task_x for p in parts]), np.concatenate([p.op_y for p in parts]),
                         [e for p in parts for e in p.examples])


@dataclass(frozen=True)
class DataConfig:
    """Sizes of the generated data; defaults make ~100k values in a few minutes on 2 cores."""

    train_examples: tuple[int, int] = (2, 4)     # inclusive range of train examples per task
    held_out_examples: int = 3
    pool_candidates: int = 40_000               # enumeration budget per pool
    targets_per_pool: int = 25
    negatives_per_positive: int = 3
    min_target_size: int = 2
    max_target_size: int = 10
    keep_examples: bool = False                  # keep LabelledValue records (tests, inspection)


class GuideDataGenerator:
    """Makes labelled values for a DSL: `generate(values, seed)`.

    Example:
        >>> from dsl.strings import STRINGS
        >>> data = GuideDataGenerator(STRINGS).generate(300, seed=0)
        >>> data.value_x.shape[1] == SignatureEncoder([op.signature for op in STRINGS.ops]).value_width
        True
    """

    def __init__(self, dsl: Dsl, config: DataConfig = DataConfig()) -> None:
        self.dsl = dsl
        self.config = config
        self.ops = list(dsl.default_search_ops)
        self.encoder = SignatureEncoder([op.signature for op in dsl.ops])
        self._op_index = {op.signature: i for i, op in enumerate(dsl.ops)}
        self._types = {t for op in self.ops for t in (*op.arg_types, op.return_type)}

    def generate(self, values: int, seed: int) -> GuideData:
        """At least `values` labelled values (fewer only if pools keep coming out empty)."""
        rng = random.Random(seed)
        parts: list[GuideData] = []
        total, attempts = 0, 0
        while total < values and attempts < 50 + values // 10:
            attempts += 1
            part = self.from_pool(rng)
            if part is not None:
                parts.append(part)
                total += len(part)
        if not parts:
            raise RuntimeError("the generator produced no labelled values (does the DSL have string ops?)")
        return GuideData.concatenate(parts)

    # -- one pool ---------------------------------------------------------------------------------

    def build_pool(self, rng: random.Random) -> tuple[tuple[Var, ...], list[Example], int, list[PoolEntry]]:
        """Random inputs, then every value enumeration reaches within the candidate budget."""
        config = self.config
        sampler = InputSampler(rng)
        n_train = rng.randint(*config.train_examples)
        n_total = n_train + config.held_out_examples
        types = sampler.input_types(self._types)
        columns = [sampler.column(t, n_total) for t in types]
        variables = tuple(Var(f"x{i}", t) for i, t in enumerate(types))
        examples = [Example(tuple(c[k] for c in columns), _NO_TARGET) for k in range(n_total)]
        task = Task("pool", variables, STRING, tuple(examples))
        delimiters = sorted({ch for c in columns for v in c if isinstance(v, str) for ch in v
                             if not ch.isalnum() and ch != " "})
        extra = [Const(ch, STRING) for ch in rng.sample(delimiters, min(3, len(delimiters)))]
        leaves = leaves_for(variables, list(self.dsl.constants), extra_constants=extra, extra_cost=2)
        recorder = RecordingGuide(leaves)
        search_config = SearchConfig(timeout=30.0, max_candidates=config.pool_candidates, max_memory_mb=None,
                                     unify=False, joins=False, max_cost=12)
        BottomUpSearch(self.ops, leaves, search_config, recorder, value_filters=self.dsl.value_filters).run(task)
        return variables, examples, n_train, recorder.entries

    def from_pool(self, rng: random.Random) -> GuideData | None:
        variables, examples, n_train, entries = self.build_pool(rng)
        by_program = {e.program: e for e in entries}
        train_first: dict[tuple[Type, Vector], PoolEntry] = {}
        for entry in entries:
            train_first.setdefault((entry.type, entry.vector[:n_train]), entry)
        train_pool = list(train_first.values())
        targets = self._pick_targets(rng, entries, variables, n_train)
        value_rows, labels, task_rows, op_rows, kept = [], [], [], [], []
        for target in targets:
            task = Task("generated", variables, target.type,
                        tuple(Example(x.inputs, out) for x, out in zip(examples[:n_train], target.vector)))
            picked = self._label_target(rng, target, by_program, train_first, train_pool, n_train)
            if not picked:
                continue
            for type_ in sorted({entry.type for entry, _, _ in picked}):
                group = [(entry, label, sub) for entry, label, sub in picked if entry.type == type_]
                value_rows.append(self.encoder.encode_values(task, type_, [e.vector for e, _, _ in group],
                                                              [e.program for e, _, _ in group], examples=n_train))
                labels += [label for _, label, _ in group]
                if self.config.keep_examples:
                    kept += [LabelledValue(e.program, label, sub, target.program, task, tuple(examples[n_train:]))
                             for e, label, sub in group]
            task_rows.append(self.encoder.encode_task(task))
            op_rows.append(self._op_labels(target.program))
        if not labels:
            return None
        return GuideData(np.concatenate(value_rows), np.asarray(labels, dtype=np.float32),
                         np.asarray(task_rows, dtype=np.float32), np.asarray(op_rows, dtype=np.float32), kept)

    def _pick_targets(self, rng: random.Random, entries: list[PoolEntry], variables: Sequence[Var],
                      n_train: int) -> list[PoolEntry]:
        """Programs worth learning from: mostly string outputs, not constant, not an input copy."""
        config = self.config
        inputs = {tuple(e.vector) for e in entries if e.program.size == 1 and isinstance(e.program.head, Var)}
        candidates = [e for e in entries
                      if e.type in (STRING, INT) and config.min_target_size <= e.program.size <= config.max_target_size
                      and len(set(e.vector)) > 1 and tuple(e.vector) not in inputs
                      and not (e.type == STRING and sum(1 for x in e.vector[:n_train] if x) < n_train)]
        if not candidates:
            return []
        weights = [(4.0 if e.type == STRING else 1.0) * min(e.program.size, 6) for e in candidates]
        chosen = rng.choices(candidates, weights=weights, k=config.targets_per_pool)
        unique = {id(e): e for e in chosen}
        return list(unique.values())

    def _label_target(self, rng: random.Random, target: PoolEntry, by_program: dict[Program, PoolEntry],
                      train_first: dict[tuple[Type, Vector], PoolEntry], train_pool: list[PoolEntry],
                      n_train: int) -> list[tuple[PoolEntry, int, Program | None]]:
        picked: list[tuple[PoolEntry, int, Program | None]] = []
        used: set[int] = set()
        for sub in dict.fromkeys(target.program.subprograms()):   # ordered: same seed, same data
            entry = by_program.get(sub)
            if entry is None:   # a leaf search did not keep (a duplicate constant)
                continue
            representative = train_first[(entry.type, entry.vector[:n_train])]
            if id(representative) in used:
                continue
            used.add(id(representative))
            picked.append((representative, int(representative.vector == entry.vector), sub))
        wanted = self.config.negatives_per_positive * len(picked)
        eligible = [e for e in train_pool if e.level <= target.level + 1]
        for entry in rng.sample(eligible, min(len(eligible), wanted + len(picked))):
            if id(entry) not in used and len(picked) < wanted + len(used):
                used.add(id(entry))
                picked.append((entry, 0, None))
        return picked

    def _op_labels(self, program: Program) -> list[float]:
        row = [0.0] * len(self._op_index)
        for op in program.ops():
            index = self._op_index.get(op.signature)
            if index is not None:
                row[index] = 1.0
        return row


def generate_parallel(dsl_name: str, values: int, seed: int, jobs: int,
                      config: DataConfig = DataConfig(), executor: "Executor | None" = None) -> GuideData:
    """`values` labelled values made in `jobs` parts, each with its own seed (seed*1000 + part), on
    `executor` (`nesy.executors`: the process pool or Ray; default: `jobs` worker processes here).
    The parts depend on their seeds alone, so the data is the same whichever runs them."""
    if jobs <= 1 and executor is None:
        return _generate_part((dsl_name, values, seed * 1000, config))
    share = -(-values // jobs)
    work = [(dsl_name, share, seed * 1000 + j, config) for j in range(jobs)]
    from nesy.executors import executor_or_pool, run_parts

    with executor_or_pool(executor, jobs) as runner:
        return GuideData.concatenate(run_parts(runner, _generate_part, work, "guide data"))


def _generate_part(args: tuple[str, int, int, DataConfig]) -> GuideData:
    from dsl.registry import get_dsl

    dsl_name, values, seed, config = args
    return GuideDataGenerator(get_dsl(dsl_name), config).generate(values, seed)


def describe(data: GuideData) -> dict[str, Any]:
    """Counts for the weights card."""
    return {"values": int(len(data)), "positives": int(data.value_y.sum()), "tasks": int(len(data.task_x))}
