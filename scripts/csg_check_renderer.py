#!/usr/bin/env python3
"""Check nesy's CSG renderer and metrics against the independent reference scorer
(../shared/tools/csg_score.py, which draws with scikit-image and scores with OpenCV).

usage: scripts/csg_check_renderer.py [--programs N] [--seed S] [--reference PATH] [--targets NPZ]

Draws N random programs (random trees of 1-7 CSGNet terminals, unfiltered, so blank and
degenerate shapes are included) with both renderers and counts the programs whose pixels differ;
then scores each program's image against a target (a CAD shape when --targets is given, else
another random program) with both scorers and prints the largest IoU and CD differences.
Needs scikit-image and opencv-python-headless (for the reference only; nesy's renderer is numpy).
Exit 1 when any pixel differs.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dsl.csg.generator import random_tree  # noqa: E402
from dsl.csg.metrics import chamfer, iou  # noqa: E402
from dsl.csg.render import render_tokens  # noqa: E402
from dsl.csg.canvas import unpack  # noqa: E402
from dsl.csg.syntax import print_postfix  # noqa: E402
from dsl.csg.tokens import token_array  # noqa: E402


def load_reference(path: Path):
    spec = importlib.util.spec_from_file_location("csg_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "tools" / "csg_score.py")
    parser.add_argument("--targets", type=Path, default=None, help="an .npz of images (key images) to score against")
    args = parser.parse_args()
    reference = load_reference(args.reference)
    rng = np.random.default_rng(args.seed)
    programs = [random_tree(int(rng.integers(1, 8)), rng) for _ in range(args.programs)]
    started = time.perf_counter()
    ours = unpack(render_tokens(token_array(programs)))
    seconds = time.perf_counter() - started
    theirs = np.stack([reference.render(print_postfix(p)) for p in programs])
    differing = int((ours != theirs).any(axis=(1, 2)).sum())
    print(f"renderer: {args.programs} programs, {differing} with any pixel different "
          f"({args.programs / seconds:,.0f} programs/s batched)")
    if args.targets is not None:
        images = np.load(args.targets)["images"].astype(bool)
        targets = images[rng.integers(len(images), size=len(programs))]
    else:
        targets = np.roll(theirs, 1, axis=0)
    our_iou, our_cd = iou(ours, targets), chamfer(ours, targets)
    ref_iou = np.array([reference.iou(a, b) for a, b in zip(theirs, targets)])
    ref_cd = np.array([reference.chamfer(a, b) for a, b in zip(theirs, targets)])
    print(f"metrics on {len(programs)} pairs: largest |IoU difference| {np.abs(our_iou - ref_iou).max():.2e}, "
          f"largest |CD difference| {np.abs(our_cd - ref_cd).max():.2e} (numpy Canny and distance transform)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
