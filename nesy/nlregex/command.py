"""`nesy train nl-regex`: fit the description -> regex model on Deep-Regex data and write it with a card."""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from dsl.errors import NesyInputError

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "datasets" / "nlregex" / "model.pt"
DEFAULT_TRAIN_OUT = "out/nlregex/model.pt"


def add_train_parser(models: argparse._SubParsersAction) -> None:
    from nesy.commands.options import nonnegative_int, positive_int

    parser = models.add_parser(
        "nl-regex", help="the English description -> regex seq2seq model (Deep-Regex data)",
        description="Train the encoder-decoder with attention on the train splits of Deep-Regex's datasets "
        "(read by path), keep the weights with the lowest validation loss, write them (.pt) and a card (.json).",
        epilog="exit status: 0 trained and written, 2 bad input or options (an existing output without --force), "
        "130 interrupted (nothing written). Use it with 'nesy regex from-text' and 'nesy bench nl-regex "
        "--model OUT'. See docs/nl-regex.md.")
    parser.add_argument("--suite", metavar="DIR", default=None,
                        help="the nl-regex root or one dataset folder (default ../shared/benchmarks/nl-regex)")
    parser.add_argument("--datasets", default="turk,synth,kushman", metavar="A,B",
                        help="dataset folders under the root to train on together (default turk,synth,kushman)")
    parser.add_argument("--out", metavar="FILE", default=DEFAULT_TRAIN_OUT,
                        help=f"weights file to write (.pt); the card goes beside it as .json (default {DEFAULT_TRAIN_OUT})")
    parser.add_argument("--force", action="store_true", help="overwrite existing files (the shipped model included)")
    parser.add_argument("--steps", type=positive_int, default=4000, help="optimizer steps (default 4000)")
    parser.add_argument("--batch", type=positive_int, default=64, help="pairs per step (default 64)")
    parser.add_argument("--hidden", type=positive_int, default=256, help="decoder state size (default 256)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this much wall time, keeping the best weights so far (default: no limit)")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout rate (default 0.2)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed (default 0)")
    parser.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N",
                        help="train on the first N pairs of each dataset only (a quick check)")
    parser.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    from nesy.commands.options import output_file
    from nesy.nlregex.data import dataset_dirs, default_root, read_pairs, split_file_name
    from nesy.nlregex.train import TrainConfig, train_model

    out = Path(args.out)
    card_path = out.with_suffix(".json")
    if out == card_path:
        raise NesyInputError("--out: the weights file needs a suffix other than .json (e.g. .pt)", path=str(out))
    out, card_path = output_file(out, "--out", args.force), output_file(card_path, "--out (its card)", args.force)
    root = Path(args.suite) if args.suite else default_root()
    folders = dataset_dirs(root)
    if len(folders) > 1 or folders[0] == root and not any(root.glob("src-*.txt")):
        wanted = [name.strip() for name in args.datasets.split(",") if name.strip()]
        by_name = {folder.name: folder for folder in folders}
        missing = [name for name in wanted if name not in by_name]
        if missing:
            raise NesyInputError(f"--datasets: no folder {', '.join(missing)} under {root} "
                                 f"(found {', '.join(sorted(by_name))})")
        folders = [by_name[name] for name in wanted]
    train, val = [], []
    for folder in folders:
        pairs = read_pairs(folder, "train")
        train += pairs[:args.limit] if args.limit else pairs
        if split_file_name(folder, "test") == "val":
            continue     # KB13: its val split is the test split, so it must not pick the weights
        val += read_pairs(folder, "val")[:300]
    if not 0.0 <= args.dropout < 1.0:
        raise NesyInputError(f"--dropout: expected a rate in [0, 1), got {args.dropout}")
    config = TrainConfig(steps=args.steps, batch=args.batch, hidden=args.hidden, dropout=args.dropout, seed=args.seed,
                         threads=args.threads, seconds=args.seconds)
    print(f"training on {len(train)} pairs from {', '.join(f.name for f in folders)} "
          f"(validating on {len(val)}), {args.steps} steps", file=sys.stderr)
    started = time.monotonic()
    model = train_model(train, val, config, log=lambda line: print(line, file=sys.stderr))
    model.card.update({
        "command": " ".join(["nesy", "train", "nl-regex", "--datasets", ",".join(f.name for f in folders), "--steps",
                             str(args.steps), "--batch", str(args.batch), "--hidden", str(args.hidden), "--dropout",
                             str(args.dropout), "--seed",
                             str(args.seed), "--threads", str(args.threads)]
                            + (["--limit", str(args.limit)] if args.limit else [])),
        "data": {f.name: f"{f}/src-train.txt, targ-train.txt" + (" (val: src-val.txt, first 300)" if split_file_name(
            f, "test") != "val" else " (no validation: its val split is the test split)") for f in folders},
        "seed": args.seed, "machine": f"{platform.machine()}, python {platform.python_version()}",
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    card_path.write_text(json.dumps(model.card, indent=1))
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and {card_path} ({time.monotonic() - started:.0f} s)",
          file=sys.stderr)
    return 0
