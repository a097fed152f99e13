"""Every output of a trained network checked symbolically, on seeded held-out inputs, with a failure
report by size and by input feature and the failing inputs kept.

    >>> import numpy as np
    >>> from nesy.induction.tasks import sort_batch
    >>> batch = sort_batch(np.random.default_rng(0), 2, 3)
    >>> [v.ok for v in verdicts("sort", batch, [list(batch.targets[0][:3]), list(batch.targets[1][:3])[::-1]])]
    [True, False]
"""
from __future__ import annotations

import numpy as np
import torch

from nesy.induction import checkers, tasks


def verdicts(task: str, batch: tasks.PointerBatch, answers: list[list[int]]) -> list[checkers.Verdict]:
    """One verdict per instance: the checker of the task on the network's pointers."""
    if task == "sort":
        return [checkers.check_sort(list(v), a) for v, a in zip(batch.exact.tolist(), answers)]
    if task == "reverse":
        return [checkers.check_reverse(list(v), a) for v, a in zip(batch.exact.tolist(), answers)]
    if task == "hull":
        return [checkers.check_hull(p, a) for p, a in zip(batch.exact.tolist(), answers)]
    if task == "tsp":
        _, best = tasks.optimal_tours(batch.exact)
        return [checkers.check_tour(p, a, float(o)) for p, a, o in zip(batch.exact.tolist(), answers, best)]
    raise ValueError(task)


def _feature(task: str, batch: tasks.PointerBatch, index: int) -> str:
    if task == "sort":
        return checkers.features_gap(batch.exact[index])
    if task == "hull":
        size = int((batch.targets[index] > 0).sum())
        return checkers.features_hull(batch.exact[index], size)
    if task == "tsp":
        return f"n={batch.exact.shape[1]}"
    return f"distinct tokens {len(set(batch.exact[index].tolist()))}"


def evaluate_pointer(model, task: str, sizes: list[int], instances: int = 500, seed: int = 12345,
                     chunk: int = 250) -> tuple[dict, checkers.FailureReport]:
    """Exact share per n (TSP: also mean tour length and optimum), and the failure report."""
    from nesy.induction.train import pointer_batch, predictions

    model.eval()
    rng = np.random.default_rng(seed)
    report = checkers.FailureReport(task)
    table: dict = {}
    for n in sizes:
        lengths, optima = [], []
        for start in range(0, instances, chunk):
            batch = pointer_batch(task, rng, min(chunk, instances - start), n)
            answers = predictions(model, batch)
            found = verdicts(task, batch, answers)
            for i, (verdict, answer) in enumerate(zip(found, answers)):
                instance = {"input": batch.exact[i], "output": answer, "expected": batch.targets[i][batch.targets[i] > 0]}
                report.add(n, _feature(task, batch, i), verdict, instance)
            if task == "tsp":
                _, best = tasks.optimal_tours(batch.exact)
                for i, (answer, optimum) in enumerate(zip(answers, best)):
                    optima.append(float(optimum))
                    valid = sorted(answer) == list(range(1, n + 1))
                    lengths.append(float(tasks.tour_lengths(batch.exact[i:i + 1], np.array([answer]) - 1)[0])
                                   if valid else float("nan"))
        table[n] = {"exact": round(report.exact(n), 4), "instances": instances}
        if task == "tsp":
            table[n].update(mean_length=round(float(np.nanmean(lengths)), 4), optimal=round(float(np.mean(optima)), 4),
                            valid=round(float(np.mean([not np.isnan(x) for x in lengths])), 4))
    return table, report


@torch.no_grad()
def evaluate_ntm(model, task: str, lengths: list[int], instances: int = 100, seed: int = 12345,
                 chunk: int = 50) -> tuple[dict, checkers.FailureReport]:
    """Mean bit errors per sequence and the exact share at each length, and the failure report."""
    from nesy.induction.train import ntm_batch, ntm_outputs

    model.eval()
    rng = np.random.default_rng(seed)
    report = checkers.FailureReport(task)
    table: dict = {}
    for length in lengths:
        errors: list[int] = []
        for start in range(0, instances, chunk):
            batch = ntm_batch(task, rng, min(chunk, instances - start), length)
            guess = (ntm_outputs(model, batch) > 0).float().numpy()
            for i in range(len(guess)):
                verdict = checkers.check_bits(batch.targets[i], guess[i])
                errors.append(int((guess[i] != batch.targets[i]).sum()))
                report.add(length, checkers.features_bits(batch.targets[i]), verdict,
                           {"input": batch.inputs[i], "output": guess[i], "expected": batch.targets[i]})
        table[length] = {"bit_errors": round(float(np.mean(errors)), 3), "exact": round(report.exact(length), 4),
                         "instances": instances}
    return table, report
