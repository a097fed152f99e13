"""`nesy train guide --dsl strings --out PATH`: make training data from the DSL and fit the guide."""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train neural models (the search guide)",
                                   description="Train a model from data the DSL itself generates.")
    models = parser.add_subparsers(dest="model", metavar="MODEL")
    models.required = True
    guide = models.add_parser("guide", help="the value scorer and op prior for bottom-up search",
                              description="Sample random inputs and programs of the DSL, label the values "
                              "bottom-up search builds, train the guide, write weights and a card (.json).")
    guide.add_argument("--dsl", default="strings", help="DSL name (default: strings)")
    guide.add_argument("--out", required=True, help="weights file to write (.pt); the card goes beside it")
    guide.add_argument("--values", type=int, default=100_000, help="labelled values to generate (default 100000)")
    guide.add_argument("--seed", type=int, default=0, help="seed of data and training (default 0)")
    guide.add_argument("--jobs", type=int, default=2, help="processes generating data (default 2)")
    guide.add_argument("--epochs", type=int, default=12, help="training epochs (default 12)")
    guide.add_argument("--pool-candidates", type=int, default=40_000, help="enumeration budget per random pool")
    guide.set_defaults(func=run_guide)


def run_guide(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from dsl.registry import get_dsl
    from nesy.guides.data import DataConfig, describe, generate_parallel
    from nesy.guides.model import save_weights
    from nesy.guides.train import TrainConfig, train_guide

    dsl = get_dsl(args.dsl)
    started = time.monotonic()
    print(f"generating {args.values} labelled values from DSL {dsl.name!r} ({args.jobs} jobs, seed {args.seed})",
          file=sys.stderr)
    data_config = DataConfig(pool_candidates=args.pool_candidates)
    data = generate_parallel(dsl.name, args.values, args.seed, args.jobs, data_config)
    data_seconds = time.monotonic() - started
    sizes = describe(data)
    print(f"data: {sizes} in {data_seconds:.0f} s", file=sys.stderr)
    train_config = TrainConfig(epochs=args.epochs, seed=args.seed, threads=min(2, max(1, args.jobs)))
    weights, curve = train_guide(data, dsl.name, tuple(op.signature for op in dsl.ops), train_config,
                                 log=lambda line: print(line, file=sys.stderr))
    weights.card = {
        "command": " ".join(["nesy", "train", "guide", "--dsl", args.dsl, "--out", args.out, "--values",
                             str(args.values), "--seed", str(args.seed), "--jobs", str(args.jobs), "--epochs",
                             str(args.epochs), "--pool-candidates", str(args.pool_candidates)]),
        "seed": args.seed, "data": sizes, "data_config": asdict(data_config), "train_config": asdict(train_config),
        "data_seconds": round(data_seconds, 1), "total_seconds": round(time.monotonic() - started, 1),
        "curve": curve, "calibration": weights.calibration,
        "machine": f"{platform.machine()}, python {platform.python_version()}",
    }
    save_weights(weights, args.out)
    card_path = Path(args.out).with_suffix(".json")
    card_path.write_text(json.dumps(weights.card, indent=1, default=str))
    print(f"wrote {args.out} and {card_path} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0
