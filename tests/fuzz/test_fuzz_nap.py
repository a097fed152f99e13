"""Fuzz the files `nesy nap` reads: ONNX models, torch state dicts and NAP JSON files, mutated as bytes
and as structures (protobuf fields, state dict entries). Only `NesyInputError` may escape a reader."""
from __future__ import annotations

import functools
import inspect
import io
import json
import pathlib
import tempfile

import numpy as np
import onnx
import torch
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from fuzz.mutate import FUZZ_SETTINGS, mutated_bytes, mutated_text, only_input_errors

AREA = "nap"
DATASETS = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "nap"
ZIP_MAGIC = b"PK\x03\x04"


def _small_state_dict() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {"0.weight": torch.randn(5, 4, generator=generator), "0.bias": torch.randn(5, generator=generator),
            "2.weight": torch.randn(3, 5, generator=generator), "2.bias": torch.randn(3, generator=generator)}


def _small_onnx(matmul: bool) -> onnx.ModelProto:
    """The small network in both ONNX idioms: Gemm + Relu, and Reshape, MatMul + Add, Relu, Flatten."""
    state = {k: v.numpy() for k, v in _small_state_dict().items()}
    nodes, inits, current = [], [], "x"
    if matmul:
        inits.append(numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "shape"))
        nodes.append(helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"))
        current = "r"
    for k, index in enumerate((0, 2)):
        w, b = state[f"{index}.weight"], state[f"{index}.bias"]
        inits += [numpy_helper.from_array(w.T.copy() if matmul else w, f"W{k}"), numpy_helper.from_array(b, f"b{k}")]
        if matmul:
            nodes += [helper.make_node("MatMul", [current, f"W{k}"], [f"m{k}"], name=f"matmul{k}"),
                      helper.make_node("Add", [f"m{k}", f"b{k}"], [f"z{k}"], name=f"add{k}")]
        else:
            nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [f"z{k}"], transB=1, name=f"gemm{k}"))
        current = f"z{k}"
        if k == 0:
            nodes += [helper.make_node("Relu", [current], ["a0"], name="relu0")]
            current = "a0"
    graph = helper.make_graph(nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
                              [helper.make_tensor_value_info(current, TensorProto.FLOAT, [None, 3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def _torch_bytes(value: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def _nap_seed(widths: tuple[int, ...], classes: int) -> str:
    rng = np.random.default_rng(sum(widths) + classes)
    return json.dumps({"delta": 0.99, "naps": {str(c): [rng.integers(-1, 2, size=w).tolist() for w in widths]
                                               for c in range(classes)}})


ONNX_SEEDS = [_small_onnx(False).SerializeToString(), _small_onnx(True).SerializeToString(),
              (DATASETS / "digits-64-32-32-10.onnx").read_bytes()]
TORCH_SEEDS = [_torch_bytes(_small_state_dict()), (DATASETS / "digits-64-32-32-10.pt").read_bytes()]
NAP_SEEDS = [_nap_seed((5,), 3), _nap_seed((32, 32), 10)]
SEEDS = NAP_SEEDS + [seed.decode("latin-1") for seed in ONNX_SEEDS + TORCH_SEEDS]
"""Valid inputs as text; the binary ones (ONNX protobuf, torch zip) byte for byte as latin-1."""


@functools.lru_cache(maxsize=None)
def _network(hidden: tuple[int, ...]):
    """The network a NAP file is checked against, as `nesy nap verify` does: small or digits."""
    from nesy.nap.model import from_torch
    from torch import nn

    if hidden == (5,):
        return from_torch(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))).network
    from nesy.nap.digits import digits_model

    return digits_model(hidden).network


def _load_model(path: pathlib.Path) -> object:
    """load_model as `--architecture relu-mlp` asks (the census also runs this on the code before that
    option, whose load_model took only a path); never with trust_pickle."""
    from nesy.nap.model import load_model

    if "architecture" in inspect.signature(load_model).parameters:
        return load_model(path, architecture="relu-mlp")
    return load_model(path)


def _load_naps(path: pathlib.Path) -> None:
    """What `nesy nap verify` does with a NAP file before solving: read it, fit it to the network."""
    from nesy.nap.mining import NapSet

    naps = NapSet.load(path)
    first = next(iter(naps.naps.values()), None)
    network = _network((5,) if first is not None and [len(p) for p in first.layers] == [5] else (32, 32))
    if hasattr(naps, "check_fits"):
        naps.check_fits(network, str(path))
    else:  # the code before the change checked each NAP's layer sizes only
        for c, phases in naps.naps.items():
            phases.check_fits(network, f"{path}, class {c}")


def read_bytes(data: bytes, tmp_dir: pathlib.Path) -> None:
    """Write `data` as the file a user would pass (a torch zip as .pt, JSON text as a NAP file, anything
    else as .onnx) and read it the way `nesy nap verify` does."""
    if data.startswith(ZIP_MAGIC):
        path = tmp_dir / "model.pt"
        path.write_bytes(data)
        _load_model(path)
    elif data.lstrip()[:1] in (b"{", b"["):
        path = tmp_dir / "naps.json"
        path.write_bytes(data)
        _load_naps(path)
    else:
        path = tmp_dir / "model.onnx"
        path.write_bytes(data)
        _load_model(path)


def _outcome(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        return only_input_errors(lambda: read_bytes(data, pathlib.Path(tmp)))


# --- byte mutations ------------------------------------------------------------------------------

@FUZZ_SETTINGS
@given(mutated_bytes(NAP_SEEDS))
def test_nap_files(data: bytes) -> None:
    _outcome(data)


@FUZZ_SETTINGS
@given(mutated_text([seed.decode("latin-1") for seed in ONNX_SEEDS]))
def test_onnx_bytes(text: str) -> None:
    _outcome(text.encode("latin-1", "replace"))


@FUZZ_SETTINGS
@given(mutated_text([seed.decode("latin-1") for seed in TORCH_SEEDS]))
def test_torch_bytes(text: str) -> None:
    _outcome(text.encode("latin-1", "replace"))


# --- structure mutations -------------------------------------------------------------------------

OP_TYPES = ("Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape", "Identity", "Constant", "Sigmoid", "Conv", "")
NUMBERS = st.sampled_from([0.0, -1.0, 1e-30, 1e30, 3e38, float("nan"), float("inf"), -float("inf")])


def _readable(tensor: onnx.TensorProto) -> bool:
    """Whether an earlier edit (dims, data type) left the tensor readable, so its values can be edited."""
    try:
        numpy_helper.to_array(tensor).astype(np.float64)
        return True
    except Exception:  # onnx raises ValueError, TypeError... for the damage the edits make on purpose
        return False


@st.composite
def mutated_onnx(draw: st.DrawFn) -> bytes:
    """A small valid ONNX model with a few field-level edits: op types, inputs, attributes, tensors, shapes."""
    model = _small_onnx(draw(st.booleans()))
    graph = model.graph
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(("op", "drop", "duplicate", "inputs", "attribute", "tensor", "dims", "dtype",
                                     "shape", "output", "domain", "constant")))
        nodes, inits = graph.node, graph.initializer
        node = nodes[draw(st.integers(0, len(nodes) - 1))] if len(nodes) else None
        tensor = inits[draw(st.integers(0, len(inits) - 1))] if len(inits) else None
        if kind == "op" and node is not None:
            node.op_type = draw(st.sampled_from(OP_TYPES))
        elif kind == "drop" and len(nodes):
            del nodes[draw(st.integers(0, len(nodes) - 1))]
        elif kind == "duplicate" and node is not None:
            nodes.append(onnx.NodeProto.FromString(node.SerializeToString()))
        elif kind == "inputs" and node is not None:
            names = [n for n in draw(st.permutations(list(node.input) + ["", "x", "missing"]))]
            del node.input[:]
            node.input.extend(names[:draw(st.integers(0, len(names)))])
        elif kind == "attribute" and node is not None:
            name = draw(st.sampled_from(("transA", "transB", "alpha", "beta", "axis")))
            value = draw(st.one_of(st.integers(-2, 2), NUMBERS))
            node.attribute.append(helper.make_attribute(name, value))
        elif kind == "tensor" and tensor is not None and _readable(tensor):
            array = numpy_helper.to_array(tensor).astype(np.float64).copy()
            if array.size:
                array.flat[draw(st.integers(0, array.size - 1))] = draw(NUMBERS)
            tensor.CopyFrom(numpy_helper.from_array(array.astype(np.float32), tensor.name))
        elif kind == "dims" and tensor is not None:
            del tensor.dims[:]
            tensor.dims.extend(draw(st.lists(st.integers(0, 9), max_size=3)))
        elif kind == "dtype" and tensor is not None:
            tensor.data_type = draw(st.integers(0, 17))
        elif kind == "shape":
            dims = graph.input[0].type.tensor_type.shape.dim
            dims[draw(st.integers(0, len(dims) - 1))].dim_value = draw(st.integers(0, 70))
        elif kind == "output":
            graph.output[0].name = draw(st.sampled_from(("a0", "z0", "x", "nothing", "")))
        elif kind == "domain" and node is not None:
            node.domain = draw(st.sampled_from(("", "ai.onnx", "com.microsoft", "ai.onnx.ml")))
        elif kind == "constant":
            value = helper.make_tensor("v", TensorProto.FLOAT, [2], [1.0, 2.0])
            constant = draw(st.sampled_from((helper.make_node("Constant", [], ["W0"], value=value),
                                             helper.make_node("Constant", [], ["c"], value_float=1.0),
                                             helper.make_node("Constant", [], ["c"]))))
            nodes.insert(draw(st.integers(0, len(nodes))), constant)
    return model.SerializeToString()


@FUZZ_SETTINGS
@given(mutated_onnx())
def test_onnx_structures(data: bytes) -> None:
    _outcome(data)


TENSOR_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.bool)


@st.composite
def state_entries(draw: st.DrawFn) -> object:
    """A state dict value: usually a tensor of some shape and dtype (with NaN / inf / huge values
    now and then), sometimes a plain value a state dict should not hold."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from((5, "w", [1.0, 2.0], None, {"a": torch.zeros(2)})))
    shape = draw(st.lists(st.integers(0, 6), max_size=3))
    tensor = torch.randn(tuple(shape), generator=torch.Generator().manual_seed(draw(st.integers(0, 99))))
    if tensor.numel() and draw(st.booleans()):
        tensor.view(-1)[draw(st.integers(0, tensor.numel() - 1))] = draw(NUMBERS)
    return tensor.to(draw(st.sampled_from(TENSOR_DTYPES)))


@st.composite
def mutated_state_dicts(draw: st.DrawFn) -> bytes:
    state: dict = dict(_small_state_dict())
    keys = ("0.weight", "0.bias", "1.weight", "2.weight", "2.bias", "4.weight", "net.0.weight", "0.weight.x", "w")
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(keys))
        if draw(st.integers(0, 3)) == 0:
            state.pop(key, None)
        else:
            state[key] = draw(state_entries())
    return _torch_bytes(state)


@FUZZ_SETTINGS
@given(mutated_state_dicts())
def test_state_dict_structures(data: bytes) -> None:
    _outcome(data)


def test_seeds_are_accepted() -> None:
    """Every seed is a valid input: mutations start from inputs the readers accept."""
    for seed in [s.encode("utf-8") for s in NAP_SEEDS] + ONNX_SEEDS + TORCH_SEEDS:
        assert _outcome(seed) == "accepted"
