#!/usr/bin/env python3
"""`nesy bench csg` with the search's knobs exposed, for ablations (program length cap, beam width,
objective weight, clock): the same table, summary and JSON.

usage: scripts/csg_bench.py SUITE [--limit N] [--timeout S] [--jobs N] [--max-tokens T]
                            [--beam-width W] [--length-weight L] [--off-grid] [--wall] [--json OUT]
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dsl.csg.tasks import read_csg_tasks  # noqa: E402
from solvers.csg.bench import bench_rows, format_table, summary_lines, write_json  # noqa: E402
from solvers.csg.front_end import SAFETY_SECONDS  # noqa: E402
from solvers.csg.search import CsgSearchConfig  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=CsgSearchConfig.max_tokens)
    parser.add_argument("--beam-width", type=int, default=CsgSearchConfig.beam_width)
    parser.add_argument("--length-weight", type=float, default=CsgSearchConfig.length_weight)
    parser.add_argument("--off-grid", action="store_true", help="refinement may leave CSGNet's grid")
    parser.add_argument("--wall", action="store_true", help="budget on the wall clock (default: CPU seconds)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    tasks = read_csg_tasks(Path(args.suite))[: args.limit]
    search = CsgSearchConfig(seconds=args.timeout - SAFETY_SECONDS, max_tokens=args.max_tokens,
                             beam_width=args.beam_width, length_weight=args.length_weight,
                             off_grid=args.off_grid, clock="wall" if args.wall else "cpu")
    config = {"suite": args.suite, "limit": args.limit, "jobs": args.jobs, **asdict(search)}
    rows, state = bench_rows(tasks, search, args.jobs, progress=False, json_out=args.json, config=config)
    print(format_table(rows))
    print("\n".join(summary_lines(rows)))
    write_json(args.json, rows, config, state)
    return 0 if state == "finished" else 130


if __name__ == "__main__":
    sys.exit(main())
