"""VNN-COMP instances: exact ONNX reading, replay through onnxruntime and torch, the runner and CLI,
and soundness of the engine's "holds" against brute force on small networks."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from dsl.errors import NesyInputError  # noqa: E402
from dsl.vnnlib import read_vnnlib_text  # noqa: E402
from nesy.cli import main  # noqa: E402
from nesy.nap.model import load_model  # noqa: E402
from nesy.nap.vnncomp import (HOLDS, VIOLATED, Replay, published_results, read_instances, result_text,  # noqa: E402
                              verify_instance)
from solvers.nap.bab import EngineConfig, decide_spec  # noqa: E402
from solvers.nap.crown import Crown, stack_bounds  # noqa: E402
from solvers.nap.network import AffineLayer, ReluNetwork  # noqa: E402

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "vnncomp2021-mnistfc"


def random_network(rng: np.random.Generator, sizes: tuple[int, ...]) -> ReluNetwork:
    layers = [AffineLayer(rng.normal(size=(b, a)).astype(np.float32).astype(np.float64),
                          rng.normal(scale=0.3, size=b).astype(np.float32).astype(np.float64))
              for a, b in zip(sizes, sizes[1:])]
    return ReluNetwork(tuple(layers))


def write_onnx(path: Path, network: ReluNetwork, prelude: list[tuple[str, np.ndarray]] = (),
               extra_op: str | None = None) -> Path:
    """Flatten, optional Sub/Div on the input, Gemm/Relu layers; extra_op inserts an unsupported node."""
    nodes, inits = [helper.make_node("Flatten", ["x"], ["f"], name="flat")], []
    current = "f"
    for n, (op, value) in enumerate(prelude):
        inits.append(numpy_helper.from_array(value.astype(np.float32), f"c{n}"))
        nodes.append(helper.make_node(op, [current, f"c{n}"], [f"p{n}"], name=f"norm{n}"))
        current = f"p{n}"
    for k, layer in enumerate(network.layers):
        inits += [numpy_helper.from_array(layer.weight.astype(np.float32), f"W{k}"),
                  numpy_helper.from_array(layer.bias.astype(np.float32), f"b{k}")]
        nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [f"z{k}"], transB=1, name=f"gemm{k}"))
        current = f"z{k}"
        if k < len(network.layers) - 1:
            nodes.append(helper.make_node(extra_op if (extra_op and k == 0) else "Relu", [current], [f"a{k}"],
                                          name=f"act{k}"))
            current = f"a{k}"
    nodes.append(helper.make_node("Identity", [current], ["y"], name="out"))
    graph = helper.make_graph(nodes, "net", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                         [1, network.input_size])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, network.output_size])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def write_property(path: Path, lo, hi, label: int, outputs: int) -> Path:
    lines = [f"(declare-const X_{i} Real)" for i in range(len(lo))]
    lines += [f"(declare-const Y_{j} Real)" for j in range(outputs)]
    for i, (a, b) in enumerate(zip(lo, hi)):
        lines += [f"(assert (>= X_{i} {float(a)!r}))", f"(assert (<= X_{i} {float(b)!r}))"]
    lines.append("(assert (or " + " ".join(f"(and (>= Y_{j} Y_{label}))" for j in range(outputs) if j != label) + "))")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_exact_reading_keeps_the_float32_weights(tmp_path: Path) -> None:
    net = random_network(np.random.default_rng(0), (4, 6, 3))
    path = write_onnx(tmp_path / "n.onnx", net)
    exact = load_model(path, exact=True).network
    rounded = load_model(path).network
    assert np.array_equal(exact.layers[0].weight, net.layers[0].weight)
    assert not np.array_equal(rounded.layers[0].weight, net.layers[0].weight)  # the 2^-16 grid copy


def test_input_normalisation_is_read(tmp_path: Path) -> None:
    net = random_network(np.random.default_rng(1), (4, 5, 3))
    prelude = [("Sub", np.array([0.1307] * 4)), ("Div", np.array([0.3081] * 4))]
    path = write_onnx(tmp_path / "n.onnx", net, prelude)
    exact = load_model(path, exact=True)
    assert [op for op, _ in exact.input_ops] == ["sub", "div"]
    folded = load_model(path)
    x = np.random.default_rng(2).uniform(size=(3, 4))
    assert np.allclose(folded.network.logits(x), exact.run(x)[1], atol=1e-3)


@pytest.mark.parametrize("op", ["Sigmoid", "Tanh"])
def test_unsupported_node_is_one_clear_line(tmp_path: Path, op: str) -> None:
    path = write_onnx(tmp_path / "n.onnx", random_network(np.random.default_rng(0), (3, 4, 2)), extra_op=op)
    with pytest.raises(NesyInputError) as error:
        load_model(path, exact=True)
    message = str(error.value)
    assert f"node act0 ({op}): unsupported layer" in message and "Gemm" in message and "\n" not in message


def test_replay_rejects_a_planted_wrong_counterexample(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    net = random_network(rng, (3, 8, 3))
    path = write_onnx(tmp_path / "n.onnx", net)
    model = load_model(path, exact=True)
    lo, hi = np.zeros(3), np.ones(3)
    points = rng.uniform(size=(4000, 3))
    logits = net.logits(points)
    label = int(np.bincount(np.argmax(logits, axis=1)).argmax())
    prop = read_vnnlib_text(write_property(tmp_path / "p.vnnlib", lo, hi, label, 3).read_text())
    replay = Replay(path, model, prop)
    good = points[np.argmax(logits, axis=1) != label][0]
    bad = points[np.argmax(logits, axis=1) == label][0]
    assert replay.check(good) and replay.last["violates"]
    assert not replay.check(bad)                       # the planted point does not violate: refused
    outside = good.copy()
    outside[0] = 1.5                                   # out of the box: moved back in, or refused
    assert np.all(replay.inputs_in_box(outside) <= 1.0)
    # an engine whose every counterexample fails replay never reports one
    disjuncts = [(np.eye(3)[[j]] - np.eye(3)[[label]], np.zeros(1)) for j in range(3) if j != label]
    outcome = decide_spec(net, lo, hi, disjuncts, 2.0, confirm=lambda x: False, clock=time.process_time)
    assert outcome.verdict != "counterexample"


def test_holds_is_sound_against_brute_force() -> None:
    """Random 2-input networks: wherever the engine says holds, no grid point violates; bounds from
    Crown contain every sampled output."""
    rng = np.random.default_rng(4)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 101), np.linspace(-1, 1, 101)), -1).reshape(-1, 2)
    holds = violated = 0
    for trial in range(8):
        net = random_network(rng, (2, 8, 8, 3))
        lo, hi = np.full(2, -1.0), np.full(2, 1.0)
        crown = Crown(net, lo, hi)
        bounds = crown.layer_bounds([np.zeros(8, np.int8), np.zeros(8, np.int8)])
        hidden, logits = net.preactivations(grid)
        for k in range(2):
            assert np.all(hidden[k] >= bounds.lo[k]) and np.all(hidden[k] <= bounds.hi[k])
        c = np.array([[1.0, -1.0, 0.0]])
        upper, _ = crown.upper(c, np.zeros(1), bounds)
        assert np.all(logits @ c.T <= upper)
        d = float(np.quantile(logits[:, 0] - logits[:, 1], 0.999)) + rng.uniform(-0.1, 0.5)
        outcome = decide_spec(net, lo, hi, [(c, np.array([d]))], 5.0, clock=time.process_time)
        if outcome.verdict == "verified":
            holds += 1
            assert np.max(logits[:, 0] - logits[:, 1]) < d
        elif outcome.verdict == "counterexample":
            violated += 1
            y = net.logits(outcome.witness[None, :])[0]
            assert y[0] - y[1] >= d and np.all(outcome.witness >= lo) and np.all(outcome.witness <= hi)
    assert holds and violated


def test_refined_branch_bounds_from_root_slopes_are_sound() -> None:
    """A branch re-bounding its later layers from the root's optimised slopes (`keep_slopes`): every
    sampled input that follows the branch's splits lies inside the branch's layer bounds, and the
    bounds are no looser than the parent's."""
    rng = np.random.default_rng(9)
    net = random_network(rng, (3, 10, 10, 10, 4))
    lo, hi = np.full(3, -1.0), np.full(3, 1.0)
    crown = Crown(net, lo, hi)
    root = crown.layer_bounds([np.zeros(10, np.int8)] * 3, iterations=10, keep_slopes=True)
    assert root.slopes and set(root.slopes) <= {1, 2}
    points = rng.uniform(lo, hi, size=(6000, 3))
    hidden, _ = net.preactivations(points)
    checked = 0
    for _ in range(12):
        splits = [np.zeros(10, np.int8) for _ in range(3)]
        k = int(rng.integers(2))
        open_ones = np.nonzero(root.unstable(k))[0]
        if not len(open_ones):
            continue
        i = int(rng.choice(open_ones))
        splits[k][i] = rng.choice([1, -1])
        child = crown.layer_bounds(splits, parent=root, from_layer=k)
        assert child.slopes is root.slopes
        follows = hidden[k][:, i] * splits[k][i] >= 0
        for layer in range(3):
            assert np.all(child.lo[layer] >= root.lo[layer] - 1e-12)
            assert np.all(child.hi[layer] <= root.hi[layer] + 1e-12)
            inside = hidden[layer][follows]
            assert np.all(inside >= child.lo[layer]) and np.all(inside <= child.hi[layer])
        checked += int(follows.any())
    assert checked


