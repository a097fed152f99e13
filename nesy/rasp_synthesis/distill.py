"""Distil a sequence model into a RASP program: query it, synthesize from what it does, and
compare program and model on every input up to a length (a seeded sample beyond a count).

The model is anything that maps a batch of same-length token lists to per-position outputs: a
compiled RASP model read back from its file (`CompiledModelQuery`), or any torch module wrapped by
the caller. Examples are drawn seeded and picked across the kinds of output the model gives (so
a mostly-False detector still shows its True cases); inputs on which the program disagrees with
the model join the examples and search runs again (counterexample-guided), a few rounds at most.

    >>> from nesy.compiler import compile_rasp
    >>> model = compile_rasp("aggregate(select(indices, length - indices - 1, ==), tokens);", "a,b", 4)
    >>> found = distill(model.run, ["a", "b"], 4, timeout=20)
    >>> found.agrees, found.exhaustive, found.inputs
    (True, True, 30)
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from dsl.core import Example, Var
from dsl.errors import NesyInputError
from dsl.rasp import load, run
from dsl.rasp.search_ops import CAT, TARGET
from dsl.rasp.tasks import SequenceTask
from dsl.rasp.values import Value, identity_key, parse_number
from solvers.search.result import Result

Query = Callable[[list[list[Value]]], list[list[Value]]]   # same-length token lists -> outputs
EXHAUSTIVE_LIMIT = 200_000
SAMPLES = 5000
BATCH = 512


@dataclass
class Distillation:
    """What distillation found: the result of the last search round, and how program and model
    compare on every input up to max_len (or a sample: `exhaustive` False)."""

    result: Result
    rounds: int
    exhaustive: bool = False
    inputs: int = 0
    disagreements: int = 0
    examples: list[tuple[list[Value], list[Value], list[Value]]] = field(default_factory=list)  # input, model, program

    @property
    def agrees(self) -> bool:
        return self.result.found and self.inputs > 0 and self.disagreements == 0

    def __str__(self) -> str:
        lines = [str(self.result), f"search rounds: {self.rounds}"]
        if self.result.found:
            domain = f"all {self.inputs} inputs up to the max length" if self.exhaustive else \
                f"{self.inputs} sampled inputs (more than {EXHAUSTIVE_LIMIT:,} exist)"
            lines.append(f"program == model on {domain}: {self.inputs - self.disagreements}/{self.inputs} agree")
            for tokens, model, program in self.examples[:5]:
                lines.append(f"  input {tokens}: model {model}, program {program}")
        return "\n".join(lines)


def distill(query: Query, vocab: Sequence[Value], max_len: int, examples: int = 12, tests: int = 20,
            timeout: float = 60.0, rounds: int = 3, seed: int = 0, limit: int = EXHAUSTIVE_LIMIT,
            samples: int = SAMPLES) -> Distillation:
    """Synthesize a RASP program that behaves as `query` on inputs over `vocab` up to `max_len`."""
    from dsl.registry import get_dsl
    from solvers.search.driver import SynthesisOptions, synthesize_task
    from solvers.search.enumeration import SearchConfig

    if not vocab or max_len < 1 or rounds < 1:
        raise NesyInputError("distillation needs a non-empty vocabulary, max_len >= 1 and rounds >= 1")
    rng = random.Random(seed)
    train = _picked(query, vocab, max_len, examples + tests, rng)
    task = SequenceTask("distilled", (Var("tokens", CAT),), TARGET, tuple(train[:examples]),
                        tuple(train[examples:]), vocab=tuple(vocab), max_len=max_len)
    options = SynthesisOptions(config=SearchConfig(timeout=timeout))
    for round_ in range(1, rounds + 1):
        result = synthesize_task(task, get_dsl("rasp"), options)
        distillation = Distillation(result, round_)
        if not result.found:
            break
        _compare(distillation, load(result.program_text), query, vocab, max_len, limit, samples, seed)
        if distillation.agrees:
            break
        wrong = [Example((tuple(tokens),), tuple(model)) for tokens, model, _ in distillation.examples[:3]]
        task = SequenceTask(task.name, task.inputs, task.output_type, task.examples + tuple(wrong), task.tests,
                            vocab=task.vocab, max_len=max_len)
    return distillation


def _picked(query: Query, vocab: Sequence[Value], max_len: int, count: int, rng: random.Random) -> list[Example]:
    """`count` distinct random inputs and the model's outputs, round-robin over output kinds."""
    drawn: dict[tuple, None] = {}
    for _ in range(20 * count):
        drawn[tuple(rng.choice(vocab) for _ in range(rng.randint(1, max_len)))] = None
    by_kind: dict[tuple, list[Example]] = {}
    for tokens, output in zip(drawn, _outputs(query, [list(t) for t in drawn])):
        kind = tuple(sorted({repr(identity_key(v)) for v in output}))
        by_kind.setdefault(kind, []).append(Example((tokens,), tuple(output)))
    queues = [by_kind[k] for k in sorted(by_kind)]
    picked: list[Example] = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return picked


