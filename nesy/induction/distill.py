"""Distil a trained network into a RASP program and prove how far they agree.

The network is asked as a black box through a query (same-length token lists -> outputs): the NTM
copies bytes (a token is a byte, written as its 8 bits), the Pointer Network sorts or reverses bytes
(fed as byte / 256; its pointers are read back as the tokens they point at). From the answers,
`nesy.rasp_synthesis.distill` synthesizes a RASP program and compares it with the network on every
input over the vocabulary up to max_len (the first disagreement is the smallest input where they
differ: inputs are compared shortest first); `nesy.rasp_synthesis.proof.prove` compiles the program
back to transformer weights and checks weights == program on the same inputs. Then network and
program are each scored against the true function at the train length, 2x and 4x.

    >>> found = distill_network("copy", lambda batch: [list(t) for t in batch], [1, 2], 3, train_length=2,
    ...                         samples=20, timeout=20)
    >>> found.program, found.agrees, found.compiled_ok, found.accuracy["program"]
    ('output = tokens;', True, True, {'2': 1.0, '4': 1.0, '8': 1.0})
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from dsl.errors import NesyInputError

VOCAB = (60, 90, 165, 195)     # four bytes far apart: distinct bit patterns and sort keys
TRUTH: dict[str, Callable[[list], list]] = {"copy": list, "reverse": lambda t: list(t)[::-1], "sort": sorted}


class NTMCopyQuery:
    """A copy-trained NTM asked on byte tokens: 8 bits in, 8 bits out, read back as a byte."""

    def __init__(self, model) -> None:
        self.model = model.eval()

    def __call__(self, batch: list[list[int]]) -> list[list[int]]:
        from nesy.induction.tasks import copy_inputs
        from nesy.induction.train import ntm_outputs

        bits = np.unpackbits(np.array(batch, dtype=np.uint8)[:, :, None], axis=2).astype(np.float32)
        with torch.no_grad():
            guess = (ntm_outputs(self.model, copy_inputs(bits)) > 0).numpy().astype(np.uint8)
        return np.packbits(guess, axis=2)[:, :, 0].astype(int).tolist()


class PointerQuery:
    """A sort- or reverse-trained Pointer Network asked on byte tokens (fed as byte / 256); each
    output position holds the token its pointer names."""

    def __init__(self, model) -> None:
        self.model = model.eval()

    def __call__(self, batch: list[list[int]]) -> list[list[int]]:
        x = torch.tensor(batch, dtype=torch.float32).unsqueeze(-1) / 256
        pointers = self.model.decode(x).tolist()
        return [[tokens[p - 1] for p in row if p > 0] for tokens, row in zip(batch, pointers)]


@dataclass
class DistilledNetwork:
    task: str
    program: str | None
    agrees: bool                  # program == network on every compared input
    exhaustive: bool              # ... and those were every input up to max_len
    max_len: int
    inputs: int
    first_difference: str
    compiled_ok: bool             # compiled weights == program (nesy.rasp_synthesis.proof)
    layers: int
    accuracy: dict = field(default_factory=dict)   # {"network": {length: share}, "program": {...}}

    @property
    def status(self) -> str:
        if self.program is None:
            return "no program found"
        if not self.agrees:
            return f"differs: {self.first_difference}"
        scope = f"every input up to length {self.max_len}" if self.exhaustive else f"{self.inputs} sampled inputs"
        return f"program == network on {scope}" + ("; weights == program" if self.compiled_ok else "; not compiled")

    def as_dict(self) -> dict:
        return {**asdict(self), "status": self.status}


def distill_network(task: str, query, vocab: Sequence[int] = VOCAB, max_len: int = 6, train_length: int = 10,
                    samples: int = 200, timeout: float = 60.0, seed: int = 0) -> DistilledNetwork:
    """Synthesize, compare exhaustively up to max_len, compile and prove, and score network and
    program against the true function on `samples` random inputs at 1x, 2x and 4x train_length."""
    from dsl.rasp import load, run
    from dsl.rasp.tasks import SequenceTask
    from dsl.core import Example, Var
    from dsl.rasp.search_ops import CAT, TARGET
    from nesy.rasp_synthesis.distill import distill
    from nesy.rasp_synthesis.proof import prove

    if task not in TRUTH:
        raise NesyInputError(f"distillation is for {', '.join(TRUTH)}; got {task!r}")
    found = distill(query, list(vocab), max_len, timeout=timeout, seed=seed)
    program = found.result.program_text.strip() if found.result.found else None
    difference = ""
    if found.examples:
        tokens, model, mine = found.examples[0]
        difference = f"on {tokens} the network gives {model}, the program {mine}"
    compiled_ok, layers = False, 0
    if program is not None:
        examples = tuple(Example((tuple(t),), tuple(query([list(t)])[0]))
                         for t in ([vocab[0]], list(vocab)[:max_len]))
        proof = prove(SequenceTask(f"distilled-{task}", (Var("tokens", CAT),), TARGET, examples, (),
                                   vocab=tuple(vocab), max_len=max_len), program)
        compiled_ok, layers = proof.compiled and proof.model_equals_program, proof.layers
    rng = random.Random(seed + 2)
    accuracy: dict = {"network": {}, "program": {}}
    parsed = load(program) if program else None
    for length in (train_length, 2 * train_length, 4 * train_length):
        inputs = [[rng.choice(vocab) for _ in range(length)] for _ in range(samples)]
        truth = [TRUTH[task](t) for t in inputs]
        network = query(inputs)
        accuracy["network"][str(length)] = round(float(np.mean([a == b for a, b in zip(network, truth)])), 4)
        if parsed is not None:
            mine = [run(parsed, t) for t in inputs]
            accuracy["program"][str(length)] = round(float(np.mean([list(a) == b for a, b in zip(mine, truth)])), 4)
    return DistilledNetwork(task, program, found.agrees, found.exhaustive, max_len, found.inputs, difference,
                            compiled_ok, layers, accuracy)