def test_batched_bounds_are_the_one_by_one_bounds_and_sound() -> None:
    """Branches stacked row by row (`stack_bounds`) get the bounds each gets alone (same slopes and
    multipliers), and every sampled input that follows a branch's splits stays below its bound."""
    rng = np.random.default_rng(7)
    net = random_network(rng, (3, 10, 10, 4))
    lo, hi = np.full(3, -1.0), np.full(3, 1.0)
    crown = Crown(net, lo, hi)
    root = crown.layer_bounds([np.zeros(10, np.int8), np.zeros(10, np.int8)])
    points = rng.uniform(lo, hi, size=(4000, 3))
    hidden, logits = net.preactivations(points)
    coeffs = rng.normal(size=(2, 4))
    branches, follows = [], []
    for _ in range(5):
        splits = [np.zeros(10, np.int8), np.zeros(10, np.int8)]
        k, i = int(rng.integers(2)), int(rng.integers(10))
        splits[k][i] = rng.choice([1, -1])
        bounds = crown.layer_bounds(splits, parent=root, from_layer=k)
        if not bounds.infeasible:
            branches.append(bounds)
            follows.append(hidden[k][:, i] * splits[k][i] >= 0)
    alpha = [rng.uniform(size=(2 * len(branches), 10)) for _ in range(2)]
    beta = [rng.uniform(size=(2 * len(branches), 10)) for _ in range(2)]
    together, _ = crown.upper(np.tile(coeffs, (len(branches), 1)), np.zeros(2 * len(branches)),
                              stack_bounds(branches, 2), alpha, beta)
    for b, (bounds, mask) in enumerate(zip(branches, follows)):
        rows = slice(2 * b, 2 * b + 2)
        alone, _ = crown.upper(coeffs, np.zeros(2), bounds, [a[rows] for a in alpha], [v[rows] for v in beta])
        np.testing.assert_allclose(together[rows], alone, rtol=1e-12, atol=1e-12)
        assert np.all(logits[mask] @ coeffs.T <= alone)


