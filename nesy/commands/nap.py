"""`nesy nap mine | verify | bench | train | plot`: neural activation pattern specifications."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dsl.errors import NesyInputError
from nesy.commands.options import (EXIT_INTERRUPTED, add_executor_options, nonnegative_int, output_file,
                                   positive_int, positive_seconds)
from solvers.nap.verdict import Verdict

PROPERTIES = ("robust", "eps", "disjoint")
ARCHITECTURES = ("relu-mlp",)  # nesy.nap.model.ARCHITECTURES, named here so `nesy --help` imports no torch
PACKAGES = {"sklearn": "scikit-learn"}  # import name -> the name pip installs it by


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

    verify = commands.add_parser("verify", help="prove or refute NAP properties, or a VNN-LIB property of an ONNX "
                                 "network (--onnx NET --vnnlib PROP)")
    _model_args(verify)
    verify.add_argument("--naps", help="NAP JSON from `nesy nap mine` (NAP properties)")
    verify.add_argument("--onnx", help="VNN-COMP form: the ONNX network (read exactly, float32 weights as they are)")
    verify.add_argument("--vnnlib", help="VNN-COMP form: the VNN-LIB property (with --onnx)")
    verify.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="VNN-COMP form: what --timeout counts (wall seconds, or this process's CPU seconds)")
    verify.add_argument("--result", help="VNN-COMP form: write the result file (sat + counterexample / unsat / "
                        "timeout / unknown) here")
    verify.add_argument("--property", choices=PROPERTIES, default="robust",
                        help="robust: the NAP implies its class; disjoint: two classes' NAPs never hold at once; "
                        "eps: the largest verified L-infinity radius around each class mean (default: robust)")
    verify.add_argument("--region", default="box",
                        help="robust only: 'box' ([0,1]^n) or 'ball:EPS' around each class mean")
    verify.add_argument("--classes", help="comma-separated classes (default: all in the NAP file)")
    verify.add_argument("--timeout", type=positive_seconds, default=5.0,
                        help="seconds per solver query (VNN-COMP form: for the instance)")
    verify.add_argument("--json", help="write the full report here")
    verify.set_defaults(func=_verify)

    vnncomp = commands.add_parser("vnncomp", help="run a VNN-COMP instances CSV (network,property,timeout) and "
                                  "compare with the published tools' results")
    vnncomp.add_argument("instances", metavar="INSTANCES.csv", help="VNN-COMP instances file")
    vnncomp.add_argument("--root", help="folder the CSV's paths are relative to (default: the CSV's folder)")
    vnncomp.add_argument("--jobs", type=positive_int, default=1,
                         help="instances run at once (default 1; with --executor ray, the local Ray's CPUs: a "
                         "cluster runs as many as it has CPUs)")
    add_executor_options(vnncomp)
    vnncomp.add_argument("--json", required=True, help="write [{network, property, verdict, seconds, replayed}] "
                         "here, rewritten as each instance finishes")
    vnncomp.add_argument("--results-dir", help="also write one VNN-COMP result file per instance here")
    vnncomp.add_argument("--published", help="folder of the tools' result CSVs (default: ROOT/results)")
    vnncomp.add_argument("--select", help="only instances whose network file name contains this text")
    vnncomp.add_argument("--first", type=positive_int, help="only the first N instances (after --select)")
    vnncomp.add_argument("--max-timeout", type=positive_seconds,
                         help="cap each instance's timeout at this many seconds (say so when you report figures)")
    vnncomp.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                         help="what the timeouts count: wall seconds (VNN-COMP's rule, default) or each worker's "
                         "CPU seconds (fair on a machine shared with other work)")
    vnncomp.add_argument("--tool", choices=("nesy", "marabou"), default="nesy",
                         help="who decides: nesy, or Marabou (maraboupy, its own ONNX and VNN-LIB readers, one "
                         "worker, wall-clock timeouts) for a side-by-side run")
    vnncomp.set_defaults(func=_vnncomp)

    bench = commands.add_parser("bench", help="the NAP benchmark table (Marabou side by side when installed)")
    bench.add_argument("--hidden", default="32,32", help="hidden sizes of the digits network")
    bench.add_argument("--deltas", default="0.95,0.99,1.0",
                       help="comma-separated mining deltas: a neuron is fixed when this share of a class agrees")
    bench.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9", help="comma-separated classes to query")
    bench.add_argument("--timeout", type=positive_seconds, default=5.0, help="seconds per query")
    bench.add_argument("--retry-timeout", type=positive_seconds, default=60.0,
                       help="seconds for queries open at --timeout")
    bench.add_argument("--eps-timeout", type=positive_seconds, default=1.0,
                       help="seconds per query in epsilon bisection")
    bench.add_argument("--no-marabou", action="store_true", help="skip Marabou even if maraboupy imports")
    bench.add_argument("--json", required=True, help="write queries and totals here")
    bench.set_defaults(func=_bench)

    train = commands.add_parser("train", help="(re)build the cached digits network under datasets/nap/")
    train.add_argument("--hidden", default="32,32", help="comma-separated hidden layer sizes")
    train.add_argument("--seed", type=nonnegative_int, default=0, help="seed of initialisation and data order")
    train.set_defaults(func=_train)

    plot = commands.add_parser("plot", help="draw a NAP file as a PNG")
    plot.add_argument("--naps", required=True, help="NAP JSON from `nesy nap mine`")
    plot.add_argument("--out", required=True, help="PNG file to write")
    plot.set_defaults(func=_plot)


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="digits",
                        help="a .onnx / .pt file, or 'digits' (the cached digits MLP, see --hidden)")
    parser.add_argument("--architecture", choices=ARCHITECTURES,
                        help="what a .pt state dict holds (a state dict names no activations): relu-mlp is "
                             "Linear, ReLU, Linear, ..., Linear with keys 0.weight, 0.bias, 2.weight, ...")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="allow a .pt file that holds a whole pickled module: loading it runs Python code "
                             "stored in the file, so only for files you trust (safer: ONNX or a state dict)")
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


def _require(*modules: str) -> None:
    """NAP's solvers and data need packages nesy depends on; an environment that lacks one (nesy
    installed with --no-deps, a package removed) gets a one-line error naming it."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            package = PACKAGES.get(module, module)
            raise NesyInputError(f"nesy nap needs the Python package {package!r}, which is missing here: "
                                 f"pip install {package}") from None


