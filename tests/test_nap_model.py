"""Models in: torch and ONNX give the same network and the same verdicts; anything else is a clear error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from dsl.errors import NesyInputError
from nesy.nap.mining import NapSet, mine_naps
from nesy.nap.model import from_onnx, from_torch, load_model
from nesy.nap.onnx_export import save_onnx, to_onnx
from nesy.nap.verify import unit_box, verify_disjoint, verify_robust


def small_torch(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.round(p * 2 ** 16) / 2 ** 16)
    return model


def matmul_onnx(model: nn.Sequential) -> onnx.ModelProto:
    """The same network spelled Reshape, MatMul + Add, Relu, Flatten: the other ONNX idiom."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    nodes, inits, current = [], [numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "shape")], "x"
    nodes.append(helper.make_node("Reshape", ["x", "shape"], ["r"]))
    current = "r"
    for k, linear in enumerate(linears):
        inits += [numpy_helper.from_array(linear.weight.detach().numpy().T.copy(), f"W{k}"),
                  numpy_helper.from_array(linear.bias.detach().numpy(), f"b{k}")]
        nodes += [helper.make_node("MatMul", [current, f"W{k}"], [f"m{k}"]),
                  helper.make_node("Add", [f"b{k}", f"m{k}"], [f"z{k}"])]
        current = f"z{k}"
        if k < len(linears) - 1:
            nodes += [helper.make_node("Relu", [current], [f"a{k}"]), helper.make_node("Flatten", [f"a{k}"], [f"f{k}"])]
            current = f"f{k}"
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
                              [helper.make_tensor_value_info(current, TensorProto.FLOAT, [None, 3])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_torch_and_both_onnx_idioms_give_the_same_network() -> None:
    model = small_torch()
    loaded = [from_torch(model), from_onnx(to_onnx(from_torch(model).network)), from_onnx(matmul_onnx(model))]
    for other in loaded[1:]:
        for a, b in zip(loaded[0].network.layers, other.network.layers):
            assert np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
    x = np.random.default_rng(0).uniform(size=(20, 4))
    expected = loaded[0].network.logits(x)
    for model_view in loaded:
        pre, logits = model_view.run(x)
        assert np.allclose(logits, expected, atol=1e-5) and len(pre) == 2


def test_torch_and_onnx_give_the_same_verdicts() -> None:
    model = small_torch(3)
    views = [from_torch(model), from_onnx(matmul_onnx(model))]
    x = np.random.default_rng(1).uniform(size=(200, 4))
    labels = views[0].network.logits(x).argmax(axis=1)
    naps = mine_naps(views[0].network, x, labels, 0.9)
    verdicts = []
    for view in views:
        reports = [r for c in naps.naps for r in verify_robust(view, naps, c, timeout_s=5)]
        reports += [verify_disjoint(view, naps, c, d, unit_box(4), 5) for c in naps.naps for d in naps.naps if c < d]
        assert all(r.replayed for r in reports if r.verdict == "counterexample")
        verdicts.append([(r.cls, r.other, r.verdict) for r in reports])
    assert verdicts[0] == verdicts[1]
    assert {"verified", "counterexample"} & {v for _, _, v in verdicts[0]}


def test_files_round_trip(tmp_path: Path) -> None:
    model = small_torch()
    torch.save(model, tmp_path / "full.pt")
    torch.save(nn.Sequential(*[m for m in model if not isinstance(m, nn.Flatten)]).state_dict(), tmp_path / "sd.pt")
    save_onnx(from_torch(model).network, tmp_path / "m.onnx")
    nets = [load_model(tmp_path / "full.pt", trust_pickle=True).network,
            load_model(tmp_path / "sd.pt", architecture="relu-mlp").network, load_model(tmp_path / "m.onnx").network]
    for net in nets[1:]:
        assert all(np.array_equal(a.weight, b.weight) for a, b in zip(nets[0].layers, net.layers))


@pytest.mark.parametrize("model, named", [
    (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2)), "Tanh"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU()), "must end with a linear layer"),
    (nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), "ReLU must follow a linear layer"),
    (nn.Linear(2, 3), "expected a torch nn.Sequential"),
])
def test_unsupported_torch_models_are_named(model: nn.Module, named: str) -> None:
    with pytest.raises(NesyInputError, match=named):
        from_torch(model)


def test_unsupported_onnx_node_is_named() -> None:
    onnx_model = to_onnx(from_torch(small_torch()).network)
    onnx_model.graph.node[1].op_type = "Sigmoid"
    with pytest.raises(NesyInputError, match=r"relu0 \(Sigmoid\).*unsupported layer"):
        from_onnx(onnx_model)


def test_bad_files_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.onnx").write_bytes(b"not a model")
    (tmp_path / "naps.json").write_text('{"delta": 0.9}')
    for path, message in ((tmp_path / "bad.onnx", "not a readable ONNX"), (tmp_path / "none.pt", "not found"),
                          (tmp_path / "m.h5", "unknown model format")):
        if path.suffix == ".h5":
            path.write_text("x")
        with pytest.raises(NesyInputError, match=message):
            load_model(path)
    with pytest.raises(NesyInputError, match="not a NAP file"):
        NapSet.load(tmp_path / "naps.json")
