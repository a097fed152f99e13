"""How much can a ranker add? For each task with held-out tests: how many programs search keeps
that fit the examples, which of them are right on the held-out tests, and whether the first in
search's own order is one of them.

    python scripts/ranking_headroom.py datasets/strings/spreadsheet.jsonl --timeout 10 --json out/headroom.json
"""
from __future__ import annotations

import argparse
import json

from dsl.registry import get_dsl
from dsl.task_files import load_tasks
from solvers.search.checking import failing_examples
from solvers.search.driver import SynthesisOptions, fitting_candidates
from solvers.search.enumeration import SearchConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("--dsl", default="strings")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    dsl = get_dsl(args.dsl)
    rows = []
    for task in load_tasks(args.suite, dsl=args.dsl):
        if not task.tests:
            continue
        _, candidates = fitting_candidates(task, dsl, SynthesisOptions(config=SearchConfig(timeout=args.timeout)))
        right = [i for i, c in enumerate(candidates) if not failing_examples(c.program, task, task.tests)]
        rows.append({"task": task.name, "candidates": len(candidates), "right": right,
                     "programs": [str(c.program) for c in candidates[:12]]})
        print(f"{task.name}: {len(candidates)} kept, right: {right[:8]}", flush=True)
    print(f"tasks {len(rows)}; with a program that fits {sum(r['candidates'] > 0 for r in rows)}; "
          f"some candidate right {sum(bool(r['right']) for r in rows)}; "
          f"first in search order right {sum(bool(r['right']) and r['right'][0] == 0 for r in rows)}")
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
