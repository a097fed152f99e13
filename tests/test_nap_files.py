"""Model, NAP and data files from strangers: no file runs code, a state dict is never guessed to be a
ReLU network, and damaged numbers or shapes are one-line errors naming where (issue: hardening)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from torch import nn

from dsl.errors import NesyInputError
from nesy.cli import main
from nesy.nap.mining import NapSet
from nesy.nap.model import from_onnx, from_torch, load_model
from nesy.nap.onnx_export import to_onnx
from nesy.nap.verify import robust_query, unit_box, verify_robust

DIGITS_ONNX = Path("datasets/nap/digits-64-32-32-10.onnx")
DIGITS_PT = Path("datasets/nap/digits-64-32-32-10.pt")


class WritesMarker:
    """Unpickling this calls open(marker, 'w'): a file that appears proves the pickle's code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nesy: error:"), lines
    return lines[0]


def sigmoid_state_dict(path: Path) -> Path:
    torch.manual_seed(0)
    torch.save(nn.Sequential(nn.Linear(64, 16), nn.Sigmoid(), nn.Linear(16, 10)).state_dict(), path)
    return path


def test_state_dict_of_unknown_activations_is_refused(tmp_path: Path, capsys) -> None:
    model = sigmoid_state_dict(tmp_path / "sig.pt")
    out = tmp_path / "naps.json"
    assert main(["nap", "mine", "--model", str(model), "--out", str(out)]) == 2
    assert "--architecture relu-mlp" in one_error_line(capsys) and not out.exists()
    assert main(["nap", "mine", "--model", str(model), "--architecture", "relu-mlp", "--out", str(out)]) == 0
    assert out.exists()   # the user said it is a ReLU MLP: read as one


@pytest.mark.parametrize("command", ["mine", "verify"])
def test_pickle_code_never_runs_without_trust(tmp_path: Path, capsys, command: str) -> None:
    marker, evil = tmp_path / "marker", tmp_path / "evil.pt"
    torch.save({"0.weight": WritesMarker(marker)}, evil)
    naps = tmp_path / "naps.json"
    naps.write_text(json.dumps({"delta": 0.99, "naps": {"0": [[0] * 32, [0] * 32]}}))
    extra = ["--out", str(tmp_path / "o.json")] if command == "mine" else ["--naps", str(naps)]
    for architecture in ([], ["--architecture", "relu-mlp"]):
        assert main(["nap", command, "--model", str(evil), *architecture, *extra]) == 2
        message = one_error_line(capsys)
        assert "--trust-pickle" in message and "ONNX" in message and "state_dict" in message
        assert not marker.exists()


def test_whole_module_needs_trust_pickle(tmp_path: Path) -> None:
    module = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    torch.save(module, tmp_path / "whole.pt")
    with pytest.raises(NesyInputError, match="trust-pickle"):
        load_model(tmp_path / "whole.pt")
    assert load_model(tmp_path / "whole.pt", trust_pickle=True).network.hidden_sizes == (4,)


def test_guide_weights_never_run_pickle_code(tmp_path: Path) -> None:
    from nesy.guides.model import load_weights

    marker, evil = tmp_path / "marker", tmp_path / "guide.pt"
    torch.save({"format": WritesMarker(marker)}, evil)
    with pytest.raises(NesyInputError) as error:
        load_weights(evil)
    assert not marker.exists() and "\n" not in str(error.value)


