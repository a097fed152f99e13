"""The distillation round trip on the RASP library: compile each program to weights, save them,
distil a program back from the saved weights alone (`nesy rasp distill`'s code), and compare the
two on every input up to the library length. Prints a Markdown table.

Run: `.venv/bin/python scripts/rasp_distill_library.py --timeout 60 [--programs a,b]`.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from dsl.rasp import LIBRARY_DIR, load, load_file
from nesy.compiler import compile_program
from nesy.compiler.files import save
from nesy.rasp_synthesis.distill import CompiledModelQuery, distill
from nesy.rasp_synthesis.proof import ir_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per search round")
    parser.add_argument("--programs", help="comma-separated subset of the library")
    args = parser.parse_args()
    entries = json.loads((LIBRARY_DIR / "library.json").read_text())["programs"]
    if args.programs:
        entries = [e for e in entries if e["program"] in args.programs.split(",")]
    print("| program | vocab | max_len | distilled | program == weights | rounds | seconds | size (library) | "
          "layers / d_model (library) |")
    print("|---|---|---:|---|---|---:|---:|---|---|")
    agreed = 0
    with tempfile.TemporaryDirectory() as folder:
        for entry in entries:
            name, vocab, max_len = entry["program"], entry["vocab"], entry["max_len"]
            original = load_file(LIBRARY_DIR / f"{name}.rasp")
            compiled = compile_program(original, vocab, max_len)
            path = Path(folder) / f"{name}.pt"
            save(compiled, path)
            start = time.perf_counter()
            found = distill(CompiledModelQuery(path), vocab, max_len, timeout=args.timeout)
            seconds = time.perf_counter() - start
            agreed += found.agrees
            size = layers = "-"
            if found.result.found:
                program = load(found.result.program_text)
                again = compile_program(program, vocab, max_len)
                size = str(ir_size(program))
                layers = f"{again.weights.n_layers} / {again.weights.d_model}"
            domain = f"{found.inputs - found.disagreements}/{found.inputs}" + ("" if found.exhaustive else " sampled")
            print(f"| {name} | {','.join(map(str, vocab))} | {max_len} | {found.result.status} | "
                  f"{domain if found.result.found else '-'} | {found.rounds} | {seconds:.1f} | "
                  f"{size} ({ir_size(original)}) | {layers} ({compiled.weights.n_layers} / {compiled.weights.d_model}) |")
    print(f"\n{agreed}/{len(entries)} library programs distilled back from their weights and equal to them on "
          f"every input up to the length")


if __name__ == "__main__":
    main()
