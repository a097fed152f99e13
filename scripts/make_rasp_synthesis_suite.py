"""Write datasets/rasp/synthesis.jsonl: RASP synthesis tasks given only as input/output examples.

Each task has a reference program: a library program of datasets/rasp/ (run on its library
vocabulary and length) or one of the Tracr / RASP-L / MIPS-style programs below. Inputs are drawn
seeded; examples are picked round-robin across the distinct outputs the draws show (so a task whose
random inputs are nearly always "unbalanced" still gets balanced examples), 10 train and 20 held
out per task. Run: `.venv/bin/python scripts/make_rasp_synthesis_suite.py` (same file every time).
"""
from __future__ import annotations

import json
import random
from fractions import Fraction

from dsl.rasp import LIBRARY_DIR, load, run
from dsl.rasp.values import format_value, identity_key

OUT = LIBRARY_DIR / "synthesis.jsonl"
TRAIN, TESTS, DRAWS, SEED = 10, 20, 400, 0

# (name, vocab, max_len, RASP source): in the style of Tracr's library, RASP-L (Zhou et al. 2023)
# and MIPS's algorithmic tasks, restricted to what RASP computes position by position
EXTRA: list[tuple[str, list, int, str]] = [
    ("copy", ["a", "b", "c"], 5, "tokens;"),
    ("first", ["a", "b", "c"], 5, "aggregate(select(indices, 0, ==), tokens);"),
    ("last", ["a", "b", "c"], 5, "aggregate(select(indices, length - 1, ==), tokens);"),
    ("shift_by_2", ["a", "b", "c"], 5, "aggregate(select(indices, indices - 2, ==), tokens);"),
    ("shift_left", ["a", "b", "c"], 5, "aggregate(select(indices, indices + 1, ==), tokens);"),
    ("rotate_left", ["a", "b", "c"], 5, "aggregate(select(indices, (indices + 1) % length, ==), tokens);"),
    ("swap_pairs", ["a", "b", "c"], 5, "aggregate(select(indices, indices + 1 - 2 * (indices % 2), ==), tokens);"),
    ("mode", ["a", "b", "c"], 5, "aggregate(select(indices, indices, true), tokens);"),
    ("running_count_a", ["a", "b"], 5, 'selector_width(select(tokens, "a", ==) and select(indices, indices, <=));'),
    ("first_occurrence", ["a", "b", "c"], 5,
     "selector_width(select(tokens, tokens, ==) and select(indices, indices, <)) == 0;"),
    ("double_hist", ["a", "b", "c"], 5,
     "hist = selector_width(select(tokens, tokens, ==)); selector_width(select(hist, hist, ==));"),
    ("count_smaller", [1, 2, 3, 4], 5, "selector_width(select(tokens, tokens, <));"),
    ("max_token", [1, 2, 3, 4], 5, "aggregate(select(selector_width(select(tokens, tokens, >)), 0, ==), tokens);"),
    ("frac_a", ["a", "b"], 5, 'numerical aggregate(select(indices, indices, true), tokens == "a");'),
    ("sum_all", [0, 1, 2], 5, "numerical aggregate(select(indices, indices, true), tokens) * length;"),
    ("prefix_mean", [1, 2, 3], 5, "numerical aggregate(select(indices, indices, <=), tokens);"),
    ("equals_previous", ["a", "b"], 5, "tokens == aggregate(select(indices, indices - 1, ==), tokens);"),
    ("mirror_equal", ["a", "b"], 5, "tokens == aggregate(select(indices, length - indices - 1, ==), tokens);"),
    ("increment", [1, 2, 3, 4], 5, "map(lambda x: x + 1, tokens);"),
    ("parity_count_a", ["a", "b"], 5, 'selector_width(select(tokens, "a", ==)) % 2;'),
    ("sort_desc_unique", [1, 2, 3, 4, 5], 5,
     "aggregate(select(selector_width(select(tokens, tokens, >)), indices, ==), tokens);"),
]


def library_tasks() -> list[tuple[str, list, int, str, str]]:
    entries = json.loads((LIBRARY_DIR / "library.json").read_text())["programs"]
    return [(e["program"], e["vocab"], e["max_len"], (LIBRARY_DIR / f"{e['program']}.rasp").read_text(),
             e["program"]) for e in entries]


def as_json(value):
    """Exact values in JSON: a fraction as its text ("1/3", "0.5"), as the reader takes it."""
    return format_value(value) if isinstance(value, Fraction) else value


def pick_examples(source: str, vocab: list, max_len: int, rng: random.Random) -> list[dict]:
    """TRAIN + TESTS distinct inputs, round-robin over output kinds (the set of values an output holds)."""
    program = load(source)
    by_kind: dict[tuple, list[dict]] = {}
    seen: set[tuple] = set()
    for _ in range(DRAWS):
        tokens = [rng.choice(vocab) for _ in range(rng.randint(1, max_len))]
        if tuple(tokens) in seen:
            continue
        seen.add(tuple(tokens))
        output = run(program, tokens)
        kind = tuple(sorted({repr(identity_key(v)) for v in output}))
        by_kind.setdefault(kind, []).append({"input": tokens, "output": [as_json(v) for v in output]})
    picked: list[dict] = []
    queues = [by_kind[k] for k in sorted(by_kind)]
    while len(picked) < TRAIN + TESTS and any(queues):
        for queue in queues:
            if queue and len(picked) < TRAIN + TESTS:
                picked.append(queue.pop(0))
    rng.shuffle(picked)
    return picked


def main() -> None:
    rng = random.Random(SEED)
    tasks = library_tasks() + [(name, vocab, max_len, source, "") for name, vocab, max_len, source in EXTRA]
    lines = []
    for name, vocab, max_len, source, library in tasks:
        examples = pick_examples(source, vocab, max_len, rng)
        record = {"name": name, "vocab": vocab, "max_len": max_len, "examples": examples[:TRAIN],
                  "tests": examples[TRAIN:], "reference": source}
        if library:
            record["library"] = library
        lines.append(json.dumps(record))
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} tasks to {OUT}")


if __name__ == "__main__":
    main()
