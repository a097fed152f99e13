"""`nesy train guide --dsl strings --out PATH`: make training data from the DSL and fit the guide;
`nesy train ranker --out PATH`: the same for the ranker that picks among programs that fit;
`nesy train csg --out PATH`: the CSG proposer (`nesy.csg.command`);
`nesy train nl-regex`: the English description -> regex model (`nesy.nlregex.command`)."""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from dsl.errors import NesyInputError


DEFAULT_OUT = "out/guides/{dsl}.pt"  # outside datasets/, where the shipped weights live
DEFAULT_RANKER_OUT = "out/guides/ranker-strings.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    from nesy.commands.options import add_executor_options, dsl_help, nonnegative_int, positive_int

    parser = subparsers.add_parser("train", help="train neural models (the search guide, the ranker, the CSG proposer)",
                                   description="Train a model from data the DSL itself generates.")
    models = parser.add_subparsers(dest="model", metavar="MODEL")
    models.required = True
    guide = models.add_parser("guide", help="the value scorer and op prior for bottom-up search",
                              description="Sample random inputs and programs of the DSL, label the values "
                              "bottom-up search builds, train the guide, write weights and a card (.json).",
                              epilog="exit status: 0 trained and written, 2 bad input or options (an existing "
                              "output file without --force), 130 interrupted (nothing written). Use the result "
                              "with 'nesy synth FILE --guide OUT'. See docs/guides.md.")
    guide.add_argument("--dsl", default="strings", metavar="NAME", help=dsl_help("strings"))
    guide.add_argument("--out", metavar="FILE",
                       help=f"weights file to write (.pt); the card goes beside it as .json (default {DEFAULT_OUT})")
    guide.add_argument("--force", action="store_true",
                       help="overwrite an existing weights file or card (the shipped ones included)")
    guide.add_argument("--values", type=positive_int, default=100_000, metavar="N",
                       help="labelled values to generate (default 100000)")
    guide.add_argument("--seed", type=nonnegative_int, default=0, help="seed of data and training (default 0)")
    guide.add_argument("--jobs", type=positive_int, default=2, metavar="N",
                       help="parts the data is made in, run at once (default 2); the parts' seeds depend on it, so "
                       "the data does too, but not on --executor")
    add_executor_options(guide)
    guide.add_argument("--epochs", type=positive_int, default=12, metavar="N", help="training epochs (default 12)")
    guide.add_argument("--pool-candidates", type=positive_int, default=40_000, metavar="N",
                       help="enumeration budget per random pool (default 40000)")
    guide.set_defaults(func=run_guide)
    ranker = models.add_parser("ranker", help="the ranker that picks among the string programs that fit",
                               description="Make string tasks from random programs of the DSL, collect the "
                               "programs search finds for them, label each by the held-out rows, fit the ranker "
                               "and measure it against search's own order on tasks it never saw; write one "
                               "JSON file (weights and card).",
                               epilog="exit status: 0 trained and written, 2 bad input or options (an existing "
                               "output file without --force), 130 interrupted (nothing written). Use the result "
                               "with 'nesy synth FILE --ranker OUT'. See docs/generalization.md.")
    ranker.add_argument("--out", metavar="FILE", help=f"ranker file to write (default {DEFAULT_RANKER_OUT})")
    ranker.add_argument("--force", action="store_true", help="overwrite an existing file (the shipped one included)")
    ranker.add_argument("--tasks", type=positive_int, default=2000, metavar="N",
                        help="generated training tasks (default 2000)")
    ranker.add_argument("--eval-tasks", type=positive_int, default=600, metavar="N",
                        help="generated evaluation tasks, never trained on (default 600)")
    ranker.add_argument("--seed", type=nonnegative_int, default=0, help="seed of data and training (default 0)")
    ranker.add_argument("--jobs", type=positive_int, default=2, metavar="N",
                        help="processes generating data; the data does not depend on it, nor on --executor "
                        "(default 2)")
    add_executor_options(ranker)
    ranker.set_defaults(func=run_ranker)
    from nesy.csg.command import add_parser as add_csg_parser

    add_csg_parser(models)
    from nesy.nlregex.command import add_train_parser as add_nl_regex_parser

    add_nl_regex_parser(models)


def output_paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The weights file and its card, checked before hours of work: an existing file is kept
    unless --force (the README's command once overwrote the shipped weights)."""
    from nesy.commands.options import output_file

    weights = Path(args.out or DEFAULT_OUT.format(dsl=args.dsl))
    card = weights.with_suffix(".json")
    if weights == card:
        raise NesyInputError("--out: the weights file needs a suffix other than .json (e.g. .pt)", path=str(weights))
    return output_file(weights, "--out", args.force), output_file(card, "--out (its card)", args.force)


def run_guide(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from dsl.registry import get_dsl
    from nesy.executors import executor_from_args
    from nesy.guides.data import DataConfig, describe, generate_parallel
    from nesy.guides.model import save_weights
    from nesy.guides.train import TrainConfig, train_guide

    dsl = get_dsl(args.dsl)
    out, card_path = output_paths(args)
    started = time.monotonic()
    print(f"generating {args.values} labelled values from DSL {dsl.name!r} ({args.jobs} parts on {args.executor}, "
          f"seed {args.seed})", file=sys.stderr)
    data_config = DataConfig(pool_candidates=args.pool_candidates)
    with executor_from_args(args) as executor:
        data = generate_parallel(dsl.name, args.values, args.seed, args.jobs, data_config, executor)
    data_seconds = time.monotonic() - started
    sizes = describe(data)
    print(f"data: {sizes} in {data_seconds:.0f} s", file=sys.stderr)
    train_config = TrainConfig(epochs=args.epochs, seed=args.seed, threads=min(2, max(1, args.jobs)))
    weights, curve = train_guide(data, dsl.name, tuple(op.signature for op in dsl.ops), train_config,
                                 log=lambda line: print(line, file=sys.stderr))
    weights.card = {
        "command": " ".join(["nesy", "train", "guide", "--dsl", args.dsl, "--out", str(out), "--values",
                             str(args.values), "--seed", str(args.seed), "--jobs", str(args.jobs), "--epochs",
                             str(args.epochs), "--pool-candidates", str(args.pool_candidates)]),
        "seed": args.seed, "data": sizes, "data_config": asdict(data_config), "train_config": asdict(train_config),
        "data_executor": executor.describe(), "data_seconds": round(data_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "curve": curve, "calibration": weights.calibration,
        "machine": f"{platform.machine()}, python {platform.python_version()}",
    }
    save_weights(weights, out)
    card_path.write_text(json.dumps(weights.card, indent=1, default=str))
    print(f"wrote {out} and {card_path} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


def run_ranker(args: argparse.Namespace) -> int:
    from nesy.commands.options import output_file, write_atomically
    from nesy.executors import executor_from_args
    from nesy.ranking.model import to_text
    from nesy.ranking.train import TrainConfig, fit_and_measure, make_data

    out = output_file(args.out or DEFAULT_RANKER_OUT, "--out", args.force)
    started = time.monotonic()

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    with executor_from_args(args) as executor:
        data = make_data(args.tasks, args.eval_tasks, args.seed, args.jobs, log=log, executor=executor)
    weights = fit_and_measure(data, TrainConfig(seed=args.seed), log)
    weights.card["data_executor"] = executor.describe()
    weights.card["command"] = " ".join(["nesy", "train", "ranker", "--out", str(out), "--tasks", str(args.tasks),
                                        "--eval-tasks", str(args.eval_tasks), "--seed", str(args.seed)])
    write_atomically(out, to_text(weights))
    print(f"wrote {out} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0
