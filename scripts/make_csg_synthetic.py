#!/usr/bin/env python3
"""Write a synthetic CSG target set: postfix programs in CSGNet's grammar, N per length, from the
test split (by image hash, so a training set made with the train split never shares a picture).

usage: scripts/make_csg_synthetic.py OUT.txt [--per-length N] [--seed S] [--split test]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dsl.csg.generator import LENGTHS, SPLITS, generate  # noqa: E402
from dsl.csg.syntax import print_postfix  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-length", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=sorted(SPLITS), default="test")
    args = parser.parse_args()
    lines = [f"# {args.per_length} programs per length {', '.join(map(str, LENGTHS))}, seed {args.seed}, "
             f"split {args.split}: scripts/make_csg_synthetic.py"]
    for length in LENGTHS:
        lines += [print_postfix(p) for p in generate(length, args.per_length, args.seed, args.split)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"{args.out}: {len(lines) - 1} programs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
