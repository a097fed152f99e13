"""`nesy train csg --out PATH`: generate synthetic programs, train the CSG proposer, write weights
(with their card inside and beside them as .json). Parsing imports no torch; running does."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

DEFAULT_OUT = "out/csg/proposer.pt"      # outside datasets/, where the shipped weights live


def add_parser(models: argparse._SubParsersAction) -> None:
    from nesy.commands.options import nonnegative_int, positive_int

    parser = models.add_parser("csg", help="the CSG proposer (picture -> postfix programs)",
                               description="Generate CSGNet-style synthetic programs (train split), train the "
                               "CNN + GRU proposer by teacher forcing, write weights and a card (.json).",
                               epilog="exit status: 0 trained and written, 2 bad input or options (an existing "
                               "output file without --force), 130 interrupted (nothing written). Use the result "
                               "with 'nesy bench csg --guide OUT'. See docs/csg.md.")
    parser.add_argument("--out", metavar="FILE", help=f"weights file to write (default {DEFAULT_OUT})")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file (the shipped one included)")
    parser.add_argument("--per-length", type=positive_int, default=10_000, metavar="N",
                        help="training programs per length 3, 5, ..., 13 (default 10000)")
    parser.add_argument("--val-per-length", type=positive_int, default=100, metavar="N",
                        help="validation programs per length, for the curve (default 100)")
    parser.add_argument("--steps", type=positive_int, default=1500, metavar="N", help="batches of 128 (default 1500)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed of data and training (default 0)")
    parser.add_argument("--start", metavar="FILE", help="go on training these weights (their card is kept as "
                        "the first stage of the new one)")
    parser.set_defaults(func=run_train_csg)


def run_train_csg(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from nesy.commands.options import output_file
    from nesy.csg.model import load_proposer, save_proposer
    from nesy.csg.train import TrainConfig, token_rows, train_proposer

    out = output_file(args.out or DEFAULT_OUT, "--out", args.force)
    card_path = output_file(Path(out).with_suffix(".json"), "--out (its card)", args.force)
    start, earlier = load_proposer(args.start) if args.start else (None, None)
    config = TrainConfig(per_length=args.per_length, val_per_length=args.val_per_length, steps=args.steps,
                         seed=args.seed)
    started = time.perf_counter()
    train_rows = token_rows(config.per_length, config.seed, "train")
    val_rows = token_rows(config.val_per_length, config.seed, "val")
    data_seconds = time.perf_counter() - started
    print(f"data: {len(train_rows)} train, {len(val_rows)} val programs in {data_seconds:.0f} s", file=sys.stderr)
    model, curve = train_proposer(train_rows, val_rows, config, log=lambda line: print(line, file=sys.stderr),
                                  start=start)
    card = {"command": f"nesy train csg --out {out} --per-length {args.per_length} --val-per-length {args.val_per_length} "
                       f"--steps {args.steps} "
                       f"--seed {args.seed}" + (f" --start {args.start}" if args.start else ""),
            "seed": args.seed, "data": {"train_programs": len(train_rows), "val_programs": len(val_rows),
                                        "source": "dsl.csg.generator, lengths 3..13, train / val split"},
            "train_config": asdict(config), "model_config": {**asdict(model.config), "channels": list(model.config.channels)},
            "parameters": sum(p.numel() for p in model.parameters()), "curve": curve,
            "data_seconds": round(data_seconds, 1), "total_seconds": round(time.perf_counter() - started, 1),
            "load_average_at_end": round(os.getloadavg()[0], 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"}
    if earlier is not None:
        card["first_stage"] = earlier
    save_proposer(model, card, out)
    card_path.write_text(json.dumps(card, indent=1))
    print(f"wrote {out} and {card_path} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0
