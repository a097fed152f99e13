"""`nesy induce train|eval|distill|bench`: Neural Turing Machines and Pointer Networks trained on
algorithmic tasks, every output checked symbolically, distilled into RASP (docs/induction.md)."""
from __future__ import annotations

import argparse

from nesy.commands.options import nonnegative_int, output_file, positive_int

TASKS_HELP = ("NTM: copy, repeat_copy, associative_recall; Pointer Network: sort, hull, tsp, reverse")


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected whole numbers of at least 1, got {text!r}")
    return values


def _rate(text: str) -> float:
    from nesy.commands.options import positive_number
    return positive_number(text)


def _eta(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number of at least 0, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("induce", help="neural induction: NTM and Pointer Networks, checked and distilled",
                                   description="Train Neural Turing Machines and Pointer Networks on algorithmic "
                                   "tasks, check every output symbolically, distil them into RASP programs.")
    commands = parser.add_subparsers(dest="induce_command", metavar="ACTION")
    commands.required = True

    train = commands.add_parser("train", help="train a model on a task; write weights and a card (.json)",
                                epilog="exit status: 0 trained and written, 2 bad input, 130 interrupted")
    train.add_argument("task", help=TASKS_HELP)
    train.add_argument("--model", choices=("ntm", "pointer"), required=True)
    train.add_argument("--out", required=True, help="weights file (.pt); the card goes beside it (.json)")
    train.add_argument("--force", action="store_true", help="overwrite an existing file")
    train.add_argument("--seed", type=nonnegative_int, default=0)
    train.add_argument("--batch", type=positive_int, help="sequences per step (default: ntm 4, pointer 128)")
    train.add_argument("--lr", type=_rate, help="Adam learning rate (default: ntm 3e-3, pointer 1e-3)")
    train.add_argument("--noise", type=_eta, default=0.0, metavar="ETA",
                       help="gradient noise, variance ETA / (1 + step)^0.55 (default 0: none)")
    train.add_argument("--sequences", type=positive_int, default=20_000,
                       help="NTM: budget of training sequences (default 20000; stops earlier once converged)")
    train.add_argument("--no-curriculum", dest="curriculum", action="store_false",
                       help="NTM: lengths 1..max from the start (default: a growing maximum)")
    train.add_argument("--curriculum-start", type=positive_int, default=None, metavar="L",
                       help="NTM: the curriculum's first maximum length (default 6)")
    train.add_argument("--max-length", type=positive_int, default=20, help="NTM: longest training sequence (default 20)")
    train.add_argument("--steps", type=positive_int, default=2000, help="Pointer: training steps (default 2000)")
    train.add_argument("--sizes", type=_int_list, default=None,
                       help="Pointer: input sizes drawn per batch, e.g. 5,10 (default: sort/reverse 5,10; hull 5,10; tsp 5,10)")
    train.add_argument("--hidden", type=positive_int, default=128, help="Pointer: hidden units (default 128)")
    train.set_defaults(func=train_command)

    evaluate = commands.add_parser("eval", help="check every output of a trained model; failure report",
                                   epilog="exit status: 0 evaluated, 2 bad input")
    evaluate.add_argument("model", metavar="PATH", help="a model from `nesy induce train` (.pt)")
    evaluate.add_argument("--lengths", type=_int_list, default=None,
                          help="lengths (NTM) or input sizes (Pointer) to test, e.g. 20,40,80")
    evaluate.add_argument("--instances", type=positive_int, default=200, help="random inputs per length (default 200)")
    evaluate.add_argument("--seed", type=nonnegative_int, default=12345, help="seed of the test inputs")
    evaluate.add_argument("--failures", metavar="FILE", help="write the failure report with the failing inputs (.json)")
    evaluate.add_argument("--png", metavar="FILE", help="NTM copy: draw the read/write weightings on one example")
    evaluate.set_defaults(func=eval_command)

    distill = commands.add_parser("distill", help="synthesize a RASP program from a copy/sort/reverse model; "
                                  "prove how far program and network agree",
                                  epilog="exit status: 0 program == network on every input compared, "
                                  "1 none found or they differ, 2 bad input")
    distill.add_argument("model", metavar="PATH")
    distill.add_argument("--max-len", type=positive_int, default=6, help="compare on every input up to this length (default 6)")
    distill.add_argument("--timeout", type=_rate, default=60.0, help="seconds per search round (default 60)")
    distill.add_argument("--out", help="write the program here (.rasp)")
    distill.set_defaults(func=distill_command)

    bench = commands.add_parser("bench", help="the tables of docs/induction.md from the shipped weights and "
                                "their recorded training runs",
                                epilog="exit status: 0 done, 2 bad input")
    bench.add_argument("--json", dest="json_out", metavar="FILE", help="write the results here")
    bench.add_argument("--weights", default=None, metavar="DIR", help="folder of weights and runs (default datasets/induction)")
    bench.add_argument("--retrain", action="store_true",
                       help="train everything again into --weights (default out/induction): about 25 CPU-minutes")
    bench.add_argument("--instances", type=positive_int, default=500, help="test inputs per size (default 500)")
    bench.add_argument("--png", metavar="DIR", help="also draw the weightings and learning-curve pictures here")
    bench.set_defaults(func=bench_command)


def _distill_task(task: str) -> str:
    from dsl.errors import NesyInputError
    if task not in ("copy", "sort", "reverse"):
        raise NesyInputError(f"distillation is for copy (NTM), sort and reverse (Pointer) models; this one is {task}")
    return task


def train_command(args: argparse.Namespace) -> int:
    import torch
    from tqdm import tqdm
    from dsl.errors import NesyInputError
    from nesy.induction import files, train

    output_file(args.out, "--out", force=args.force)
    torch.set_num_threads(1)
    if args.model == "ntm":
        if args.task not in train.NTM_TASKS:
            raise NesyInputError(f"task {args.task!r} is not an NTM task (NTM: {', '.join(train.NTM_TASKS)})")
        default = train.NTMTrainConfig()
        config = train.NTMTrainConfig(task=args.task, seed=args.seed, batch=args.batch or default.batch,
                                      learning_rate=args.lr or default.learning_rate, noise_eta=args.noise,
                                      max_length=args.max_length, curriculum=args.curriculum,
                                      curriculum_start=args.curriculum_start or default.curriculum_start,
                                      max_sequences=args.sequences)
        with tqdm(total=config.max_sequences, unit="seq", leave=False) as bar:
            model, record = train.train_ntm(config, lambda p: (bar.update(config.batch),
                                                               bar.set_postfix(val=p.get("val_bit_errors", "-"))))
        summary = f"sequences to converge: {record['sequences_to_converge']}"
    else:
        if args.task not in train.POINTER_TASKS:
            raise NesyInputError(f"task {args.task!r} is not a Pointer Network task "
                                 f"(Pointer: {', '.join(train.POINTER_TASKS)})")
        config = train.PointerTrainConfig(task=args.task, seed=args.seed, batch=args.batch or 128,
                                          learning_rate=args.lr or 1e-3, noise_eta=args.noise,
                                          sizes=tuple(args.sizes or (5, 10)), steps=args.steps, hidden=args.hidden)
        with tqdm(total=config.steps, unit="step", leave=False) as bar:
            model, record = train.train_pointer(config, lambda p: bar.update(1))
        last = [p for p in record["curve"] if "val_exact" in p][-1]
        summary = f"held-out exact: {last['val_exact']}"
    record["command"] = "nesy induce train " + " ".join(_argv_tail(args))
    card = files.save(model, record, args.out)
    print(f"{summary}; {record['cpu_seconds']} CPU seconds")
    print(f"wrote {args.out} and {card}")
    return 0


def _argv_tail(args: argparse.Namespace) -> list[str]:
    import sys
    argv = sys.argv[1:]
    return argv[argv.index("train") + 1:] if "train" in argv else [args.task, "--model", args.model, "--out", args.out]


def eval_command(args: argparse.Namespace) -> int:
    import torch
    from dsl.errors import NesyInputError
    from nesy.induction import evaluate, files

    torch.set_num_threads(1)
    model, blob = files.load(args.model)
    if args.failures:
        output_file(args.failures, "--failures")
    if args.png:
        output_file(args.png, "--png")
    if blob["kind"] == "ntm":
        lengths = args.lengths or [20, 40, 80]
        table, report = evaluate.evaluate_ntm(model, blob["task"], lengths, args.instances, args.seed)
        print(f"{'length':>7} {'bit errors/seq':>15} {'exact':>7}")
        for length, row in table.items():
            print(f"{length:>7} {row['bit_errors']:>15.3f} {100 * row['exact']:>6.1f}%")
    else:
        lengths = args.lengths or [5, 10, 20]
        if blob["task"] in ("hull", "tsp") and min(lengths) < 3:
            raise NesyInputError(f"--lengths: {blob['task']} needs at least 3 points")
        if blob["task"] == "tsp" and max(lengths) > 12:
            raise NesyInputError("--lengths: the exact TSP optimum (dynamic programming) is for n <= 12")
        table, report = evaluate.evaluate_pointer(model, blob["task"], lengths, args.instances, args.seed)
        print(f"{'n':>5} {'exact':>7}" + ("  tour/optimal" if blob["task"] == "tsp" else ""))
        for n, row in table.items():
            extra = f"  {row['mean_length']:.3f}/{row['optimal']:.3f}" if blob["task"] == "tsp" else ""
            print(f"{n:>5} {100 * row['exact']:>6.1f}%{extra}")
    print(report)
    if args.failures:
        report.save(args.failures)
        print(f"wrote {args.failures} ({len(report.failures)} failing inputs kept)")
    if args.png:
        if blob["kind"] != "ntm" or blob["task"] != "copy":
            raise NesyInputError("--png draws an NTM copy model's weightings")
        from nesy.induction.plots import weightings_png
        weightings_png(model, args.png)
        print(f"wrote {args.png}")
    return 0


def distill_command(args: argparse.Namespace) -> int:
    from nesy.induction import files
    from nesy.induction.distill import NTMCopyQuery, PointerQuery, distill_network

    model, blob = files.load(args.model)
    task = _distill_task(blob["task"])
    if args.out:
        output_file(args.out, "--out")
    query = NTMCopyQuery(model) if blob["kind"] == "ntm" else PointerQuery(model)
    train_length = 20 if blob["kind"] == "ntm" else max(files.load_card(args.model)["train_config"]["sizes"])
    found = distill_network(task, query, max_len=args.max_len, train_length=train_length, timeout=args.timeout)
    print(f"program: {found.program}")
    print(f"status: {found.status}")
    for who in ("network", "program"):
        print(f"{who:>8} exact: " + ", ".join(f"length {k}: {100 * v:.1f}%" for k, v in found.accuracy[who].items()))
    if args.out and found.program:
        with open(args.out, "w") as out:
            out.write(found.program + "\n")
        print(f"wrote {args.out}")
    return 0 if found.agrees else 1


def bench_command(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path
    import torch
    from nesy.commands.options import write_atomically
    from nesy.induction import bench

    torch.set_num_threads(1)
    if args.json_out:
        output_file(args.json_out, "--json")
    folder = Path(args.weights) if args.weights else (Path("out/induction") if args.retrain else bench.SHIPPED)
    if args.retrain:
        folder.mkdir(parents=True, exist_ok=True)
        bench.retrain(folder, progress=print)
    results = bench.run(folder, args.instances, png_dir=Path(args.png) if args.png else None,
                        on_result=(lambda r: write_atomically(args.json_out, json.dumps(r, indent=1)))
                        if args.json_out else None)
    print(bench.format_tables(results))
    return 0
