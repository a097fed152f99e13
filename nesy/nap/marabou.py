"""The same NAP queries posed to Marabou (optional `maraboupy`), for the side-by-side benchmark.

NAP phases become bounds on the ReLU input variables (ON: z >= 0, OFF: z <= 0: Marabou has no strict
bounds, so it answers the closure of our query; its witnesses are replayed like ours).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from solvers.nap.network import OFF, ON, Phases, Region, ReluNetwork
from solvers.nap.verdict import Verdict


def marabou_available() -> bool:
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from maraboupy import MarabouCore  # noqa: F401
        return True
    except ImportError:
        return False


@dataclass(frozen=True)
class MarabouAnswer:
    verdict: str  # verified / counterexample / timeout / error
    seconds: float
    witness: np.ndarray | None


def marabou_query(network: ReluNetwork, region: Region, phases: Phases, weights: np.ndarray | None,
                  timeout_s: float) -> MarabouAnswer:
    """Exists x in region following phases with weights @ logits >= 0? (Marabou 'sat' = counterexample)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from maraboupy import Marabou, MarabouCore

    sizes = [network.input_size]
    for n in network.hidden_sizes:
        sizes += [n, n]
    total = sum(sizes) + network.output_size
    query = MarabouCore.InputQuery()
    query.setNumberOfVariables(total)
    inputs = list(range(network.input_size))
    for i, v in enumerate(inputs):
        query.markInputVariable(v, i)
        query.setLowerBound(v, float(region.lo[i]))
        query.setUpperBound(v, float(region.hi[i]))
    previous, next_var = inputs, network.input_size
    for k, layer in enumerate(network.layers):
        outs = list(range(next_var, next_var + layer.weight.shape[0]))
        next_var += len(outs)
        for i, out in enumerate(outs):
            equation = MarabouCore.Equation()
            for w, v in zip(layer.weight[i], previous):
                if w != 0:
                    equation.addAddend(float(w), v)
            equation.addAddend(-1.0, out)
            equation.setScalar(-float(layer.bias[i]))
            query.addEquation(equation)
        if k == len(network.layers) - 1:
            break
        posts = list(range(next_var, next_var + len(outs)))
        next_var += len(outs)
        for i, (pre, post) in enumerate(zip(outs, posts)):
            MarabouCore.addReluConstraint(query, pre, post)
            query.setLowerBound(post, 0.0)
            if phases.layers[k][i] == ON:
                query.setLowerBound(pre, 0.0)
            elif phases.layers[k][i] == OFF:
                query.setUpperBound(pre, 0.0)
        previous = posts
    if weights is not None:
        objective = MarabouCore.Equation(MarabouCore.Equation.GE)
        for w, v in zip(weights, outs):
            if w != 0:
                objective.addAddend(float(w), v)
        objective.setScalar(0.0)
        query.addEquation(objective)
    options = Marabou.createOptions(verbosity=0, timeoutInSeconds=max(1, int(np.ceil(timeout_s))))
    start = time.perf_counter()
    exit_code, values, _ = MarabouCore.solve(query, options, "")
    seconds = time.perf_counter() - start
    if exit_code == "unsat":
        return MarabouAnswer(Verdict.VERIFIED, seconds, None)
    if exit_code == "sat":
        return MarabouAnswer(Verdict.COUNTEREXAMPLE, seconds, np.array([values[v] for v in inputs]))
    return MarabouAnswer(Verdict.TIMEOUT if exit_code.upper() == "TIMEOUT" else Verdict.ERROR, seconds, None)


def marabou_vnncomp(onnx_path: str, vnnlib_path: str, timeout_s: float) -> dict:
    """One VNN-COMP instance posed to Marabou (its own ONNX and VNN-LIB readers), single worker.

    Returns {"verdict": holds / violated / timeout / unknown, "seconds": wall, "cpu_seconds": this
    process's CPU over the solve, "replayed": a sat witness replayed like nesy's (or None)}. Marabou's
    timeout counts wall seconds."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from maraboupy import Marabou

    from dsl.vnnlib import read_vnnlib
    from nesy.nap.model import load_model
    from nesy.nap.vnncomp import Replay

    network = Marabou.read_onnx(onnx_path)
    options = Marabou.createOptions(verbosity=0, timeoutInSeconds=max(1, int(np.ceil(timeout_s))), numWorkers=1)
    wall, cpu = time.perf_counter(), time.process_time()
    exit_code, values, _ = network.solve(propertyFilename=str(vnnlib_path), options=options, verbose=False)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    verdict = {"unsat": "holds", "sat": "violated"}.get(exit_code, "timeout" if exit_code.upper() == "TIMEOUT"
                                                         else "unknown")
    replayed = None
    if verdict == "violated":
        model = load_model(onnx_path, exact=True)
        replay = Replay(onnx_path, model, read_vnnlib(vnnlib_path))
        inputs = np.asarray(network.inputVars[0]).reshape(-1)
        replayed = replay.check(np.array([values[int(v)] for v in inputs]))
    return {"verdict": verdict, "seconds": seconds, "cpu_seconds": cpu_seconds, "replayed": replayed}
