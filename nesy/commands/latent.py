"""`nesy latent train DOMAIN` and `nesy latent eval DOMAIN --steps 0,10,100`: the latent program
network (LPN) and its test-time search, alone and checked by the symbolic side (docs/latent.md)."""
from __future__ import annotations

import argparse
import json
import platform
import sys
from dataclasses import replace
from pathlib import Path

from dsl.errors import NesyInputError

DOMAINS = ("seqrules",)
DEFAULT_OUT = "out/latent/{domain}.pt"        # outside datasets/, where the shipped weights live


def _numbers(option: str):
    """A parser of comma-separated whole numbers >= 0 for `option` (sorted, without repeats)."""

    def parse(text: str) -> tuple[int, ...]:
        try:
            numbers = tuple(int(part) for part in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} is a comma-separated list of whole numbers, not {text!r}") from None
        if not numbers or any(n < 0 for n in numbers):
            raise argparse.ArgumentTypeError(f"{option} needs whole numbers >= 0, not {text!r}")
        return tuple(sorted(set(numbers)))

    return parse


def _shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard is K/N with whole numbers, not {text!r}") from None
    if n < 1 or not 0 <= k < n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 0 <= K < N, not {text!r}")
    return k, n


def register(subparsers: argparse._SubParsersAction) -> None:
    from nesy.commands.options import nonnegative_int, positive_int

    parser = subparsers.add_parser("latent", help="latent program networks (LPN): train, and search at test time",
                                   description="The latent program network: an encoder of input/output pairs, a "
                                   "decoder p(y | x, z), gradient search on z at test time, and the symbolic side "
                                   "checking what it proposes. See docs/latent.md.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    train = actions.add_parser("train", help="train LPN on a domain's generated tasks",
                               description="Train LPN on fresh tasks of the domain's generator (leave-one-out "
                               "reconstruction, KL, 0 or 1 latent gradient steps in training); write the weights "
                               "and a card (.json) beside them.",
                               epilog="exit status: 0 written, 2 bad input or options. Ctrl-C stops training and "
                               "writes the network as it is (the card says so).")
    train.add_argument("domain", choices=DOMAINS, metavar="DOMAIN", help=f"one of: {', '.join(DOMAINS)}")
    train.add_argument("--out", metavar="FILE", help=f"weights to write (default {DEFAULT_OUT})")
    train.add_argument("--force", action="store_true", help="overwrite an existing weights file")
    train.add_argument("--init", metavar="FILE", help="go on training these weights (e.g. Grad 1 after Grad 0)")
    train.add_argument("--steps", type=positive_int, default=3000, help="optimizer steps (default 3000)")
    train.add_argument("--batch", type=positive_int, default=64, help="tasks per step (default 64)")
    train.add_argument("--lr", type=float, default=1e-3, help="learning rate (default 0.001)")
    train.add_argument("--grad-steps", type=nonnegative_int, default=0,
                       help="latent gradient steps inside training: 0 (Grad 0) or 1 (Grad 1) (default 0)")
    train.add_argument("--inner-lr", type=float, default=0.5,
                       help="size of the in-training latent step, on a gradient clipped to norm 1 (default 0.5)")
    train.add_argument("--d-model", type=positive_int, default=64, help="transformer width (default 64)")
    train.add_argument("--encoder-layers", type=positive_int, default=3, help="encoder layers (default 3)")
    train.add_argument("--decoder-layers", type=positive_int, default=2, help="decoder layers (default 2)")
    train.add_argument("--latent", type=positive_int, default=32, help="latent dimensions (default 32)")
    train.add_argument("--seed", type=nonnegative_int, default=0, help="seed of data and initialisation (default 0)")
    train.add_argument("--validation", type=positive_int, default=200, metavar="N",
                       help="validation tasks scored at every log line (default 200)")
    train.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    train.set_defaults(func=run_train)

    evaluate = actions.add_parser("eval", help="exact match at given test-time steps, LPN alone and checked",
                                  description="On a fixed-seed test set: LPN alone (gradient search on z, Adam, best "
                                  "z kept) at each number of steps, and neuro-symbolic (the searched latent proposes "
                                  "programs and orders the rule enumeration; a program that fits every given pair "
                                  "answers, else the decoded output, marked unverified).",
                                  epilog="exit status: 0 done, 2 bad input or options, 130 interrupted (the JSON "
                                  "holds what was measured).")
    evaluate.add_argument("domain", choices=DOMAINS, metavar="DOMAIN", help=f"one of: {', '.join(DOMAINS)}")
    evaluate.add_argument("--steps", type=_numbers("--steps"), default=(0, 10, 100), help="test-time steps (default 0,10,100)")
    evaluate.add_argument("--weights", metavar="FILE", help="LPN weights (default: the shipped ones)")
    evaluate.add_argument("--tasks", type=positive_int, default=1000, help="test tasks (default 1000)")
    evaluate.add_argument("--seed", type=nonnegative_int, help="test set seed (default: the fixed test seed)")
    evaluate.add_argument("--candidates", type=positive_int, default=200_000,
                          help="rule-enumeration candidates per task for the symbolic side (default 200000)")
    evaluate.add_argument("--lr", type=float, default=0.1, help="Adam learning rate on z (default 0.1)")
    evaluate.add_argument("--samples", type=nonnegative_int, default=0,
                          help="also the sampling baseline: best of this many latents drawn per task (default 0: off)")
    evaluate.add_argument("--plain", action="store_true",
                          help="also plain symbolic search (every rule cost 1) at the same candidates")
    evaluate.add_argument("--plain-candidates", type=_numbers("--plain-candidates"), default=(), metavar="LIST",
                          help="also plain symbolic search at each of these candidate budgets (e.g. 200000,5000000)")
    evaluate.add_argument("--shard", type=_shard, default=(0, 1), metavar="K/N",
                          help="only tasks K, K+N, K+2N, ... of the test set (run shards side by side, join them "
                          "with nesy latent figures)")
    evaluate.add_argument("--plain-only", action="store_true",
                          help="only the plain symbolic search (no network; needs --plain or --plain-candidates)")
    evaluate.add_argument("--json", metavar="FILE", help="write the results here (rewritten as they arrive)")
    evaluate.add_argument("--plot", metavar="PNG", help="accuracy against test-time steps (the paper's figure)")
    evaluate.add_argument("--trajectory", metavar="PNG", help="2-D projection of one task's latent trajectory")
    evaluate.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    evaluate.set_defaults(func=run_eval)

    figures = actions.add_parser("figures", help="merge eval reports (e.g. one per step count) and draw the figures",
                                 description="Merge the JSON reports of several `nesy latent eval` runs of the same "
                                 "weights and test set (e.g. --steps 0, --steps 10 and --steps 100 run side by side), "
                                 "print the table, and write the merged JSON, the accuracy figure and the latent "
                                 "trajectory of the test set's first task.",
                                 epilog="exit status: 0 done, 2 bad input or options.")
    figures.add_argument("domain", choices=DOMAINS, metavar="DOMAIN", help=f"one of: {', '.join(DOMAINS)}")
    figures.add_argument("reports", nargs="+", metavar="REPORT", help="JSON reports of nesy latent eval")
    figures.add_argument("--json", metavar="FILE", help="write the merged report here")
    figures.add_argument("--plot", metavar="PNG", help="accuracy against test-time steps")
    figures.add_argument("--trajectory", metavar="PNG", help="2-D projection of one task's latent trajectory")
    figures.add_argument("--weights", metavar="FILE", help="weights for the trajectory (default: the reports')")
    figures.add_argument("--steps", type=positive_int, default=100, help="steps of the trajectory (default 100)")
    figures.set_defaults(func=run_figures)