def _load(args: argparse.Namespace):
    if "digits" in (args.model, args.data):
        _require("sklearn")
    from nesy.nap.digits import digits_model
    from nesy.nap.model import load_model

    if args.model == "digits":
        model = digits_model(_ints(args.hidden, "--hidden"))
    else:
        model = load_model(args.model, args.architecture, args.trust_pickle)
    return model, _data(args.data, model.network)


def _data(spec: str, network):
    import numpy as np

    from nesy.nap.digits import Digits, load_digits_split

    if spec == "digits":
        data = load_digits_split()
    else:
        path = Path(spec)
        if not path.is_file():
            raise NesyInputError(f"data file {path} not found (or use --data digits)")
        try:
            with np.load(path) as arrays:  # allow_pickle stays False: an .npz runs no code
                data = Digits(*(np.asarray(arrays[k]) for k in ("x_train", "y_train", "x_test", "y_test")))
        except (KeyError, ValueError, OSError, TypeError, IndexError, EOFError) as error:
            raise NesyInputError(f"{path}: expected an .npz with x_train, y_train, x_test, y_test "
                                 f"({' '.join(str(error).split())[:200]})") from None
    _check_data(data, spec, network)
    return data


def _check_data(data, spec: str, network) -> None:
    """Inputs: finite rows of the model's width; labels: whole numbers naming one of its outputs."""
    import numpy as np

    for x, y, part in ((data.x_train, data.y_train, "train"), (data.x_test, data.y_test, "test")):
        if x.ndim != 2 or x.shape[1] != network.input_size:
            raise NesyInputError(f"data {spec}: x_{part} has shape {x.shape}, the model takes rows of "
                                 f"{network.input_size}")
        if y.shape != (len(x),) or len(x) == 0:
            raise NesyInputError(f"data {spec}: y_{part} must hold one label per row of x_{part} "
                                 f"({len(x)}), got shape {y.shape}")
        if x.dtype.kind not in "fiu" or not np.all(np.isfinite(x)):
            raise NesyInputError(f"data {spec}: x_{part} must hold finite numbers")
        if not (y.dtype.kind in "fiu" and np.all(np.isfinite(y)) and np.all(y == np.round(y))
                and np.all((0 <= y) & (y < network.output_size))):
            raise NesyInputError(f"data {spec}: y_{part} must hold class numbers 0-{network.output_size - 1}")