def test_trust_pickle_help_says_what_it_allows(capsys) -> None:
    assert main(["nap", "verify", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--trust-pickle" in text and "runs Python code" in text


def onnx_with(value: float, layer: int = 0) -> onnx.ModelProto:
    """The shipped digits network with one weight of `layer` replaced."""
    model = onnx.load(str(DIGITS_ONNX))
    tensor = model.graph.initializer[2 * layer]
    weights = onnx.numpy_helper.to_array(tensor).copy()
    weights[3, 4] = value
    tensor.CopyFrom(onnx.numpy_helper.from_array(weights, tensor.name))
    return model


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_or_infinite_weights_are_named(tmp_path: Path, capsys, bad: float) -> None:
    onnx.save(onnx_with(bad, layer=1), str(tmp_path / "bad.onnx"))
    naps = tmp_path / "naps.json"
    assert main(["nap", "mine", "--out", str(naps)]) == 0
    capsys.readouterr()
    assert main(["nap", "verify", "--model", str(tmp_path / "bad.onnx"), "--naps", str(naps), "--classes", "3",
                 "--timeout", "1"]) == 2
    assert "node gemm1 (Gemm): weight holds NaN or infinite values" in one_error_line(capsys)


def test_nan_in_a_state_dict_is_named(tmp_path: Path) -> None:
    state = torch.load(DIGITS_PT, weights_only=True)
    state["2.weight"][3, 4] = float("nan")
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(NesyInputError, match="entry 2.weight holds NaN or infinite values"):
        load_model(tmp_path / "bad.pt", architecture="relu-mlp")


def test_nap_classes_past_the_outputs_are_refused(tmp_path: Path, capsys) -> None:
    naps = tmp_path / "naps.json"
    assert main(["nap", "mine", "--out", str(naps)]) == 0
    data = json.loads(naps.read_text())
    data["naps"]["12"] = data["naps"]["3"]
    naps.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["nap", "verify", "--naps", str(naps), "--classes", "12", "--timeout", "1"]) == 2
    assert "class 12 has a NAP, but the network has 10 outputs" in one_error_line(capsys)
    data["naps"] = {"-1": data["naps"]["3"]}   # numpy would read logit -1 as logit 9
    naps.write_text(json.dumps(data))
    assert main(["nap", "verify", "--naps", str(naps), "--timeout", "1"]) == 2
    assert "'-1' is not a class number" in one_error_line(capsys)


def test_api_refuses_classes_past_the_outputs() -> None:
    model = from_torch(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2)))
    naps = NapSet(0.9, {5: verify_phases(3)})
    with pytest.raises(NesyInputError, match="class 5"):
        verify_robust(model, naps, 5)
    with pytest.raises(NesyInputError, match="competing class -1"):
        robust_query(model, verify_phases(3), 0, -1, unit_box(2), 1.0)


def verify_phases(width: int):
    from solvers.nap.network import Phases

    return Phases((np.zeros(width, dtype=np.int8),))


