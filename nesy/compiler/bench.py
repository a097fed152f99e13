"""The library benchmark: compile every standard-library program at the vocab and max_len of
issue 4's table, check it against the interpreter, and print the figures beside Tracr's."""
from __future__ import annotations

import json
import string
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
    report = check(compiled, program, limit=limit, samples=samples, progress=progress)
    row.update(inputs_checked=report.inputs_checked, exact_fraction=report.exact_fraction,
               exhaustive=report.exhaustive, check_seconds=round(time.perf_counter() - start, 2))
    if entry.tracr and not scale:
        row["tracr"] = entry.tracr
    return row


def expected_inputs(entry: LibraryEntry, scale: bool, samples: int, limit: int, scale_len: int = 32) -> int:
    vocab, max_len = (entry.scale_vocab, scale_len) if scale else (entry.vocab, entry.max_len)
    total = count_inputs(len(vocab), max_len)
    return total if total <= limit else samples


def format_table(rows: list[dict]) -> str:
    header = ["program", "vocab", "max_len", "layers", "heads", "d_model", "mlp_hidden", "params",
              "compile s", "inputs", "exact", "Tracr layers/d_model/params"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        vocab = "{" + ",".join(row["vocab"]) + "}" if len(row["vocab"]) <= 6 else f"{len(row['vocab'])} symbols"
        if "error" in row:
            cells = [row["program"], vocab, str(row["max_len"]), "refused: " + row["error"]]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        tracr = row.get("tracr")
        theirs = f"{tracr['layers']}/{tracr['d_model']}/{tracr['params']}" if tracr else "rejects" \
            if row["program"] in ("sort_paper", "prefix_sum") else "-"
        cells = [row["program"], vocab, str(row["max_len"]), str(row["layers"]), str(row["heads"]),
                 str(row["d_model"]), str(row["mlp_hidden"]), str(row["params"]), f"{row['compile_seconds']:.3f}",
                 str(row["inputs_checked"]), f"{100 * row['exact_fraction']:.1f}%", theirs]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
