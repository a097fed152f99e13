"""`nesy bench rasp --suite FILE`: synthesize every task, compile and prove each answer, print the
table (task, status, seconds, program size, layers, d_model, held-out, proven) beside the
hand-written library program's size and model, and write JSON.

A task counts as solved when its program is right on the held-out tests, compiles, the weights
equal the program on every input up to max_len (sampled beyond the exhaustive limit, and the
table says so), and the program equals the task's reference program on those inputs.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from dsl.core import Dsl
from dsl.rasp.tasks import SequenceTask

PROOF_SECONDS = 120.0   # a worker's time for compiling and checking, beyond the search's timeout


def solve_and_prove(task: SequenceTask, timeout: float) -> dict[str, Any]:
    """One row: the search's result, the proof of its program, and the library program's figures."""
    from dsl.rasp import load
    from dsl.registry import get_dsl
    from nesy.rasp_synthesis.proof import ir_size, prove
    from solvers.search.driver import SynthesisOptions, synthesize_task
    from solvers.search.enumeration import SearchConfig

    result = synthesize_task(task, get_dsl("rasp"), SynthesisOptions(config=SearchConfig(timeout=timeout)))
    row: dict[str, Any] = {**result.to_json(), "library": task.library or None}
    row["size"] = ir_size(load(result.program_text)) if result.program_text else None
    if result.program_text and result.verified:
        proof = prove(task, result.program_text)
        row["proof"] = proof.as_dict()
    if task.library:
        library = (Path(__file__).resolve().parents[2] / "datasets" / "rasp" / f"{task.library}.rasp").read_text()
        library_proof = prove(replace(task, reference=""), library)
        row["library_program"] = {"size": ir_size(load(library)), "layers": library_proof.layers,
                                  "d_model": library_proof.d_model, "compiled": library_proof.compiled}
    row["solved"] = bool(result.test_correct is not False and row.get("proof", {}).get("passed")
                         and row.get("proof", {}).get("program_equals_reference") is not False)
    return row


def _overrun(task: SequenceTask, why: str) -> dict[str, Any]:
    return {"task": task.name, "status": "timeout", "message": why, "solved": False, "library": task.library or None}


def run_bench(args: argparse.Namespace, tasks: Sequence[SequenceTask], dsl: Dsl) -> int:
    """The `Dsl.bench_runner` of RASP: exit 0 when the run went to the end."""
    from tqdm import tqdm

    from nesy.commands.options import output_file
    from nesy.executors import executor_from_args

    json_out = output_file(args.json_out, "--json") if args.json_out else None
    rows: list[dict[str, Any] | None] = [None] * len(tasks)
    work = _Work(args.timeout)
    with executor_from_args(args) as executor, \
            tqdm(total=len(tasks), unit="task", disable=args.quiet, leave=False) as bar:
        for index, row in executor.run(work, list(tasks), args.timeout + PROOF_SECONDS, _overrun):
            rows[index] = row
            bar.update()
            if json_out is not None:
                _write(json_out, args, [r for r in rows if r is not None])
    done = [r for r in rows if r is not None]
    print(format_table(done))
    print(summary_line(done))
    if executor.overhead_line():
        print(executor.overhead_line())
    if json_out is not None:
        _write(json_out, args, done)
    return 0


class _Work:
    """A picklable worker function: Ray ships it to its workers."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def __call__(self, task: SequenceTask) -> dict[str, Any]:
        return solve_and_prove(task, self.timeout)


def _write(path: Path, args: argparse.Namespace, rows: list[dict[str, Any]]) -> None:
    from nesy.commands.options import write_atomically

    config = {"dsl": "rasp", "suite": args.suite, "timeout": args.timeout, "jobs": args.jobs,
              "executor": getattr(args, "executor", None) or "process"}
    write_atomically(path, json.dumps({"config": config, "results": rows}, indent=1, default=str))


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table: one row per task, the library program's size and model beside the found one."""
    header = ("| task | status | seconds | size | layers | d_model | held-out | weights == program | "
              "== reference | library size / layers / d_model |")
    lines = [header, "|---|---|---:|---:|---:|---:|---|---|---|---|"]
    for row in rows:
        proof = row.get("proof") or {}
        library = row.get("library_program")
        held = {True: "yes", False: "no", None: "-"}[row.get("test_correct")]
        exact = "-" if not proof else ("not compiled" if not proof["compiled"] else
                                       f"{'yes' if proof['model_equals_program'] else 'NO'} "
                                       f"({proof['inputs']}{'' if proof['exhaustive'] else ' sampled'})")
        reference = "-" if not proof or proof.get("program_equals_reference") is None else \
            ("yes" if proof["program_equals_reference"] else f"no ({proof['reference_disagreements']})")
        lib = "-" if not library else f"{library['size']} / {library['layers']} / {library['d_model']}"
        status = "**solved**" if row.get("solved") else row.get("status", "?")
        lines.append(f"| {row['task']} | {status} | {row.get('seconds', '-')} | {row.get('size') or '-'} | "
                     f"{proof.get('layers', '-') if proof.get('compiled') else '-'} | "
                     f"{proof.get('d_model', '-') if proof.get('compiled') else '-'} | {held} | {exact} | "
                     f"{reference} | {lib} |")
    return "\n".join(lines)


def summary_line(rows: Sequence[dict[str, Any]]) -> str:
    solved = sum(1 for r in rows if r.get("solved"))
    library = [r for r in rows if r.get("library")]
    library_solved = [r for r in library if r.get("solved")]
    no_larger = sum(1 for r in library_solved
                    if r["proof"]["layers"] <= r["library_program"]["layers"]
                    and r["proof"]["d_model"] <= r["library_program"]["d_model"])
    return (f"solved {solved}/{len(rows)} ({100 * solved / max(1, len(rows)):.0f}%): right on the held-out tests, "
            f"compiled, weights == program and program == reference on every input up to max_len; "
            f"library programs recovered {len(library_solved)}/{len(library)}, "
            f"{no_larger} with a model no larger (layers and d_model) than the hand-written one's")
