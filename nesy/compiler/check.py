"""Exactness: the compiled model against the interpreter, on every input up to max_len when
there are few enough, on a seeded random sample otherwise."""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Iterator

import torch

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.interpreter import run
from dsl.rasp.values import Value, format_value, identity_key, is_number
from nesy.compiler.assemble import Compiled

EXHAUSTIVE_LIMIT = 200_000
NUMERIC_TOLERANCE = 1e-4
BATCH = 512


@dataclass
class CheckReport:
    inputs_checked: int
    exact: int
    exhaustive: bool
    mismatches: list[tuple[list[Value], list[Value], list[Value]]] = field(default_factory=list)

    @property
    def exact_fraction(self) -> float:
        return self.exact / self.inputs_checked if self.inputs_checked else 1.0

    def __str__(self) -> str:
        how = "all inputs" if self.exhaustive else "sampled inputs"
        text = f"{self.exact}/{self.inputs_checked} {how} exact ({100 * self.exact_fraction:.2f}%)"
        for tokens, want, got in self.mismatches[:3]:
            text += (f"\n  input {' '.join(map(format_value, tokens))}: interpreter "
                     f"{[format_value(v) for v in want]}, model {[format_value(v) for v in got]}")
        return text


def count_inputs(vocab_size: int, max_len: int) -> int:
    return sum(vocab_size ** n for n in range(1, max_len + 1))


def inputs(vocab: tuple[Value, ...], max_len: int, limit: int, samples: int, seed: int) -> tuple[bool, Iterator]:
    """(exhaustive?, batches of same-length inputs)."""
    if count_inputs(len(vocab), max_len) <= limit:
        def every() -> Iterator[list[list[Value]]]:
            for n in range(1, max_len + 1):
                yield from _chunks(itertools.product(vocab, repeat=n))
        return True, every()
    rng = random.Random(seed)
    lengths = [rng.randint(1, max_len) for _ in range(samples)]

    def sampled() -> Iterator[list[list[Value]]]:
        for n in sorted(set(lengths)):
            yield from _chunks((tuple(rng.choice(vocab) for _ in range(n)) for _ in range(lengths.count(n))))
    return False, sampled()


def _chunks(items) -> Iterator[list[list[Value]]]:
    while chunk := [list(x) for x in itertools.islice(items, BATCH)]:
        yield chunk


def same(want: Value, got: Value, numerical: bool) -> bool:
    if numerical:
        if not is_number(want):
            return False
        return math.isclose(float(want), float(got), rel_tol=NUMERIC_TOLERANCE, abs_tol=NUMERIC_TOLERANCE)
    return identity_key(want) == identity_key(got)


def check(compiled: Compiled, program: ir.SOp, limit: int = EXHAUSTIVE_LIMIT, samples: int = 2000,
          seed: int = 0, progress=None) -> CheckReport:
    """Compare model and interpreter; `progress` (a tqdm) is advanced per input."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # these models are small: threads only contend
    try:
        return _check(compiled, program, limit, samples, seed, progress)
    finally:
        torch.set_num_threads(threads)


def _check(compiled: Compiled, program: ir.SOp, limit: int, samples: int, seed: int, progress) -> CheckReport:
    exhaustive, batches = inputs(compiled.vocab, compiled.max_len, limit, samples, seed)
    report = CheckReport(0, 0, exhaustive)
    numerical = compiled.readout.numerical
    for batch in batches:
        outputs = compiled.run(batch)
        for tokens, got in zip(batch, outputs):
            try:
                want = run(program, tokens)
            except NesyInputError:
                continue  # the program itself fails on this input: nothing to compare
            report.inputs_checked += 1
            if all(same(w, g, numerical) for w, g in zip(want, got)):
                report.exact += 1
            elif len(report.mismatches) < 10:
                report.mismatches.append((tokens, want, got))
        if progress is not None:
            progress.update(len(batch))
    return report