@pytest.mark.parametrize("config", [EngineConfig(batch=1, refine_layers=True), EngineConfig(batch=8, refine_layers=False)])
def test_engine_variants_agree_with_brute_force(config: EngineConfig) -> None:
    """One branch at a time with layer refinement, and batched without: holds only where no grid point
    violates, violated only with a real witness."""
    rng = np.random.default_rng(11)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 81), np.linspace(-1, 1, 81)), -1).reshape(-1, 2)
    c = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])
    verdicts = set()
    for _ in range(4):
        net = random_network(rng, (2, 8, 8, 3))
        lo, hi = np.full(2, -1.0), np.full(2, 1.0)
        margins = net.logits(grid) @ c.T
        d = np.quantile(margins, 0.995, axis=0) + rng.uniform(-0.1, 0.4, size=2)
        disjuncts = [(c[:1], d[:1]), (c[1:], d[1:])]
        outcome = decide_spec(net, lo, hi, disjuncts, 5.0, config=config, clock=time.process_time)
        verdicts.add(outcome.verdict)
        if outcome.verdict == "verified":
            assert not np.any(np.any(margins >= d, axis=1))
        elif outcome.verdict == "counterexample":
            y = net.logits(outcome.witness[None, :])[0] @ c.T
            assert np.any(y >= d)
    assert verdicts <= {"verified", "counterexample"}


