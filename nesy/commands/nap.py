"""`nesy nap mine | verify | bench | train | plot`: neural activation pattern specifications."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dsl.errors import NesyInputError

PROPERTIES = ("robust", "eps", "disjoint")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("nap", help="mine and verify neural activation pattern (NAP) specifications")
    commands = parser.add_subparsers(dest="nap_command", metavar="NAP_COMMAND")
    commands.required = True

    mine = commands.add_parser("mine", help="mine one NAP per class from a dataset")
    _model_args(mine)
    mine.add_argument("--delta", type=float, default=0.99, help="fraction of class inputs a fixed neuron agrees on")
    mine.add_argument("--out", required=True, help="NAP JSON file to write")
    mine.add_argument("--plot", help="also write a PNG of the NAPs here")
    mine.set_defaults(func=_mine)

    verify = commands.add_parser("verify", help="prove or refute NAP properties")
    _model_args(verify)
    verify.add_argument("--naps", required=True, help="NAP JSON from `nesy nap mine`")
    verify.add_argument("--property", choices=PROPERTIES, default="robust")
    verify.add_argument("--region", default="box",
                        help="robust only: 'box' ([0,1]^n) or 'ball:EPS' around each class mean")
    verify.add_argument("--classes", help="comma-separated classes (default: all in the NAP file)")
    verify.add_argument("--timeout", type=float, default=5.0, help="seconds per solver query")
    verify.add_argument("--json", help="write the full report here")
    verify.set_defaults(func=_verify)

    bench = commands.add_parser("bench", help="the NAP benchmark table (Marabou side by side when installed)")
    bench.add_argument("--hidden", default="32,32", help="hidden sizes of the digits network")
    bench.add_argument("--deltas", default="0.95,0.99,1.0")
    bench.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9")
    bench.add_argument("--timeout", type=float, default=5.0, help="seconds per query")
    bench.add_argument("--retry-timeout", type=float, default=60.0, help="seconds for queries open at --timeout")
    bench.add_argument("--eps-timeout", type=float, default=1.0, help="seconds per query in epsilon bisection")
    bench.add_argument("--no-marabou", action="store_true", help="skip Marabou even if maraboupy imports")
    bench.add_argument("--json", required=True, help="write queries and totals here")
    bench.set_defaults(func=_bench)

    train = commands.add_parser("train", help="(re)build the cached digits network under datasets/nap/")
    train.add_argument("--hidden", default="32,32")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(func=_train)

    plot = commands.add_parser("plot", help="draw a NAP file as a PNG")
    plot.add_argument("--naps", required=True)
    plot.add_argument("--out", required=True)
    plot.set_defaults(func=_plot)


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="digits",
                        help="a .onnx / .pt file, or 'digits' (the cached digits MLP, see --hidden)")
    parser.add_argument("--hidden", default="32,32", help="hidden sizes when --model digits")
    parser.add_argument("--data", default="digits", help="'digits' or an .npz with x_train, y_train, x_test, y_test")


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError as error:
        raise NesyInputError(f"{what}: expected comma-separated integers, got {text!r}") from error


def _floats(text: str, what: str) -> tuple[float, ...]:
    try:
        return tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError as error:
        raise NesyInputError(f"{what}: expected comma-separated numbers, got {text!r}") from error


def _load(args: argparse.Namespace):
    from nesy.nap.digits import digits_model

    from nesy.nap.model import load_model
    model = digits_model(_ints(args.hidden, "--hidden")) if args.model == "digits" else load_model(args.model)
    return model, _data(args.data, model.network.input_size)


def _data(spec: str, input_size: int):
    import numpy as np

    from nesy.nap.digits import Digits, load_digits_split

    if spec == "digits":
        data = load_digits_split()
    else:
        path = Path(spec)
        if not path.is_file():
            raise NesyInputError(f"data file {path} not found (or use --data digits)")
        try:
            arrays = np.load(path)
            data = Digits(*(np.asarray(arrays[k]) for k in ("x_train", "y_train", "x_test", "y_test")))
        except (KeyError, ValueError, OSError) as error:
            raise NesyInputError(f"{path}: expected an .npz with x_train, y_train, x_test, y_test ({error})") from error
    if data.x_train.ndim != 2 or data.x_train.shape[1] != input_size:
        raise NesyInputError(f"data {spec}: inputs of shape {data.x_train.shape[1:]}, the model takes {input_size}")
    return data


def _mine(args: argparse.Namespace) -> int:
    from nesy.nap.mining import mine_naps, nap_stats
    from nesy.nap.plot import plot_naps

    model, data = _load(args)
    naps = mine_naps(model.network, data.x_train, data.y_train, args.delta)
    naps.save(args.out)
    print(f"{'class':>5} {'fixed':>5} {'recall':>6} {'precision':>9}")
    for stat in nap_stats(model.network, naps, data.x_test, data.y_test):
        print(f"{stat.cls:>5} {stat.fixed:>5} {stat.recall:>6.3f} {stat.precision:>9.3f}")
    print(f"wrote {args.out}")
    if args.plot:
        print(f"wrote {plot_naps(naps, args.plot)}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from nesy.nap.mining import NapSet
    from nesy.nap.verify import max_epsilon, unit_box, verify_disjoint, verify_robust
    from solvers.nap.network import Region

    model, data = _load(args)
    naps = NapSet.load(args.naps)
    classes = _ints(args.classes, "--classes") if args.classes else tuple(sorted(naps.naps))
    for c in classes:
        if c not in naps.naps:
            raise NesyInputError(f"--classes: class {c} has no NAP in {args.naps}")
        naps.naps[c].check_fits(model.network, f"{args.naps}, class {c}")
    box = unit_box(model.network.input_size)
    ball = _ball_radius(args.region)
    results: list[dict] = []
    if args.property == "disjoint":
        pairs = [(c, d) for c in classes for d in classes if c < d]
        for c, d in tqdm(pairs, desc="disjointness", file=sys.stderr):
            results.append(verify_disjoint(model, naps, c, d, box, args.timeout).to_json())
    for c in tqdm(classes if args.property != "disjoint" else (), desc=args.property, file=sys.stderr):
        center = data.x_train[data.y_train == c].mean(axis=0)
        if args.property == "robust":
            region = Region.ball(center, ball, box) if ball is not None else box
            results += [r.to_json() for r in verify_robust(model, naps, c, region, args.timeout, center[None, :])]
        else:
            without = max_epsilon(model, None, center, c, args.timeout)
            with_nap = max_epsilon(model, naps.naps[c], center, c, args.timeout, lower=without.epsilon)
            results.append({"prop": "eps", "cls": c, "epsilon_with_nap": with_nap.epsilon,
                            "refuted_with_nap_at": with_nap.refuted_at, "epsilon_without_nap": without.epsilon,
                            "refuted_without_nap_at": without.refuted_at,
                            "undecided_steps": with_nap.undecided + without.undecided})
    _print_results(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"model": model.source, "naps": args.naps, "property": args.property,
                                               "region": args.region, "results": results}, indent=1))
        print(f"wrote {args.json}")
    return 0


def _ball_radius(region: str) -> float | None:
    if region == "box":
        return None
    if region.startswith("ball:"):
        try:
            radius = float(region[5:])
        except ValueError:
            radius = -1.0
        if radius > 0:
            return radius
    raise NesyInputError(f"--region: expected 'box' or 'ball:EPS' with EPS > 0, got {region!r}")


def _print_results(results: list[dict]) -> None:
    for r in results:
        if r["prop"] == "eps":
            print(f"class {r['cls']}: verified radius with NAP {r['epsilon_with_nap']:.4f} (refuted at "
                  f"{r['refuted_with_nap_at']:.4f}), without {r['epsilon_without_nap']:.4f} (refuted at "
                  f"{r['refuted_without_nap_at']:.4f}); {r['undecided_steps']} undecided steps")
            continue
        line = (f"{r['prop']} class {r['cls']} vs {r['other']} on {r['region']}: {r['verdict']} "
                f"({r['method']}, {r['seconds']:.2f}s)")
        if r["counterexample"] and r["replayed"]:
            line += f", replayed: predicted {r['counterexample']['predicted']}"
        print(line)


def _bench(args: argparse.Namespace) -> int:
    from nesy.nap.bench import BenchConfig, format_table, run_bench

    config = BenchConfig(hidden=_ints(args.hidden, "--hidden"), deltas=_floats(args.deltas, "--deltas"),
                         classes=_ints(args.classes, "--classes"), timeout_s=args.timeout,
                         retry_timeout_s=args.retry_timeout, eps_timeout_s=args.eps_timeout,
                         marabou=not args.no_marabou)
    result = run_bench(config)
    Path(args.json).write_text(json.dumps(result, indent=1))
    print(format_table(result))
    print(f"wrote {args.json}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from nesy.nap.digits import digits_model, load_digits_split, model_path, test_accuracy
    from nesy.nap.onnx_export import save_onnx

    hidden = _ints(args.hidden, "--hidden")
    model = digits_model(hidden, args.seed, rebuild=True)
    onnx_path = model_path(hidden).with_suffix(".onnx")
    save_onnx(model.network, onnx_path)
    print(f"test accuracy {test_accuracy(model, load_digits_split(args.seed)):.4f}; "
          f"wrote {model_path(hidden)} and {onnx_path}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from nesy.nap.mining import NapSet
    from nesy.nap.plot import plot_naps

    print(f"wrote {plot_naps(NapSet.load(args.naps), args.out)}")
    return 0
