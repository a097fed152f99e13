"""Models in: a torch `nn.Sequential` of Linear/ReLU/Flatten, or an ONNX graph of
Gemm/MatMul/Add/Relu/Flatten/Reshape, becomes one `ReluNetwork` (numpy, weights on the 2^-16 grid)
plus a runner that evaluates the *original* model, which is what counterexamples are replayed on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from dsl.errors import NesyInputError
from solvers.nap.network import AffineLayer, ReluNetwork

Runner = Callable[[np.ndarray], tuple[list[np.ndarray], np.ndarray]]
"""Batch of flat inputs -> (pre-activations of each ReLU layer, logits), computed by the real model."""


@dataclass(frozen=True)
class LoadedModel:
    """The verifier's view (`network`) and the real model (`run`), with where it came from."""

    network: ReluNetwork
    kind: str
    source: str
    run: Runner = field(repr=False)


class _AffineChain:
    """Composes consecutive affine maps (y = m @ x + c) until a ReLU closes a layer."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.layers: list[AffineLayer] = []
        self.m: np.ndarray | None = None
        self.c: np.ndarray | None = None

    def then(self, weight: np.ndarray, bias: np.ndarray | None) -> None:
        weight = np.asarray(weight, dtype=np.float64)
        if self.m is None:
            self.m, self.c = weight, np.zeros(weight.shape[0])
        else:
            if weight.shape[1] != self.m.shape[0]:
                raise NesyInputError(f"{self.where}: a layer takes {weight.shape[1]} inputs but gets {self.m.shape[0]}")
            self.m, self.c = weight @ self.m, weight @ self.c
        if bias is not None:
            self.add_bias(bias)

    def add_bias(self, bias: np.ndarray) -> None:
        if self.m is None:
            raise NesyInputError(f"{self.where}: a bias is added before any linear layer")
        self.c = self.c + np.broadcast_to(np.asarray(bias, dtype=np.float64).reshape(-1), self.c.shape)

    def relu(self) -> None:
        if self.m is None:
            raise NesyInputError(f"{self.where}: a ReLU must follow a linear layer")
        self.layers.append(AffineLayer(self.m, self.c))
        self.m = self.c = None

    def network(self) -> ReluNetwork:
        if self.m is None:
            raise NesyInputError(f"{self.where}: the model must end with a linear layer (the logits), not a ReLU")
        return ReluNetwork((*self.layers, AffineLayer(self.m, self.c))).rounded()


def from_torch(module: Any, source: str = "torch module") -> LoadedModel:
    """A torch nn.Sequential (nesting allowed) of Linear / ReLU / Flatten (Identity and Dropout pass)."""
    import torch
    from torch import nn

    chain = _AffineChain(source)
    flat = _flatten_sequential(module, source)
    for name, layer in flat:
        if isinstance(layer, nn.Linear):
            bias = layer.bias.detach().double().numpy() if layer.bias is not None else None
            chain.then(layer.weight.detach().double().numpy(), bias)
        elif isinstance(layer, nn.ReLU):
            chain.relu()
        elif not isinstance(layer, (nn.Flatten, nn.Identity, nn.Dropout)):
            raise NesyInputError(f"{source}: unsupported layer {name} ({type(layer).__name__}); "
                                 "supported: Linear, ReLU, Flatten")
    network = chain.network()
    module.eval()
    dtype = next(module.parameters()).dtype

    def run(x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        pre: list[np.ndarray] = []
        with torch.no_grad():
            h = torch.as_tensor(np.atleast_2d(x), dtype=dtype)
            for _, layer in flat:
                if isinstance(layer, nn.ReLU):
                    pre.append(h.double().numpy().reshape(len(h), -1))
                h = layer(h)
        return pre, h.double().numpy().reshape(len(h), -1)

    return LoadedModel(network, "torch", source, run)


def _flatten_sequential(module: Any, source: str) -> list[tuple[str, Any]]:
    from torch import nn

    if not isinstance(module, nn.Sequential):
        raise NesyInputError(f"{source}: expected a torch nn.Sequential, got {type(module).__name__}")
    layers = []
    for name, child in module.named_children():
        if isinstance(child, nn.Sequential):
            layers.extend((f"{name}.{n}", c) for n, c in _flatten_sequential(child, source))
        else:
            layers.append((name, child))
    return layers


_ONNX_PASS = {"Flatten", "Reshape", "Identity"}


def from_onnx(model: Any, source: str = "onnx model") -> LoadedModel:
    """An ONNX ModelProto whose graph is one chain of Gemm/MatMul/Add/Relu/Flatten/Reshape nodes."""
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    graph = model.graph
    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in values]
    if len(inputs) != 1:
        raise NesyInputError(f"{source}: expected one graph input, found {len(inputs)}")
    current = inputs[0].name
    chain = _AffineChain(source)
    relu_inputs: list[str] = []
    for node in graph.node:
        where = f"{source}: node {node.name or node.op_type} ({node.op_type})"
        if node.op_type == "Constant":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
            continue
        data = [name for name in node.input if name and name not in values]
        if data != [current]:
            raise NesyInputError(f"{where}: the graph must be a single chain of layers")
        if node.op_type == "Gemm":
            _onnx_gemm(node, values, chain, where)
        elif node.op_type == "MatMul":
            if node.input[0] != current:
                raise NesyInputError(f"{where}: only x @ W is supported")
            chain.then(values[node.input[1]].T, None)
        elif node.op_type == "Add":
            chain.add_bias(values[node.input[1] if node.input[0] == current else node.input[0]])
        elif node.op_type == "Relu":
            relu_inputs.append(current)
            chain.relu()
        elif node.op_type not in _ONNX_PASS:
            raise NesyInputError(f"{where}: unsupported layer; supported: Gemm, MatMul, Add, Relu, Flatten, Reshape")
        current = node.output[0]
    network = chain.network()
    evaluator = ReferenceEvaluator(model)
    output = graph.output[0].name
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim][1:]
    shape = tuple(dims) if dims and all(d > 0 for d in dims) else (network.input_size,)

    def run(x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        batch = np.atleast_2d(x).astype(np.float32)
        results = evaluator.run([*relu_inputs, output], {inputs[0].name: batch.reshape(len(batch), *shape)})
        as_flat = [np.asarray(r, dtype=np.float64).reshape(len(batch), -1) for r in results]
        return as_flat[:-1], as_flat[-1]

    return LoadedModel(network, "onnx", source, run)


def _onnx_gemm(node: Any, values: dict[str, np.ndarray], chain: _AffineChain, where: str) -> None:
    attrs = {a.name: (a.f if a.type == 1 else a.i) for a in node.attribute}
    if attrs.get("transA", 0):
        raise NesyInputError(f"{where}: transA=1 is not supported")
    b = values[node.input[1]]
    weight = float(attrs.get("alpha", 1.0)) * (b if attrs.get("transB", 0) else b.T)
    bias = float(attrs.get("beta", 1.0)) * values[node.input[2]] if len(node.input) > 2 and node.input[2] else None
    chain.then(weight, bias)


def load_model(path: str | Path) -> LoadedModel:
    """Load a `.onnx` file, or a `.pt`/`.pth` file holding an nn.Sequential or its state dict.

    >>> model = load_model("datasets/nap/digits-64-32-32-10.onnx")   # doctest: +SKIP
    >>> model.network.hidden_sizes                                  # doctest: +SKIP
    (32, 32)
    """
    path = Path(path)
    if not path.is_file():
        raise NesyInputError(f"model file {path} not found")
    if path.suffix == ".onnx":
        import onnx

        try:
            model = onnx.load(str(path))
        except Exception as error:  # onnx raises DecodeError and others for a corrupt file
            raise NesyInputError(f"{path}: not a readable ONNX model ({error})") from error
        return from_onnx(model, str(path))
    if path.suffix in (".pt", ".pth"):
        import torch

        try:  # a state dict loads without running pickle code; only a whole module needs that
            loaded = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception:  # torch raises UnpicklingError and others for non-tensor content
            try:
                loaded = torch.load(str(path), map_location="cpu", weights_only=False)
            except Exception as error:  # pickle / zip errors for a corrupt file
                raise NesyInputError(f"{path}: not a readable torch file ({error})") from error
        if isinstance(loaded, dict):
            loaded = sequential_from_state_dict(loaded, str(path))
        return from_torch(loaded, str(path))
    raise NesyInputError(f"{path}: unknown model format {path.suffix!r} (expected .onnx, .pt or .pth)")


def sequential_from_state_dict(state: dict[str, Any], source: str) -> Any:
    """Rebuild Linear, ReLU, Linear, ... from a state dict with keys `<index>.weight` / `<index>.bias`."""
    from torch import nn

    try:
        indices = sorted({int(key.split(".")[0]) for key in state})
    except ValueError as error:
        raise NesyInputError(f"{source}: state dict keys must look like '0.weight' ({error})") from error
    layers: list[nn.Module] = []
    for position, index in enumerate(indices):
        weight = state.get(f"{index}.weight")
        if weight is None or weight.ndim != 2:
            raise NesyInputError(f"{source}: entry {index} is not a Linear layer's weight")
        linear = nn.Linear(weight.shape[1], weight.shape[0], bias=f"{index}.bias" in state, dtype=weight.dtype)
        linear.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(f"{index}.")})
        layers.append(linear)
        if position < len(indices) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)
