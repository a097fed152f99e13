"""The `nesy bench csg` runner (`Dsl.bench_runner`): the solvers `--guide` picks (search only,
the neural proposer's beam, or both; `nesy.csg.guided`) over the shared CSG bench rows of
`solvers.csg.bench`. It lives on the neural side because it may load the proposer."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from dsl.core import Dsl, Task
from dsl.errors import NesyInputError
from nesy.csg.guided import bench_solvers
from solvers.csg.bench import EXIT_INTERRUPTED, EXIT_OK, bench_rows, format_table, summary_lines, write_json
from solvers.csg.front_end import SAFETY_SECONDS, target_of
from solvers.csg.search import CsgSearchConfig


def run_csg_bench(args: argparse.Namespace, tasks: Sequence[Task], dsl: Dsl) -> int:
    """The bench runner `Dsl.bench_runner` names: exit 0 when the run finished, 130 on Ctrl-C."""
    if any(target_of(t) is None for t in tasks):
        raise NesyInputError("every CSG task needs exactly one target picture")
    json_out = Path(args.json_out) if getattr(args, "json_out", None) else None
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
    solvers = bench_solvers(getattr(args, "guide", "none"))
    search = CsgSearchConfig(seconds=max(args.timeout - SAFETY_SECONDS, 0.01), clock="cpu")
    summaries, state = [], "finished"
    for label, solve in solvers:      # --guide both: one JSON per solver, OUT.search-only.json, ...
        out = json_out.with_suffix(f".{label}{json_out.suffix}") if json_out and len(solvers) > 1 else json_out
        config = {"dsl": dsl.name, "suite": args.suite, "timeout": args.timeout, "jobs": args.jobs,
                  "limit": getattr(args, "limit", None), "search": label, **asdict(search)}
        rows, state = bench_rows(tasks, search, args.jobs, not getattr(args, "quiet", False), out, config, solve)
        print(format_table(rows))
        summaries += summary_lines(rows, label)
        write_json(out, rows, config, state)
        if state == "interrupted":
            break
    for line in summaries:
        print(line)
    if state == "interrupted":
        print(f"nesy: interrupted after {len(rows)} of {len(tasks)} shapes", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
