"""`nesy synth FILE`: synthesize a program for each task in a .sl, .jsonl or BUSTLE .json file."""
from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("synth", help="synthesize programs for the tasks in a file",
                                   description="Synthesize a program for every task in FILE "
                                   "(SyGuS .sl, JSONL one task a line, or a BUSTLE/CrossBeam JSON list).")
    parser.add_argument("file", help="task file or folder")
    parser.add_argument("--dsl", default="strings", help="DSL name (default: strings)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per task (default 10)")
    parser.add_argument("--max-candidates", type=int, default=None, help="stop after this many candidates")
    parser.add_argument("--max-memory-mb", type=float, default=4096.0, help="memory budget per task")
    parser.add_argument("--no-unify", action="store_true", help="no conditional (ite) solutions by unification")
    parser.add_argument("--guide", default="default",
                        help="search guide: 'default' (the shipped neural guide), 'none' (plain search) or a weights file")
    parser.add_argument("--json", dest="json_out", help="also write the results as JSON to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dsl.registry import get_dsl
    from dsl.task_files import load_tasks
    from solvers.search.enumeration import SearchConfig
    from nesy.guides.neural import load_guide
    from solvers.search.driver import SynthesisOptions, synthesize_task

    dsl = get_dsl(args.dsl)
    tasks = load_tasks(args.file, dsl=args.dsl)
    config = SearchConfig(timeout=args.timeout, max_candidates=args.max_candidates,
                          max_memory_mb=args.max_memory_mb, unify=not args.no_unify)
    options = SynthesisOptions(config=config)
    guide = load_guide(args.guide, dsl)
    results = []
    for task in tasks:
        result = synthesize_task(task, dsl, options, guide)
        results.append(result)
        print(result, flush=True)
        print()
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"results": [r.to_json() for r in results]}, out, indent=1)
    return 0 if all(r.solved for r in results) else 1