def _mine(args: argparse.Namespace) -> int:
    from nesy.nap.mining import mine_naps, nap_stats
    from nesy.nap.plot import plot_naps

    out = output_file(args.out, "--out")
    png = output_file(args.plot, "--plot") if args.plot else None
    model, data = _load(args)
    naps = mine_naps(model.network, data.x_train, data.y_train, args.delta)
    stats = nap_stats(model.network, naps, data.x_test, data.y_test)
    naps.save(out)  # files first: a reader that stops early (`| head`) must not cost them
    if png is not None:
        plot_naps(naps, png)
    print(f"{'class':>5} {'fixed':>5} {'recall':>6} {'precision':>9}")
    for stat in stats:
        print(f"{stat.cls:>5} {stat.fixed:>5} {stat.recall:>6.3f} {stat.precision:>9.3f}")
    print(f"wrote {out}")
    if png is not None:
        print(f"wrote {png}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from nesy.nap.mining import NapSet

    if args.onnx or args.vnnlib:
        return _verify_vnnlib(args)
    if not args.naps:
        raise NesyInputError("nesy nap verify needs --naps FILE (NAP properties) or --onnx NET --vnnlib PROP")
    _require("scipy", "threadpoolctl")
    report = output_file(args.json, "--json") if args.json else None
    model, data = _load(args)
    naps = NapSet.load(args.naps)
    classes = _ints(args.classes, "--classes") if args.classes else tuple(sorted(naps.naps))
    for c in classes:
        if c not in naps.naps:
            raise NesyInputError(f"--classes: class {c} has no NAP in {args.naps}")
    NapSet(naps.delta, {c: naps.naps[c] for c in classes}).check_fits(model.network, args.naps)
    ball = _ball_radius(args.region)
    started = time.perf_counter()
    if args.property == "disjoint":
        pairs = [(c, d) for c in classes for d in classes if c < d]
        results = [_disjoint(model, naps, c, d, args.timeout) for c, d in tqdm(pairs, desc="disjointness",
                                                                                file=sys.stderr)]
    else:
        results = []
        for c in tqdm(classes, desc=args.property, file=sys.stderr):
            center = _class_center(data, c, needed=args.property == "eps" or ball is not None)
            results += _class_results(model, naps, c, center, args.property, ball, args.timeout)
    seconds = time.perf_counter() - started
    if report is not None:  # written before printing, so `| head` cannot lose it
        report.write_text(json.dumps({"model": model.source, "naps": args.naps, "property": args.property,
                                      "region": args.region, "results": results, "seconds": seconds}, indent=1))
    _print_results(results)
    print(_totals_line(results, seconds))
    if report is not None:
        print(f"wrote {report}")
    return 0


def _verify_vnnlib(args: argparse.Namespace) -> int:
    if not (args.onnx and args.vnnlib):
        raise NesyInputError("the VNN-COMP form of nesy nap verify needs both --onnx NET and --vnnlib PROP")
    if args.naps:
        raise NesyInputError("--naps is for NAP properties; with --onnx/--vnnlib the property is the VNN-LIB file")
    _require("onnx", "onnxruntime", "threadpoolctl")
    from nesy.nap.vnncomp import result_text, verify_instance

    report = output_file(args.json, "--json") if args.json else None
    result_file = output_file(args.result, "--result") if args.result else None
    result = verify_instance(args.onnx, args.vnnlib, args.timeout, clock=args.clock)
    if report is not None:
        report.write_text(json.dumps([result.to_json()], indent=1))
    if result_file is not None:
        result_file.write_text(result_text(result))
    line = f"{result.network} {result.property}: {result.verdict} ({result.method}, {result.seconds:.2f} s"
    line += f", {result.branches} branches)" if result.branches else ")"
    if result.replayed:
        line += "; counterexample replayed through onnxruntime and torch"
    elif result.detail:
        line += f"; {result.detail}"
    print(line)
    for path in (report, result_file):
        if path is not None:
            print(f"wrote {path}")
    return 0


def _vnncomp(args: argparse.Namespace) -> int:
    _require("onnx", "onnxruntime", "threadpoolctl", *(("maraboupy",) if args.tool == "marabou" else ()))
    from dataclasses import replace

    from nesy.executors import executor_from_args
    from nesy.nap.vnncomp import published_results, read_instances, run_instances, write_json

    out = output_file(args.json, "--json")
    root = Path(args.root) if args.root else Path(args.instances).parent
    if not root.is_dir():
        raise NesyInputError(f"--root {root} is not a folder")
    results_dir = Path(args.results_dir) if args.results_dir else None
    if results_dir is not None:
        results_dir.mkdir(parents=True, exist_ok=True)
    instances = read_instances(args.instances, root)
    if args.select:
        instances = [i for i in instances if args.select in i.network]
    if args.first:
        instances = instances[:args.first]
    if not instances:
        raise NesyInputError(f"--select {args.select!r}: no instance's network matches")
    if args.max_timeout:
        instances = [replace(i, timeout=min(i.timeout, args.max_timeout)) for i in instances]
    published_dir = Path(args.published) if args.published else root / "results"
    published = published_results(published_dir) if published_dir.is_dir() else {}

    finished: list[dict] = []

    def progress(so_far: list[dict], last: dict) -> None:
        finished[:] = so_far
        write_json(out, so_far)
        print(f"[{len(so_far)}/{len(instances)}] {last['network']} {last['property']}: {last['verdict']} "
              f"{last['seconds']:.1f} s wall, {last.get('cpu_seconds', 0.0):.1f} s CPU", file=sys.stderr, flush=True)

    interrupted = False
    with executor_from_args(args) as executor:
        try:
            results = run_instances(instances, root, args.jobs, progress, clock=args.clock, results_dir=results_dir,
                                    tool=args.tool, executor=executor)
        except KeyboardInterrupt:   # the executor has killed what was running; what finished is kept
            results, interrupted = list(finished), True
        overhead = executor.overhead_line()
    write_json(out, results)
    if overhead:
        print(overhead, file=sys.stderr)
    _print_vnncomp(results, published, published_dir, args.tool)
    print(f"wrote {out}")
    if interrupted:
        print(f"nesy: interrupted after {len(results)} of {len(instances)} instances; the JSON holds those that "
              "finished", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def _print_vnncomp(results: list[dict], published: dict, published_dir: Path, tool: str) -> None:
    """Marabou's verdicts one per line, or nesy's beside the published tools' (`format_report`)."""
    from nesy.nap.vnncomp import format_report

    if tool == "marabou":
        for r in results:
            print(f"{r['network']:<22} {r['property']:<20} marabou {r['verdict']:<9} {r['seconds']:>7.1f} s wall "
                  f"{r.get('cpu_seconds', 0.0):>7.1f} s CPU replayed {r.get('replayed')}")
        return
    print(format_report(results, published))
    if not published:
        print(f"(no published results under {published_dir})")


def _disjoint(model, naps, c: int, d: int, timeout: float) -> dict:
    from nesy.nap.verify import unit_box, verify_disjoint

    return verify_disjoint(model, naps, c, d, unit_box(model.network.input_size), timeout).to_json()


def _class_center(data, c: int, needed: bool):
    """The mean training input of class c (None when the property does not need one and there is none)."""
    members = data.x_train[data.y_train == c]
    if len(members):
        return members.mean(axis=0)
    if needed:
        raise NesyInputError(f"class {c}: no training inputs of this class in the data, so no class mean")
    return None


def _class_results(model, naps, c: int, center, prop: str, ball: float | None, timeout: float) -> list[dict]:
    from nesy.nap.verify import max_epsilon, unit_box, verify_robust
    from solvers.nap.network import Region

    box = unit_box(model.network.input_size)
    if prop == "robust":
        region = Region.ball(center, ball, box) if ball is not None else box
        seeds = center[None, :] if center is not None else None
        return [r.to_json() for r in verify_robust(model, naps, c, region, timeout, seeds)]
    without = max_epsilon(model, None, center, c, timeout)
    with_nap = max_epsilon(model, naps.naps[c], center, c, timeout, lower=without.epsilon)
    return [{"prop": "eps", "cls": c, "epsilon_with_nap": with_nap.epsilon,
             "refuted_with_nap_at": with_nap.refuted_at, "epsilon_without_nap": without.epsilon,
             "refuted_without_nap_at": without.refuted_at, "undecided_steps": with_nap.undecided + without.undecided,
             "queries": with_nap.queries + without.queries, "seconds": with_nap.seconds + without.seconds}]


def _totals_line(results: list[dict], seconds: float) -> str:
    """One line a reader (or a script) can check: how many queries hold, are violated, stay open."""
    if results and results[0]["prop"] == "eps":
        queries = sum(r["queries"] for r in results)
        undecided = sum(r["undecided_steps"] for r in results)
        return (f"totals: {len(results)} classes, {queries} queries, {undecided} undecided steps; "
                f"{seconds:.2f} s")
    holds = sum(r["verdict"] == Verdict.VERIFIED for r in results)
    violated = sum(r["verdict"] == Verdict.COUNTEREXAMPLE for r in results)
    unknown = sum(r["verdict"] == Verdict.TIMEOUT and r["replayed"] is False for r in results)
    timeout = sum(r["verdict"] == Verdict.TIMEOUT and r["replayed"] is not False for r in results)
    return (f"totals: {len(results)} queries: {holds} hold, {violated} violated, {unknown} unknown "
            f"(witness did not replay), {timeout} timeout; {seconds:.2f} s")


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
    _require("scipy", "sklearn", "threadpoolctl")
    from nesy.nap.bench import BenchConfig, format_table, run_bench

    out = output_file(args.json, "--json")
    config = BenchConfig(hidden=_ints(args.hidden, "--hidden"), deltas=_floats(args.deltas, "--deltas"),
                         classes=_ints(args.classes, "--classes"), timeout_s=args.timeout,
                         retry_timeout_s=args.retry_timeout, eps_timeout_s=args.eps_timeout,
                         marabou=not args.no_marabou)
    result = run_bench(config)
    out.write_text(json.dumps(result, indent=1))
    print(format_table(result))
    print(f"wrote {out}")
    return 0


def _train(args: argparse.Namespace) -> int:
    _require("sklearn", "onnx")
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

    out = output_file(args.out, "--out")
    print(f"wrote {plot_naps(NapSet.load(args.naps), out)}")
    return 0
