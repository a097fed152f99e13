"""The neuro-symbolic side of LPN: the searched latent proposes programs and prices the symbolic
enumeration, every program is executed on every given pair, and an answer says what it rests on.

For one task and its searched latent z:

1. the program head decodes rule lists from z (a beam over its slots); each is run with the DSL's
   own semantics on every given pair, and the ones that fit are verified programs;
2. if none fits, the rule prior (one probability per rule) sets the rule costs of the symbolic
   enumeration (`solvers.seqrules.enumeration`): rules the latent calls likely are cheap, so
   programs made of them come first, within the same candidate budget plain search gets;
3. among the verified programs (which all fit the given pairs but may differ elsewhere) the
   decoder picks the one whose output on the test input it finds most likely under z;
4. no verified program: the decoded output, marked "unverified neural output".
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from enum import Enum
from typing import Sequence

import torch

from dsl.core import Task, evaluate
from dsl.seqrules import DSL as SEQRULES
from dsl.seqrules import RULES, program_of
from solvers.seqrules.enumeration import MAX_LENGTH
from solvers.seqrules.front_end import search_rules
from nesy.latent.model import LatentProgramNetwork

PROPOSALS = 32                  # rule lists the program head proposes per task
CANDIDATES = 200_000            # rule-enumeration candidates per task
SOLUTIONS = 8                   # verified programs collected for the decoder to choose from
# Rule costs from the prior's ranking: the most likely CHEAP rules cost 1, the next MIDDLE 2, the rest 3.
CHEAP, MIDDLE = 6, 8


class AnswerKind(str, Enum):
    VERIFIED = "verified program"          # a program that fits every given pair, run on the test input
    NEURAL = "unverified neural output"    # the decoder's output: nothing checked it

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Answer:
    output: tuple[int, ...]
    kind: AnswerKind
    program_text: str = ""
    source: str = ""                       # "proposal", "enumeration" or "decoder"
    candidates: int = 0                    # enumeration candidates spent


def fits(rules: Sequence[int], task: Task) -> bool:
    """The rule list maps every given input to its output (the DSL's Python semantics)."""
    program = program_of([RULES[i] for i in rules], task.inputs[0].name)
    return all(evaluate(program, task.env(e)) == e.output for e in task.examples)


def run_program(rules: Sequence[int], sequence: Sequence[int]) -> tuple[int, ...]:
    return evaluate(program_of([RULES[i] for i in rules]), {"x0": tuple(sequence)})


def beam_programs(slot_logits: torch.Tensor, beam: int = PROPOSALS) -> list[tuple[list[int], float]]:
    """The `beam` most likely rule lists (1 to `slots` rules) under the program head's per-slot
    distributions (slot_logits: (slots, rules + 1), the last class ends the list)."""
    logp = torch.log_softmax(slot_logits, dim=-1).tolist()
    end = len(logp[0]) - 1
    live: list[tuple[float, list[int]]] = [(0.0, [])]
    done: list[tuple[float, list[int]]] = []
    for slot in logp:
        grown = []
        for score, rules in live:
            if rules:
                done.append((score + slot[end], rules))
            grown += [(score + slot[r], rules + [r]) for r in range(end)]
        live = heapq.nlargest(beam, grown, key=lambda item: item[0])
    done += live
    return [(rules, score) for score, rules in heapq.nlargest(beam, done, key=lambda item: item[0])]


def rule_costs(probabilities: Sequence[float], cheap: int = CHEAP, middle: int = MIDDLE) -> list[int]:
    """Costs 1 / 2 / 3 by the prior's ranking of the rules."""
    order = sorted(range(len(probabilities)), key=lambda r: -probabilities[r])
    costs = [3] * len(probabilities)
    for rank, rule in enumerate(order):
        costs[rule] = 1 if rank < cheap else 2 if rank < cheap + middle else 3
    return costs


def neurosymbolic_answer(net: LatentProgramNetwork, task: Task, z: torch.Tensor, test_input: Sequence[int],
                         candidates: int = CANDIDATES, proposals: int = PROPOSALS,
                         costs: Sequence[int] | None = None) -> Answer:
    """The answer for one test input of `task` given its searched latent z (Z,)."""
    with torch.no_grad():
        zb = z[None]
        verified = [rules for rules, _ in beam_programs(net.slot_logits(zb)[0], proposals) if fits(rules, task)]
        source, spent = "proposal", 0
        if not verified:
            if costs is None:
                costs = rule_costs(torch.sigmoid(net.rule_logits(zb))[0].tolist())
            outcome = search_rules(task, costs, solutions=SOLUTIONS, max_length=MAX_LENGTH, seconds=math.inf,
                                   max_candidates=candidates)
            verified = [rules for rules in outcome.programs if fits(rules, task)]
            source, spent = "enumeration", outcome.candidates
        x = torch.tensor([[list(test_input)]])
        if not verified:
            guess = tuple(net.decode(x, zb)[0, 0].tolist())
            return Answer(guess, AnswerKind.NEURAL, source="decoder", candidates=spent)
        outputs = [run_program(rules, test_input) for rules in verified]
        scores = net.pair_log_likelihood(x.expand(len(outputs), 1, -1), torch.tensor(outputs)[:, None],
                                         zb.expand(len(outputs), -1))[:, 0]
        pick = int(scores.argmax())
        text = SEQRULES.print(program_of([RULES[i] for i in verified[pick]]))
        return Answer(tuple(outputs[pick]), AnswerKind.VERIFIED, text, source, spent)
