"""VNN-COMP instances: an ONNX network and a VNN-LIB property, decided soundly for the file's weights.

`verify_instance` reads the network exactly (float32 weights as they are, `load_model(exact=True)`)
and the property (`dsl.vnnlib`), runs `solvers.nap.bab.decide_spec`, and replays every counterexample
through the ONNX file with onnxruntime and through a float32 torch copy of its layers before calling
it `violated`: the replayed input must lie in the exact box and the outputs of both must meet the
violation exactly (rational arithmetic on the float32 results). `run_instances` runs a VNN-COMP
instances CSV (network, property, timeout) on an executor (worker processes here, or Ray) and
rewrites the JSON results as each instance finishes; `published_results` / `format_report` set them
beside the tools' own.

>>> print(result_text(InstanceResult("net.onnx", "prop.vnnlib", HOLDS, 1.5, None)), end="")
unsat
>>> # verify_instance("mnist-net_256x2.onnx", "prop_2_0.03.vnnlib", timeout_s=120).verdict == "holds"
"""
from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from dsl.errors import NesyInputError
from dsl.vnnlib import VnnlibProperty, read_vnnlib
from nesy.nap.model import LoadedModel, apply_input_ops, load_model
from nesy.nap.threads import single_blas_thread
from solvers.nap.bab import EngineConfig, SpecOutcome, decide_spec
from solvers.nap.verdict import COUNTEREXAMPLE, VERIFIED

if TYPE_CHECKING:
    from nesy.executors import Executor

HOLDS, VIOLATED, TIMEOUT, UNKNOWN = "holds", "violated", "timeout", "unknown"
"""VNN-COMP's verdicts: holds = unsat (no input violates), violated = sat (a replayed counterexample)."""

DEFAULT_SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "vnncomp2021-mnistfc"


@dataclass(frozen=True)
class Instance:
    network: str
    property: str
    timeout: float


@dataclass
class InstanceResult:
    """One instance's verdict. `replayed`: the counterexample replayed (onnxruntime and torch); None
    when there is none. `counterexample`: inputs and onnxruntime outputs of a violated one."""

    network: str
    property: str
    verdict: str
    seconds: float
    replayed: bool | None
    cpu_seconds: float = 0.0
    method: str = ""
    branches: int = 0
    detail: str = ""
    counterexample: dict | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        return asdict(self)


