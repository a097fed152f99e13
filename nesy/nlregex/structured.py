"""StructuredRegex test-E (Ye et al., ACL 2020) with its examples: text only, examples only, both.

Each row has a description, a ground truth in Regel's DSL and 6 positive / 6 negative strings.
Three answers per row, all scored by exact language equivalence with the ground truth:
text only (the description through the re-ranked beam), examples only (the example-driven regex
search `nesy synth --dsl regex` runs), both (the beam's most probable candidate consistent
with the strings, else a repaired one, else example search's answer) and both (smaller): the
smaller of the beam's (or repaired) answer and the search's, when both fit the strings.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex.charset import ANY, CharSet
from dsl.regex.equivalence import Verdict, decide
from dsl.regex.extended import COMPLEMENT, INTERSECT
from dsl.regex.ops import CONCAT, OPTIONAL, STAR, UNION, apply, leaf, repeat
from dsl.regex.regel import CLASSES

_ANYTHING = apply(STAR, leaf(ANY))


def regel_to_program(text: str) -> Program:
    """Regel's DSL (`concat(<num>,repeatatleast(<a>,2))`, `and`, `not`, `notcc`, `const(<ab>)`...) as a
    regex program: `not` is the complement of a language, `notcc` that of a character class."""
    reader = _Reader(text.replace(" ", ""))
    program = reader.term()
    if reader.position != len(reader.text) or not isinstance(program, Program):
        raise NesyInputError(f"Regel regex {text!r}: unexpected text at column {reader.position + 1}")
    return program


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.position = text, 0

    def term(self) -> Program | int:
        text = self.text
        if text.startswith("<", self.position):
            end = text.index(">", self.position + 2) if len(text) > self.position + 2 else -1
            if end < 0:
                raise NesyInputError(f"Regel regex {text!r}: unclosed <...> at column {self.position + 1}")
            name = text[self.position + 1:end]
            self.position = end + 1
            if name in CLASSES:
                return leaf(CLASSES[name])
            parts = [leaf(CharSet.of(c)) for c in name]
            result = parts[-1]
            for part in reversed(parts[:-1]):
                result = apply(CONCAT, part, result)
            return result
        start = self.position
        while self.position < len(text) and text[self.position].isalnum():
            self.position += 1
        name = text[start:self.position]
        if name.isdigit():
            return int(name)
        if not text.startswith("(", self.position):
            raise NesyInputError(f"Regel regex {text!r}: expected ( after {name!r} at column {self.position + 1}")
        self.position += 1
        args = [self.term()]
        while text.startswith(",", self.position):
            self.position += 1
            args.append(self.term())
        if not text.startswith(")", self.position):
            raise NesyInputError(f"Regel regex {text!r}: expected ) at column {self.position + 1}")
        self.position += 1
        build = _OPERATORS.get(name)
        if build is None:
            raise NesyInputError(f"Regel regex {text!r}: unknown operator {name!r}")
        try:
            return build(*args)
        except TypeError:
            raise NesyInputError(f"Regel regex {text!r}: {name} takes other arguments") from None


def _notcc(a: Program) -> Program:
    if a.children or not hasattr(a.head, "charset"):
        raise NesyInputError("notcc(...) needs a character class")
    return leaf(a.head.charset.complement())


_OPERATORS: dict[str, Any] = {
    "concat": lambda a, b: apply(CONCAT, a, b), "or": lambda a, b: apply(UNION, a, b),
    "and": lambda a, b: apply(INTERSECT, a, b), "not": lambda a: apply(COMPLEMENT, a), "notcc": _notcc,
    "star": lambda a: apply(STAR, a), "optional": lambda a: apply(OPTIONAL, a), "const": lambda a: a,
    "startwith": lambda a: apply(CONCAT, a, _ANYTHING), "endwith": lambda a: apply(CONCAT, _ANYTHING, a),
    "contain": lambda a: apply(CONCAT, _ANYTHING, apply(CONCAT, a, _ANYTHING)),
    "repeat": lambda a, k: apply(repeat(k, k), a), "repeatatleast": lambda a, k: apply(repeat(k, None), a),
    "repeatrange": lambda a, lo, hi: apply(repeat(lo, hi), a),
}


MODES = ("text only", "examples only", "both", "both (smaller)")


def read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    needed = {"description", "regex", "pos_examples", "neg_examples"}
    if not rows or not needed <= set(rows[0]):
        raise NesyInputError(f"not a StructuredRegex TSV (columns {', '.join(sorted(needed))})", path=str(path))
    return rows


def run_structured(args: argparse.Namespace, suite: Path, json_out: Path | None) -> int:
    from nesy.commands.options import EXIT_INTERRUPTED, write_atomically
    from nesy.nlregex.bench import DEFAULT_BEAM, load_model
    from nesy.nlregex.rerank import choose, search_from_examples
    from nesy.nlregex.translate import translate

    model = load_model(args)
    rows = read_rows(suite)
    sample = getattr(args, "sample", None)
    if sample:     # a fixed-seed random subsample (the file is sorted by problem, several rows each)
        import random

        order = random.Random(getattr(args, "seed", 0) or 0).sample(range(len(rows)), min(sample, len(rows)))
        rows = [rows[i] for i in order]
    rows = rows[: args.limit]
    beam = getattr(args, "candidates", None) or DEFAULT_BEAM
    search_seconds = args.timeout
    counts = {mode: {"equivalent": 0, "fits_examples": 0, "answered": 0, "seconds": 0.0} for mode in MODES}
    records: list[dict] = []

    def save(state: str) -> None:
        if json_out is not None:
            write_atomically(json_out, json.dumps(records, indent=1))
            write_atomically(json_out.with_suffix(".summary.json"), json.dumps(
                {"suite": str(suite), "state": state, "rows": len(records), "modes": counts}, indent=1))

    try:
        for number, row in enumerate(rows, 1):
            reference = regel_to_program(row["regex"])
            positive, negative = row["pos_examples"].split(" "), row["neg_examples"].split(" ")
            record: dict[str, Any] = {"line": number, "description": row["description"], "reference": row["regex"]}
            started = time.monotonic()
            try:      # the beam is decoded and re-ranked once; "both" adds the examples to it
                result = translate(row["description"], model=model, beam=beam)
            except NesyInputError as error:
                result, record["description error"] = None, str(error)
            decoding = time.monotonic() - started
            searched, search_time = None, 0.0
            for mode in counts:
                started = time.monotonic()
                if mode == "examples only":
                    answer = searched = search_from_examples(positive, negative, search_seconds)
                    search_time = time.monotonic() - started
                elif result is None:      # an unreadable description: the strings alone
                    answer = searched if mode != "text only" else None
                elif mode == "text only":
                    answer = result.answer
                else:      # the search's answer is reused: each "both" is charged its time once
                    answer = choose(result.reranked, positive, negative, repair_seconds=min(5.0, search_seconds),
                                    searched=searched, prefer="smaller" if mode == "both (smaller)" else "network")
                seconds = time.monotonic() - started + (decoding if mode != "examples only" else 0.0)
                if mode == "both (smaller)" or mode == "both" and (answer is None or answer is searched):
                    seconds += search_time      # what the search took, had this mode run it itself
                counts[mode]["seconds"] = round(counts[mode]["seconds"] + seconds, 1)
                equivalent = None
                if answer is not None:
                    counts[mode]["answered"] += 1
                    fits = answer.consistent(positive, negative)
                    counts[mode]["fits_examples"] += fits
                    verdict = decide(reference, answer.program, seconds=5.0, max_states=50_000).verdict
                    equivalent = None if verdict is Verdict.UNKNOWN else verdict is Verdict.EQUIVALENT
                    counts[mode]["equivalent"] += bool(equivalent)
                record[mode] = {"predicted": answer.text if answer else None, "source": answer.source if answer else None,
                                "equivalent": equivalent, "seconds": round(seconds, 2)}
            records.append(record)
            save("running")
            if not args.quiet:
                print(f"\r{number}/{len(rows)}", end="", file=sys.stderr)
    except KeyboardInterrupt:
        save("interrupted")
        print(format_structured(counts, len(records)))
        return EXIT_INTERRUPTED
    save("done")
    if not args.quiet:
        print(file=sys.stderr)
    print(format_structured(counts, len(records)))
    return 0


def format_structured(counts: dict, rows: int) -> str:
    lines = [f"| StructuredRegex test-E ({rows} rows) | equivalent to the ground truth | fits its 6+6 examples | "
             f"answered | seconds |", "|---|---:|---:|---:|---:|"]
    for mode, c in counts.items():
        share = lambda n: f"{n} ({100.0 * n / rows:.1f}%)" if rows else "0"
        lines.append(f"| {mode} | {share(c['equivalent'])} | {share(c['fits_examples'])} | {c['answered']} | "
                     f"{c['seconds']} |")
    return "\n".join(lines)