def write_small_and_big_instances(folder: Path) -> None:
    """net.onnx (a seeded random 5-12-12-4 network), small.vnnlib (a robust box around a point) and
    big.vnnlib (the whole unit box: a counterexample) in `folder`; shared with test_executors."""
    rng = np.random.default_rng(5)
    net = random_network(rng, (5, 12, 12, 4))
    write_onnx(folder / "net.onnx", net)
    centre = rng.uniform(0.2, 0.8, size=5)
    label = int(np.argmax(net.logits(centre[None, :])[0]))
    write_property(folder / "small.vnnlib", centre - 0.001, centre + 0.001, label, 4)
    write_property(folder / "big.vnnlib", np.zeros(5), np.ones(5), label, 4)


def test_cli_verify_and_vnncomp(tmp_path: Path, capsys) -> None:
    write_small_and_big_instances(tmp_path)
    result = tmp_path / "r.txt"
    assert main(["nap", "verify", "--onnx", str(tmp_path / "net.onnx"), "--vnnlib", str(tmp_path / "big.vnnlib"),
                 "--timeout", "20", "--result", str(result)]) == 0
    text = result.read_text()
    assert text.startswith("sat\n((X_0 ") and "(Y_3 " in text
    (tmp_path / "instances.csv").write_text("net.onnx,small.vnnlib,20\nnet.onnx,big.vnnlib,20\n")
    out = tmp_path / "out.json"
    assert main(["nap", "vnncomp", str(tmp_path / "instances.csv"), "--jobs", "1", "--json", str(out),
                 "--results-dir", str(tmp_path / "res")]) == 0
    rows = json.loads(out.read_text())
    assert [r["verdict"] for r in rows] == [HOLDS, VIOLATED]
    assert rows[1]["replayed"] is True and set(rows[0]) >= {"network", "property", "verdict", "seconds", "replayed"}
    assert (tmp_path / "res" / "net_small.txt").read_text() == "unsat\n"
    printed = capsys.readouterr().out
    assert "disagreements with a published tool: 0" in printed


def test_cli_bad_input_exit_2(tmp_path: Path, capsys) -> None:
    write_onnx(tmp_path / "n.onnx", random_network(np.random.default_rng(0), (3, 4, 2)), extra_op="Sigmoid")
    write_property(tmp_path / "p.vnnlib", np.zeros(3), np.ones(3), 0, 2)
    assert main(["nap", "verify", "--onnx", str(tmp_path / "n.onnx"), "--vnnlib", str(tmp_path / "p.vnnlib")]) == 2
    assert "unsupported layer" in capsys.readouterr().err
    assert main(["nap", "verify", "--onnx", str(tmp_path / "n.onnx")]) == 2
    (tmp_path / "i.csv").write_text("n.onnx,p.vnnlib,abc\n")
    assert main(["nap", "vnncomp", str(tmp_path / "i.csv"), "--json", str(tmp_path / "o.json")]) == 2
    assert "i.csv:1" in capsys.readouterr().err


@pytest.mark.skipif(not SUITE.is_dir(), reason=f"benchmark suite {SUITE} is not here")
def test_published_results_and_instances_read() -> None:
    instances = read_instances(SUITE / "mnistfc_instances.csv", SUITE)
    assert len(instances) == 90 and {i.timeout for i in instances} == {120.0, 300.0}
    published = published_results(SUITE / "results")
    assert published["a-b-CROWN"][("mnist-net_256x2.onnx", "prop_7_0.03.vnnlib")][0] == VIOLATED
    assert published["Marabou"][("mnist-net_256x2.onnx", "prop_0_0.03.vnnlib")][0] == HOLDS


@pytest.mark.slow
@pytest.mark.skipif(not SUITE.is_dir(), reason=f"benchmark suite {SUITE} is not here")
def test_a_violated_mnistfc_instance_replays() -> None:
    result = verify_instance(SUITE / "mnist-net_256x2.onnx", SUITE / "prop_0_0.05.vnnlib", 60)
    assert result.verdict == VIOLATED and result.replayed
    assert result_text(result).startswith("sat\n")


@pytest.mark.slow
@pytest.mark.skipif(not SUITE.is_dir(), reason=f"benchmark suite {SUITE} is not here")
def test_a_robust_mnistfc_instance_holds() -> None:
    result = verify_instance(SUITE / "mnist-net_256x2.onnx", SUITE / "prop_2_0.03.vnnlib", 120, clock="cpu")
    assert result.verdict == HOLDS and result.replayed is None