class NotReallyLinear(nn.Linear):
    """A Linear whose forward is something else: the reader sees a Linear, the replay would not."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(super().forward(x))


def test_layer_that_computes_something_else_is_refused() -> None:
    with pytest.raises(NesyInputError, match="differ by .* from the Linear/ReLU layers"):
        from_torch(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), NotReallyLinear(5, 3)), "odd.pt")


def test_unsupported_layers_are_named_with_where() -> None:
    nested = nn.Sequential(nn.Linear(4, 5), nn.Sequential(nn.ReLU(), nn.Conv1d(1, 1, 1)), nn.Linear(5, 2))
    with pytest.raises(NesyInputError, match=r"^m.pt: layer 1.1 \(Conv1d\): unsupported layer"):
        from_torch(nested, "m.pt")
    model = to_onnx(from_torch(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))).network)
    model.graph.node[1].domain = "com.example"
    with pytest.raises(NesyInputError, match=r"node relu0 \(Relu\): operator of domain 'com.example'"):
        from_onnx(model, "m.onnx")


@pytest.mark.parametrize("damage, named", [
    (lambda m: m.graph.initializer[0].dims.__setitem__(0, 7), "initializer 'W0' cannot be read"),
    (lambda m: m.graph.node[0].input.__delitem__(slice(1, None)), r"node gemm0 \(Gemm\): cannot read this layer"),
    (lambda m: m.graph.node[0].input.reverse(), r"node gemm0 \(Gemm\)"),
    (lambda m: m.graph.output[0].__setattr__("name", "a0"), "graph output 'a0' is not the end"),
    (lambda m: m.graph.node.insert(0, onnx.helper.make_node("Constant", [], ["c"])), "Constant with a tensor"),
])
def test_damaged_onnx_structure_is_named(damage, named: str) -> None:
    model = to_onnx(from_torch(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))).network)
    damage(model)
    with pytest.raises(NesyInputError, match=named):
        from_onnx(model, "m.onnx")


@pytest.mark.parametrize("state, named", [
    ({"0.weight": torch.zeros(3)}, "not a Linear layer's weight"),
    ({"0.weight": torch.zeros(3, 2), "0.bias": torch.zeros(4)}, "bias of shape"),
    ({"0.weight": torch.zeros(3, 2, dtype=torch.int64)}, "not a floating-point tensor"),
    ({"0.weight": 5}, "not a floating-point tensor"),
    ({"net.0.weight": torch.zeros(3, 2)}, "is not '<index>.weight'"),
    ({}, "empty"),
    ({"0.weight": torch.zeros(3, 2)}, "no ReLU layer"),
    ({"0.weight": torch.ones(3, 2) * 1e30, "2.weight": torch.ones(2, 3)}, "weights up to"),
])
def test_damaged_state_dicts_are_named(tmp_path: Path, state: dict, named: str) -> None:
    torch.save(state, tmp_path / "s.pt")
    with pytest.raises(NesyInputError, match=named):
        load_model(tmp_path / "s.pt", architecture="relu-mlp")


@pytest.mark.parametrize("text, named", [
    ('{"delta": 0.9, "naps": {"0": [[1, 2]]}}', "layer 0: expected a non-empty list of -1, 0 or 1"),
    ('{"delta": 0.9, "naps": {"0": [[1000]]}}', "-1, 0 or 1"),
    ('{"delta": 0.9, "naps": {"0": [[0.5]]}}', "-1, 0 or 1"),
    ('{"delta": 0.9, "naps": {"0": [[[1]]]}}', "-1, 0 or 1"),
    ('{"delta": 0.9, "naps": {"0": [[1]], "1": [[1, 0]]}}', "different layer sizes"),
    ('{"delta": 0.9, "naps": {}}', "no NAPs"),
    ('{"delta": NaN, "naps": {"0": [[1]]}}', "'delta' must be a number"),
    ("[" * 100000, "nested too deeply"),
    ('{"delta": 0.9, "naps": {"' + "9" * 5000 + '": [[1]]}}', "is not a class number"),
    ('{"delta": 0.9, "naps": {"0": [[' + "9" * 5000 + ']]}}', "not readable JSON"),
])
def test_damaged_nap_files_are_named(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "naps.json"
    path.write_text(text)
    with pytest.raises(NesyInputError, match=named):
        NapSet.load(path)


def test_nap_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "naps.json").write_bytes(b'{"delta": 0.9, "naps": {"\xff": [[1]]}}')
    with pytest.raises(NesyInputError, match="not UTF-8"):
        NapSet.load(tmp_path / "naps.json")


@pytest.mark.parametrize("arrays, named", [
    (dict(y_train=np.full(10, 12)), "class numbers 0-9"),
    (dict(x_train=np.full((10, 64), np.nan)), "finite numbers"),
    (dict(y_train=np.zeros(9)), "one label per row"),
    (dict(x_train=np.zeros((10, 8))), "rows of 64"),
])
def test_damaged_data_files_are_named(tmp_path: Path, capsys, arrays: dict, named: str) -> None:
    data = dict(x_train=np.zeros((10, 64)), y_train=np.zeros(10), x_test=np.zeros((4, 64)), y_test=np.zeros(4))
    data.update(arrays)
    np.savez(tmp_path / "d.npz", **data)
    assert main(["nap", "mine", "--data", str(tmp_path / "d.npz"), "--out", str(tmp_path / "n.json")]) == 2
    assert named in one_error_line(capsys)


def test_data_file_never_runs_pickle_code(tmp_path: Path, capsys) -> None:
    marker = tmp_path / "marker"
    objects = np.empty(1, dtype=object)
    objects[0] = WritesMarker(marker)
    np.savez(tmp_path / "d.npz", x_train=objects, y_train=np.zeros(1), x_test=objects, y_test=np.zeros(1))
    assert main(["nap", "mine", "--data", str(tmp_path / "d.npz"), "--out", str(tmp_path / "n.json")]) == 2
    one_error_line(capsys)
    assert not marker.exists()
