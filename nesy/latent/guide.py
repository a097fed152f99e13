"""`--guide latent`: LPN behind the `Guide` protocol search already calls (solvers/search/guide.py).

`op_costs` encodes the task's pairs, runs the gradient search on z, and prices each op by the
rule prior the searched latent predicts (`nesy.latent.coupling.rule_costs`: the likeliest rules
cost 1, the next ones 2, the rest 3). `value_penalties` delays nothing. Only DSLs with shipped
latent weights have this guide (seqrules); asking it of another DSL is an input error.

    >>> from dsl.seqrules import DSL
    >>> from dsl.seqrules.generator import generate
    >>> import nesy
    >>> task = generate(1, 3, lengths=(3,))[0]
    >>> nesy.synthesize(task, dsl="seqrules", guide=LatentGuide.for_dsl(DSL)).verified   # doctest: +SKIP
    True
"""
from __future__ import annotations

from typing import Mapping, Sequence

import torch

from dsl.core import Dsl, Op, Program, Task, Type
from dsl.errors import NesyInputError
from nesy.latent.coupling import rule_costs
from nesy.latent.domains import get_domain
from nesy.latent.model import LatentProgramNetwork
from nesy.latent.search import gradient_search
from solvers.search.value_pool import Vector

GUIDE_STEPS = 10               # test-time steps before the prior is read


class LatentGuide:
    """Rule costs from LPN's searched latent, for one DSL whose ops are the network's rules."""

    def __init__(self, net: LatentProgramNetwork, dsl: Dsl, steps: int = GUIDE_STEPS, lr: float = 0.1) -> None:
        if not net.config.rules or len(dsl.ops) != net.config.rules:
            raise NesyInputError(f"these LPN weights score {net.config.rules} rules, but {dsl.name} has "
                                 f"{len(dsl.ops)} ops")
        self.net, self.dsl, self.steps, self.lr = net, dsl, steps, lr
        self.domain = get_domain(dsl.name)

    @classmethod
    def for_dsl(cls, dsl: Dsl) -> "LatentGuide":
        """The guide of the shipped weights (datasets/latent/<dsl>.pt)."""
        from nesy.latent.domains import DOMAINS
        from nesy.latent.evaluation import default_weights
        from nesy.latent.train import load

        if dsl.name not in DOMAINS:
            raise NesyInputError(f"--guide latent: no latent program network for DSL {dsl.name!r} "
                                 f"(built for: {', '.join(DOMAINS)})")
        return cls(load(default_weights(dsl.name), dsl.name), dsl)

    def rule_probabilities(self, task: Task) -> list[float]:
        batch = self.domain.tensors([task])
        found = gradient_search(self.net, batch.x, batch.y, [self.steps], lr=self.lr)
        with torch.no_grad():
            return torch.sigmoid(self.net.rule_logits(found.best[self.steps]))[0].tolist()

    def op_costs(self, task: Task, ops: Sequence[Op]) -> Mapping[Op, int]:
        costs = dict(zip(self.dsl.ops, rule_costs(self.rule_probabilities(task))))
        return {op: costs.get(op, op.cost) for op in ops}

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> Sequence[int]:
        return [0] * len(vectors)
