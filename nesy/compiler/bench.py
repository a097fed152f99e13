"""The library benchmark: compile every standard-library program at the vocab and max_len of the
published Tracr table, check it against the interpreter, and print the figures beside Tracr's."""
from __future__ import annotations

import json
import statistics
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dsl.errors import NesyInputError
from dsl.rasp import LIBRARY_DIR, load_file
from dsl.rasp.values import Value, format_value
from nesy.compiler import compile_program
from nesy.compiler.check import check, count_inputs
from nesy.compiler.stats import model_stats

@dataclass(frozen=True)
class LibraryEntry:
    program: str
    path: Path
    vocab: tuple[Value, ...]
    max_len: int
    scale_vocab: tuple[Value, ...]
    tracr: dict | None


def _scale_vocab(kind: str) -> tuple[Value, ...]:
    """26 symbols: numbers 1..26, letters a..z, or letters with the program's own symbols last."""
    if kind == "numbers":
        return tuple(range(1, 27))
    letters = list(string.ascii_lowercase)
    if kind == "letters":
        return tuple(letters)
    specials = list(kind.split("+", 1)[1])
    return tuple([c for c in letters if c not in specials][:26 - len(specials)] + specials)


def library(directory: Path = LIBRARY_DIR) -> list[LibraryEntry]:
    index = json.loads((directory / "library.json").read_text())
    return [LibraryEntry(e["program"], directory / f"{e['program']}.rasp", tuple(e["vocab"]), e["max_len"],
                         _scale_vocab(e.get("scale_vocab", "letters")), e.get("tracr"))
            for e in index["programs"]]


def bench_one(entry: LibraryEntry, scale: bool = False, scale_len: int = 32, samples: int = 2000,
              limit: int = 200_000, progress=None) -> dict:
    """One row of the table (an `error` field instead of figures when compilation is refused)."""
    vocab, max_len = (entry.scale_vocab, scale_len) if scale else (entry.vocab, entry.max_len)
    row: dict = {"program": entry.program, "vocab": [format_value(v) for v in vocab], "max_len": max_len}
    program = load_file(entry.path)
    start = time.perf_counter()
    try:
        compiled = compile_program(program, vocab, max_len, str(entry.path))
    except NesyInputError as error:
        row["error"] = str(error)
        return row
    row["compile_seconds"] = round(time.perf_counter() - start, 4)
    stats = model_stats(compiled)
    row.update(layers=stats.layers, heads=stats.heads, d_model=stats.d_model, mlp_hidden=stats.mlp_hidden,
               params=stats.params, nonzero_params=stats.nonzero)
    start = time.perf_counter()
    report = check(compiled, program, limit=limit, samples=samples, progress=progress, path=str(entry.path))
    row.update(inputs_checked=report.inputs_checked, skipped=report.skipped, exact_fraction=report.exact_fraction,
               passed=report.passed, exhaustive=report.exhaustive,
               check_seconds=round(time.perf_counter() - start, 2))
    if entry.tracr and not scale:
        row["tracr"] = entry.tracr
    return row


_FIRST_COMPILE = """
import json, sys, time
import torch  # imports are not timed (nor are Tracr's); its first compile call is
from dsl.rasp import load_file
from nesy.compiler import compile_program
path, vocab, max_len = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
compiled = compile_program(load_file(path), vocab, max_len, path)
compiled.model  # the torch module, built
print(time.perf_counter() - start)
"""


def cold_seconds(entry: LibraryEntry, vocab: tuple[Value, ...], max_len: int, runs: int = 3) -> dict:
    """Medians over `runs` fresh interpreters of: `cold_seconds`, the first compile in a process
    (parse, compile, build the torch module; imports excluded, as in Tracr's figures), and
    `command_seconds`, a whole `nesy rasp compile ... --out model.pt` as a user waits for it."""
    first, command_times = [], []
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "nesy", "rasp", "compile", str(entry.path),
                   "--vocab", ",".join(format_value(v) for v in vocab), "--max-len", str(max_len),
                   "--out", str(Path(folder) / "model.pt")]
        probe = [sys.executable, "-c", _FIRST_COMPILE, str(entry.path), json.dumps(list(vocab)), str(max_len)]
        for _ in range(runs):
            first.append(float(_run(probe).stdout.strip().splitlines()[-1]))
            start = time.perf_counter()
            _run(command)
            command_times.append(time.perf_counter() - start)
    return {"cold_seconds": round(statistics.median(first), 4),
            "command_seconds": round(statistics.median(command_times), 3)}


def _run(command: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed: {done.stderr.strip()[-500:]}")
    return done


def expected_inputs(entry: LibraryEntry, scale: bool, samples: int, limit: int, scale_len: int = 32) -> int:
    vocab, max_len = (entry.scale_vocab, scale_len) if scale else (entry.vocab, entry.max_len)
    total = count_inputs(len(vocab), max_len)
    return total if total <= limit else samples


def format_table(rows: list[dict]) -> str:
    header = ["program", "vocab", "max_len", "layers", "heads", "d_model", "mlp_hidden", "params",
              "compile s", "cold s", "command s", "inputs", "exact", "Tracr layers/d_model/params/compile s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        vocab = "{" + ",".join(row["vocab"]) + "}" if len(row["vocab"]) <= 6 else f"{len(row['vocab'])} symbols"
        if "error" in row:
            cells = [row["program"], vocab, str(row["max_len"]), "refused: " + row["error"]]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        tracr = row.get("tracr")
        theirs = (f"{tracr['layers']}/{tracr['d_model']}/{tracr['params']}/{tracr['compile_seconds']}" if tracr
                  else "rejects" if row["program"] in ("sort_paper", "prefix_sum") else "-")
        cold = f"{row['cold_seconds']:.3f}" if "cold_seconds" in row else "-"
        command = f"{row['command_seconds']:.2f}" if "command_seconds" in row else "-"
        exact = f"{100 * row['exact_fraction']:.1f}%" + (f" ({row['skipped']} skipped)" if row.get("skipped") else "")
        cells = [row["program"], vocab, str(row["max_len"]), str(row["layers"]), str(row["heads"]),
                 str(row["d_model"]), str(row["mlp_hidden"]), str(row["params"]), f"{row['compile_seconds']:.3f}",
                 cold, command, str(row["inputs_checked"]), exact, theirs]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
