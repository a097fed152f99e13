"""`nesy bench csg --suite FILE`: search every target picture, print a table (task, IoU, CD,
program length, seconds) and a summary (mean CD, mean IoU, exact recoveries, seconds per
shape; per target length when the targets are programs), and write JSON
`{"results": [{"task", "program", "iou", "cd", "tokens", "seconds", ...}]}` with the program
in CSGNet's postfix, `task` the image index (what ../shared/tools/csg_score.py reads).

Tasks run in `--jobs` worker processes, each search within `--timeout` CPU seconds of its
worker (so that a machine busy with other work still measures what idle cores would do; the
wall seconds are reported too); Ctrl-C stops the run and keeps what finished (exit 130).
`--guide` picks the solvers (`nesy.csg.guided.bench_solvers`; the runner is `nesy.csg.bench`): search only, the proposer's
beam alone, search seeded with it, or all three at the same budget.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from dsl.core import Dsl, Task
from dsl.errors import NesyInputError
from solvers.csg.front_end import SAFETY_SECONDS, target_of
from solvers.csg.search import CsgAnswer, CsgSearchConfig, synthesize_shape

EXIT_OK, EXIT_INTERRUPTED = 0, 130
Solver = Callable[[np.ndarray, CsgSearchConfig], CsgAnswer]   # a target picture -> its answer


def solve_one(job: tuple[Task, CsgSearchConfig, Solver]) -> dict[str, Any]:
    """One task's JSON row (run in a worker)."""
    task, search, solve = job
    target = target_of(task)
    started = time.perf_counter()
    cpu_started = time.process_time()
    answer = solve(target.image, search)
    row = {"task": task.name, "program": answer.text, "iou": round(answer.iou, 6), "cd": round(answer.cd, 6),
           "tokens": answer.tokens, "exact": answer.exact, "seconds": round(time.process_time() - cpu_started, 4),
           "wall_seconds": round(time.perf_counter() - started, 4), "scored": answer.scored}
    if target.drawn_by:
        row["target_program"] = target.drawn_by
        row["target_tokens"] = _tokens(target.drawn_by)
    return row


def _tokens(postfix: str) -> int:
    return sum(postfix.count(c) for c in "cst+*-")


def bench_rows(tasks: Sequence[Task], search: CsgSearchConfig, jobs: int, progress: bool = True,
               json_out: Path | None = None, config: dict[str, Any] | None = None,
               solve: Solver = synthesize_shape) -> tuple[list[dict[str, Any]], str]:
    """Every task's row, in task order, searched in `jobs` workers; ("finished" or "interrupted")."""
    from tqdm import tqdm

    config = config or asdict(search)
    rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(tasks), desc="csg", unit="shape", file=sys.stderr, disable=not progress)
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    pool = context.Pool(min(jobs, max(1, len(tasks))), initializer=_warm_up)
    try:
        for row in pool.imap(solve_one, [(task, search, solve) for task in tasks]):
            rows.append(row)
            bar.update(1)
            bar.set_postfix(cd=f"{np.mean([r['cd'] for r in rows]):.3f}")
            write_json(json_out, rows, config, "running")
        pool.close()
        return rows, "finished"
    except KeyboardInterrupt:
        pool.terminate()
        return rows, "interrupted"
    finally:
        pool.join()
        bar.close()


def _warm_up() -> None:
    """Draw the 396 terminals once per worker, before its first timed search."""
    from dsl.csg.primitives import vocabulary_masks

    vocabulary_masks()


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [f"{'task':>8}  {'IoU':>6}  {'CD':>7}  {'tokens':>6}  {'CPU s':>7}  program"]
    for r in rows:
        lines.append(f"{r['task']:>8}  {r['iou']:6.3f}  {r['cd']:7.3f}  {r['tokens']:6d}  {r['seconds']:7.2f}  "
                     f"{r['program']}")
    return "\n".join(lines)


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {"shapes": 0}
    return {"shapes": len(rows), "mean_cd": float(np.mean([r["cd"] for r in rows])),
            "mean_iou": float(np.mean([r["iou"] for r in rows])), "exact": sum(r["exact"] for r in rows),
            "mean_tokens": float(np.mean([r["tokens"] for r in rows])),
            "seconds_per_shape": float(np.mean([r["seconds"] for r in rows])),
            "wall_seconds_per_shape": float(np.mean([r["wall_seconds"] for r in rows]))}


def summary_lines(rows: Sequence[dict[str, Any]], label: str = "search-only") -> list[str]:
    def line(label: str, s: dict[str, Any]) -> str:
        return (f"{label}: {s['shapes']} shapes, mean CD {s['mean_cd']:.3f}, mean IoU {s['mean_iou']:.3f}, "
                f"exact {s['exact']}/{s['shapes']} ({100 * s['exact'] / s['shapes']:.1f}%), "
                f"mean program length {s['mean_tokens']:.1f} tokens, {s['seconds_per_shape']:.2f} CPU s/shape "
                f"({s['wall_seconds_per_shape']:.2f} s on the wall)")

    if not rows:
        return ["no shapes"]
    lines = [line(label, summarize(rows))]
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if "target_tokens" in r:
            groups[r["target_tokens"]].append(r)
    for length in sorted(groups):
        lines.append(line(f"  targets of {length} tokens", summarize(groups[length])))
    return lines


def write_json(path: Path | None, rows: Sequence[dict[str, Any]], config: dict[str, Any], state: str) -> None:
    if path is None:
        return
    text = json.dumps({"state": state, "config": config, "summary": summarize(rows), "results": list(rows)}, indent=1)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.replace(path)