class Replay:
    """The ONNX file run by onnxruntime, and its layers as a float32 torch module: both must show a
    violation for a counterexample to count."""

    def __init__(self, onnx_path: str | Path, model: LoadedModel, prop: VnnlibProperty) -> None:
        import onnxruntime
        import torch

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        try:
            self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own Fail / InvalidGraph types
            raise NesyInputError(f"{onnx_path}: onnxruntime cannot load it ({' '.join(str(error).split())[:200]})") \
                from None
        spec = self.session.get_inputs()[0]
        dims = [d if isinstance(d, int) and d > 0 else 1 for d in spec.shape]
        self.input_name, self.shape = spec.name, [1, *dims[1:]] if dims else [1]
        self.model, self.prop = model, prop
        layers = []
        for k, layer in enumerate(model.network.layers):
            linear = torch.nn.Linear(layer.weight.shape[1], layer.weight.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.weight.astype(np.float32)))
                linear.bias.copy_(torch.from_numpy(layer.bias.astype(np.float32)))
            layers.append(linear)
            if k < len(model.network.layers) - 1:
                layers.append(torch.nn.ReLU())
        self.torch_model = torch.nn.Sequential(*layers).eval()
        self.last: dict | None = None

    def inputs_in_box(self, x_network: np.ndarray) -> np.ndarray:
        """A point of the network's input space as the float32 input of the file, moved (by ulps)
        into the exact box where float32 rounding put it outside."""
        x = np.clip(apply_input_ops_inverse(self.model.input_ops, x_network), self.prop.lo, self.prop.hi)
        x = x.astype(np.float32)   # now at most an ulp or so outside the exact box
        for i in range(len(x)):
            lo, hi = self.prop.exact_lo[i], self.prop.exact_hi[i]
            while Fraction(float(x[i])) > hi:
                x[i] = np.nextafter(x[i], np.float32(-np.inf))
            while Fraction(float(x[i])) < lo:
                x[i] = np.nextafter(x[i], np.float32(np.inf))
        return x

    def onnx_outputs(self, x: np.ndarray) -> np.ndarray:
        out = self.session.run(None, {self.input_name: x.reshape(self.shape).astype(np.float32)})[0]
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def torch_outputs(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            x_net = apply_input_ops(self.model.input_ops, x.astype(np.float64)).astype(np.float32)
            return self.torch_model(torch.from_numpy(x_net[None, :])).numpy().reshape(-1)

    def check(self, x_network: np.ndarray) -> bool:
        """True when the point, as the file's float32 input, violates the property on both runtimes."""
        x = self.inputs_in_box(x_network)
        if not self.prop.in_box(x):
            return False
        y = self.onnx_outputs(x)
        y_torch = self.torch_outputs(x)
        ok = bool(self.prop.violated_by(y) and self.prop.violated_by(y_torch))
        self.last = {"input": [float(v) for v in x], "output": [float(v) for v in y],
                     "torch_output": [float(v) for v in y_torch], "violates": ok}
        return ok


def apply_input_ops_inverse(ops, x: np.ndarray) -> np.ndarray:
    for op, constant in reversed(ops):
        x = x + constant if op == "sub" else x * constant
    return x


def network_box(model: LoadedModel, prop: VnnlibProperty) -> tuple[np.ndarray, np.ndarray]:
    """The property's box in the network's input space: through the input Sub/Div, rounded outward
    by one ulp per operation (each float operation errs by at most half an ulp)."""
    lo, hi = prop.lo, prop.hi
    for op, constant in model.input_ops:
        if op == "sub":
            lo, hi = np.nextafter(lo - constant, -np.inf), np.nextafter(hi - constant, np.inf)
        else:
            a, b = lo / constant, hi / constant
            lo, hi = np.nextafter(np.minimum(a, b), -np.inf), np.nextafter(np.maximum(a, b), np.inf)
    return lo, hi


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""What the timeout counts: wall seconds (VNN-COMP's rule) or this process's CPU seconds (a budget that
does not shrink when other work shares the machine's cores)."""


@single_blas_thread
def verify_instance(onnx_path: str | Path, vnnlib_path: str | Path, timeout_s: float,
                    config: EngineConfig = EngineConfig(), seed: int = 0, clock: str = "wall") -> InstanceResult:
    """Decide one instance; every counterexample replayed (see `Replay`) before it is reported.
    The timeout covers reading the files too, on the given clock ("wall" or "cpu")."""
    if clock not in CLOCKS:
        raise NesyInputError(f"clock {clock!r}: expected one of {', '.join(CLOCKS)}")
    tick = CLOCKS[clock]
    started, cpu_started, wall_started = tick(), time.process_time(), time.perf_counter()
    model = load_model(onnx_path, exact=True)
    prop = read_vnnlib(vnnlib_path)
    network = model.network
    if prop.inputs != network.input_size or prop.outputs != network.output_size:
        raise NesyInputError(f"{vnnlib_path}: declares {prop.inputs} inputs and {prop.outputs} outputs, but "
                             f"{onnx_path} has {network.input_size} and {network.output_size}")
    replay = Replay(onnx_path, model, prop)
    disjuncts = [(np.array([c for c, _ in conj]), np.array([d for _, d in conj])) for conj in prop.objective_rows()]
    lo, hi = network_box(model, prop)
    remaining = timeout_s - (tick() - started)
    outcome: SpecOutcome = decide_spec(network, lo, hi, disjuncts, max(remaining, 0.01), replay.check, config, seed,
                                       clock=tick)
    used = tick() - started
    seconds, cpu = time.perf_counter() - wall_started, time.process_time() - cpu_started
    name, prop_name = Path(onnx_path).name, Path(vnnlib_path).name
    if outcome.verdict == VERIFIED:
        return InstanceResult(name, prop_name, HOLDS, seconds, None, cpu, outcome.method, outcome.branches)
    if outcome.verdict == COUNTEREXAMPLE:
        # decide_spec only reports points replay.check accepted; check once more from scratch
        ok = replay.check(outcome.witness)
        return InstanceResult(name, prop_name, VIOLATED if ok else UNKNOWN, seconds, ok, cpu, outcome.method,
                              outcome.branches, "" if ok else "counterexample did not replay",
                              replay.last)
    verdict = TIMEOUT if used >= timeout_s * 0.99 else UNKNOWN
    return InstanceResult(name, prop_name, verdict, seconds, None, cpu, outcome.method, outcome.branches,
                          outcome.detail)


def result_text(result: InstanceResult, prop: VnnlibProperty | None = None) -> str:
    """VNN-COMP's result file: `sat` and the assignment ((X_0 v) ... (Y_0 v) ...), or unsat / timeout /
    unknown."""
    if result.verdict == HOLDS:
        return "unsat\n"
    if result.verdict != VIOLATED or not result.counterexample:
        return f"{result.verdict if result.verdict in (TIMEOUT, UNKNOWN) else UNKNOWN}\n"
    pairs = [f"(X_{i} {repr(float(v))})" for i, v in enumerate(result.counterexample["input"])]
    pairs += [f"(Y_{j} {repr(float(v))})" for j, v in enumerate(result.counterexample["output"])]
    return "sat\n(" + "\n ".join(pairs) + ")\n"


def read_instances(path: str | Path, root: str | Path) -> list[Instance]:
    """VNN-COMP's instances CSV: network, property, timeout per line (paths relative to root)."""
    path, root = Path(path), Path(root)
    if not path.is_file():
        raise NesyInputError(f"instances file {path} not found")
    instances = []
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != 3:
                raise NesyInputError(f"expected network,property,timeout; got {len(row)} fields", path=str(path),
                                     line=number)
            network, prop, timeout = (cell.strip() for cell in row)
            try:
                seconds = float(timeout)
            except ValueError:
                seconds = -1.0
            if not (seconds > 0 and math.isfinite(seconds)):
                raise NesyInputError(f"timeout {timeout!r} is not a positive number of seconds", path=str(path),
                                     line=number)
            for name in (network, prop):
                if not (root / name).is_file():
                    raise NesyInputError(f"{root / name} not found (paths are relative to --root {root})",
                                         path=str(path), line=number)
            instances.append(Instance(network, prop, seconds))
    if not instances:
        raise NesyInputError(f"{path}: no instances")
    return instances


def run_instances(instances: Sequence[Instance], root: str | Path, jobs: int = 1,
                  on_result: Callable[[list[dict], dict], None] | None = None, clock: str = "wall",
                  results_dir: Path | None = None, tool: str = "nesy",
                  executor: "Executor | None" = None) -> list[dict]:
    """Every instance in a worker of `executor` (`nesy.executors`: the process pool or Ray; default:
    `jobs` worker processes here); results in instance order. `on_result` hears the list so far and
    the one just finished after each (the CLI rewrites its JSON there), so a Ctrl-C (which stops the
    run and kills what is running) loses nothing finished. tool="marabou" poses the instances to
    Marabou instead (`nesy.nap.marabou.marabou_vnncomp`; its timeouts are wall seconds whatever the
    clock).

    An instance's budget holds inside it (the engine's clock, wall or CPU, covers reading the files
    too); the executor kills one still running at `hard_limit` + grace and reports it `unknown`."""
    from nesy.executors import executor_or_pool

    root = Path(root)
    items = [(str(root / i.network), str(root / i.property), i.timeout, clock, tool) for i in instances]
    results: list[dict | None] = [None] * len(items)
    with executor_or_pool(executor, jobs) as runner:
        for index, result in runner.run(InstanceWork(), items, hard_limit(instances, clock, tool), _overrun):
            results[index] = result
            if results_dir is not None and "result_file" in result:
                stem = f"{Path(items[index][0]).stem}_{Path(items[index][1]).stem}.txt"
                (results_dir / stem).write_text(result.pop("result_file"))
            result.pop("result_file", None)
            if on_result is not None:
                on_result([r for r in results if r is not None], result)
    return [r for r in results if r is not None]


def hard_limit(instances: Sequence[Instance], clock: str = "wall", tool: str = "nesy") -> float:
    """The wall seconds after which the driver kills an instance (plus the executor's grace): its
    timeout on the wall clock; with the CPU clock 20 times that, since a loaded machine stretches
    an instance's wall time while its CPU budget still holds it."""
    return max(i.timeout for i in instances) * (1.0 if clock == "wall" or tool == "marabou" else 20.0)


def _overrun(item: tuple, why: str) -> dict:
    """An instance killed at the hard limit, or whose worker died or raised: unknown, and why."""
    return InstanceResult(Path(item[0]).name, Path(item[1]).name, UNKNOWN, item[2], None, detail=why).to_json()


class InstanceWork:
    """One instance's work, `(network, property, timeout, clock, tool) -> result dict`. Made, it
    imports what deciding needs (onnx, onnxruntime, torch: seconds of CPU in a fresh process):
    in the driver, whose forked workers inherit the modules, and in a Ray worker, which unpickles
    it once before its tasks start. Otherwise each instance would import them again inside its
    own timeout."""

    def __init__(self) -> None:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401

    def __reduce__(self) -> tuple:
        return InstanceWork, ()

    def __call__(self, item: tuple) -> dict:
        return _decide(item)


def _decide(item: tuple) -> dict:
    network, prop, timeout, clock, tool = item
    if tool == "marabou":
        from nesy.nap.marabou import marabou_vnncomp

        answer = marabou_vnncomp(network, prop, timeout)
        return {"network": Path(network).name, "property": Path(prop).name, "tool": "marabou", **answer}
    result = verify_instance(network, prop, timeout, clock=clock)
    data = result.to_json()
    data["result_file"] = result_text(result)
    return data


# ---- the published results --------------------------------------------------------------------

def published_results(directory: str | Path) -> dict[str, dict[tuple[str, str], tuple[str, float]]]:
    """{tool: {(network file, property file): (holds / violated / timeout / unknown, seconds)}} from the
    competition's per-tool CSVs (benchmark, network, property, prepare s, result, run s)."""
    found: dict[str, dict[tuple[str, str], tuple[str, float]]] = {}
    for path in sorted(Path(directory).glob("*.csv")):
        rows = {}
        with path.open(newline="") as handle:
            for row in csv.reader(handle):
                if len(row) < 6:
                    continue
                verdict = {"unsat": HOLDS, "holds": HOLDS, "sat": VIOLATED, "violated": VIOLATED}.get(
                    row[4].strip().lower(), TIMEOUT if "timeout" in row[4].lower() else UNKNOWN)
                try:
                    seconds = float(row[5])
                except ValueError:
                    seconds = float("nan")
                rows[(Path(row[1]).name, Path(row[2]).name)] = (verdict, seconds)
        found[path.stem] = rows
    return found


def disagreements(results: Sequence[dict], published: dict) -> list[str]:
    """Instances where nesy says holds and a tool violated (or the reverse): a wrong answer somewhere."""
    lines = []
    for r in results:
        if r["verdict"] not in (HOLDS, VIOLATED):
            continue
        for tool, rows in published.items():
            theirs = rows.get((r["network"], r["property"]), (None, 0))[0]
            if theirs in (HOLDS, VIOLATED) and theirs != r["verdict"]:
                lines.append(f"{r['network']} {r['property']}: nesy {r['verdict']}, {tool} {theirs}")
    return lines


def summary(results: Sequence[dict], published: dict) -> dict:
    """Per network: solved / holds / violated / timeouts / seconds for nesy, solved for each tool on the
    same instances, and instances nesy solved that no tool did."""
    per: dict[str, dict[str, Any]] = {}
    for r in results:
        entry = per.setdefault(r["network"], {"instances": 0, "solved": 0, "holds": 0, "violated": 0,
                                              "timeout": 0, "unknown": 0, "seconds": 0.0, "cpu_seconds": 0.0,
                                              "tools": {tool: 0 for tool in published}, "solved_by_no_tool": []})
        entry["instances"] += 1
        entry[r["verdict"]] += 1
        entry["solved"] += r["verdict"] in (HOLDS, VIOLATED)
        entry["seconds"] += r["seconds"]
        entry["cpu_seconds"] += r.get("cpu_seconds", 0.0)
        tool_solved = False
        for tool, rows in published.items():
            theirs = rows.get((r["network"], r["property"]), (None, 0))[0]
            if theirs in (HOLDS, VIOLATED):
                entry["tools"][tool] += 1
                tool_solved = True
        if r["verdict"] in (HOLDS, VIOLATED) and not tool_solved:
            entry["solved_by_no_tool"].append(r["property"])
    return per


def format_report(results: Sequence[dict], published: dict) -> str:
    """The per-instance table (nesy beside each tool), the per-network summary, the disagreements."""
    tools = sorted(published)
    short = {HOLDS: "holds", VIOLATED: "viol", TIMEOUT: "t/o", UNKNOWN: "unk"}
    head = f"{'network':<22} {'property':<20} {'nesy':>6} {'wall s':>7} {'CPU s':>7} " + " ".join(f"{t[:9]:>9}" for t in tools)
    lines = [head]
    for r in results:
        cells = []
        for tool in tools:
            verdict, _ = published[tool].get((r["network"], r["property"]), ("-", 0))
            cells.append(f"{short.get(verdict, verdict):>9}")
        lines.append(f"{r['network']:<22} {r['property']:<20} {short[r['verdict']]:>6} {r['seconds']:>7.1f} "
                     f"{r.get('cpu_seconds', 0.0):>7.1f} " + " ".join(cells))
    lines.append("")
    lines.append(f"{'network':<22} {'n':>3} {'solved':>6} {'holds':>5} {'viol':>5} {'t/o':>4} {'unk':>4} "
                 f"{'wall s':>8} {'CPU s':>8}  tools solved on these instances")
    for network, entry in summary(results, published).items():
        others = ", ".join(f"{tool} {count}" for tool, count in sorted(entry["tools"].items()))
        lines.append(f"{network:<22} {entry['instances']:>3} {entry['solved']:>6} {entry['holds']:>5} "
                     f"{entry['violated']:>5} {entry['timeout']:>4} {entry['unknown']:>4} {entry['seconds']:>8.1f} "
                     f"{entry['cpu_seconds']:>8.1f}  {others}")
        if entry["solved_by_no_tool"]:
            lines.append(f"  solved by nesy and no published tool: {', '.join(entry['solved_by_no_tool'])}")
    wrong = disagreements(results, published)
    lines.append("")
    lines.append(f"disagreements with a published tool: {len(wrong)}")
    lines.extend(f"  {line}" for line in wrong)
    return "\n".join(lines)


def write_json(path: Path, results: Sequence[dict]) -> None:
    """The results as VNN-COMP-style JSON: [{"network", "property", "verdict", "seconds", "replayed", ...}]."""
    from nesy.commands.options import write_atomically

    write_atomically(path, json.dumps(list(results), indent=1))