def run_train(args: argparse.Namespace) -> int:
    from nesy.commands.options import output_file
    from nesy.latent.domains import get_domain
    from nesy.latent.train import TrainConfig, load, save, train

    out = output_file(Path(args.out or DEFAULT_OUT.format(domain=args.domain)), "--out", args.force)
    if out.suffix == ".json":
        raise NesyInputError("--out: the weights file needs a suffix other than .json (e.g. .pt)", path=str(out))
    domain = get_domain(args.domain)
    start = load(Path(args.init), args.domain) if args.init else None
    if args.d_model % 4:
        raise NesyInputError(f"--d-model must be a multiple of 4 (the attention heads), not {args.d_model}")
    model = replace(domain.config(), d_model=args.d_model, encoder_layers=args.encoder_layers,
                    decoder_layers=args.decoder_layers, latent=args.latent)
    config = TrainConfig(steps=args.steps, batch=args.batch, lr=args.lr, grad_steps=args.grad_steps,
                         inner_lr=args.inner_lr, seed=args.seed,
                         threads=args.threads, log_every=max(1, min(100, args.steps // 10)),
                         validation_tasks=args.validation)

    def progress(row: dict) -> None:
        print(json.dumps(row), file=sys.stderr, flush=True)

    net, card = train(domain, config, model=model, net=start, progress=progress)
    card["command"] = "nesy latent " + " ".join(sys.argv[2:] if sys.argv[1:2] == ["latent"] else sys.argv[1:])
    card["python"] = platform.python_version()
    if args.init:
        previous = Path(args.init).with_suffix(".json")
        card["init"] = json.loads(previous.read_text()) if previous.is_file() else str(args.init)
    save(net, card, out)
    print(f"wrote {out} and {out.with_suffix('.json')} ({card['cpu_seconds']} CPU s"
          f"{', interrupted' if card['interrupted'] else ''})")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from nesy.latent.evaluation import EvalConfig, evaluate

    config = EvalConfig(steps=args.steps, tasks=args.tasks, seed=args.seed, candidates=args.candidates, lr=args.lr,
                        samples=args.samples, threads=args.threads, plain_only=args.plain_only, shard=args.shard,
                        plain=tuple(sorted({*args.plain_candidates, *((args.candidates,) if args.plain else ())})))
    return evaluate(args.domain, config, weights=args.weights, json_path=args.json, plot=args.plot,
                    trajectory=args.trajectory)


def run_figures(args: argparse.Namespace) -> int:
    from nesy.latent.evaluation import figures

    return figures(args.domain, args.reports, json_path=args.json, plot=args.plot, trajectory=args.trajectory,
                   weights=args.weights, steps=args.steps)