def _outputs(query: Query, inputs: list[list[Value]]) -> list[list[Value]]:
    """The model's outputs, asked in batches of one length."""
    by_length: dict[int, list[int]] = {}
    for index, tokens in enumerate(inputs):
        by_length.setdefault(len(tokens), []).append(index)
    outputs: list[list[Value]] = [[] for _ in inputs]
    for indices in by_length.values():
        for start in range(0, len(indices), BATCH):
            chunk = indices[start:start + BATCH]
            for index, output in zip(chunk, query([inputs[i] for i in chunk])):
                outputs[index] = list(output)
    return outputs


def _compare(distillation: Distillation, program, query: Query, vocab: Sequence[Value], max_len: int,
             limit: int, samples: int, seed: int) -> None:
    total = sum(len(vocab) ** n for n in range(1, max_len + 1))
    distillation.exhaustive = total <= limit
    if distillation.exhaustive:
        domain = [list(t) for n in range(1, max_len + 1) for t in itertools.product(vocab, repeat=n)]
    else:
        rng = random.Random(seed + 1)
        domain = [[rng.choice(vocab) for _ in range(rng.randint(1, max_len))] for _ in range(samples)]
    for tokens, model in zip(domain, _outputs(query, domain)):
        try:
            mine = run(program, tokens)
        except NesyInputError as error:
            mine = [f"error: {error}"]
        distillation.inputs += 1
        if [identity_key(v) for v in mine] != [identity_key(v) for v in model]:
            distillation.disagreements += 1
            if len(distillation.examples) < 10:
                distillation.examples.append((tokens, list(model), list(mine)))


class CompiledModelQuery:
    """A compiled RASP model read from its file (`nesy rasp compile --out`), asked as a black box:
    token ids in, the output directions of its last residual stream decoded (the file's metadata
    says which direction is which value)."""

    def __init__(self, path: str | Path) -> None:
        from nesy.compiler.assemble import Readout
        from nesy.compiler.files import load_model

        self.module, metadata = load_model(path)
        self.vocab = [metadata_value(v) for v in metadata["vocab"]]
        self.max_len = metadata["max_len"]
        output = metadata["output"]
        self.readout = Readout(output["label"], output["numerical"], [metadata_value(v) for v in output["values"]],
                               output["columns"], self.max_len)
        self.ids = {identity_key(v): i + 1 for i, v in enumerate(self.vocab)}

    def __call__(self, batch: list[list[Value]]) -> list[list[Value]]:
        import torch

        ids = torch.tensor([[0] + [self.ids[identity_key(t)] for t in tokens] for tokens in batch])
        with torch.no_grad():
            return self.readout.decode(self.module(ids))


def metadata_value(text: str) -> Value:
    """A value as the model's metadata writes it (`format_value`): None, true/false, numbers, text."""
    if text == "None":
        return None
    if text in ("true", "false"):
        return text == "true"
    number = parse_number(text)
    return text if number is None else number
