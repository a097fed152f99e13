"""Models in: a torch `nn.Sequential` of Linear/ReLU/Flatten, or an ONNX graph of
Gemm/MatMul/Add/Relu/Flatten/Reshape, becomes one `ReluNetwork` (numpy, weights on the 2^-16 grid)
plus a runner that evaluates the *original* model, which is what counterexamples are replayed on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

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
    input_ops: tuple[tuple[str, np.ndarray], ...] = ()
    """Exact reading only: elementwise `("sub", c)` / `("div", c)` normalisation the ONNX graph applies
    to its input before the first layer; the network takes the normalised input."""


class _AffineChain:
    """Composes consecutive affine maps (y = m @ x + c) until a ReLU closes a layer."""

    def __init__(self, where: str, exact: bool = False) -> None:
        self.where = where
        self.exact = exact
        self.layers: list[AffineLayer] = []
        self.m: np.ndarray | None = None
        self.c: np.ndarray | None = None
        self.input_ops: list[tuple[str, np.ndarray]] = []

    def normalise(self, op: str, constant: np.ndarray, where: str) -> None:
        """x - constant or x / constant, elementwise (VNN-COMP's input normalisation)."""
        constant = _finite(constant, f"{where}: constant").reshape(-1)
        if op == "div" and np.any(constant == 0):
            raise NesyInputError(f"{where}: division by zero")
        if self.m is None and not self.layers:
            self.input_ops.append((op, constant))  # before any layer: folded in (or, exact, kept apart)
            return
        if self.exact:
            raise NesyInputError(f"{where}: Sub/Div between layers would be rounded into the weights; exact "
                                 "(sound) reading supports them only on the input, before the first layer")
        if self.m is None:
            raise NesyInputError(f"{where}: Sub/Div after a ReLU and before a linear layer is not supported")
        if constant.size not in (1, self.c.size):
            raise NesyInputError(f"{where}: a constant of {constant.size} values for {self.c.size} outputs")
        if op == "sub":
            self.c = self.c - constant
        else:
            self.m, self.c = self.m / constant[:, None] if constant.size > 1 else self.m / constant, self.c / constant

    def _fold_input_ops(self, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """W applied after x' = (x - s) / d ...: the equivalent (W', b') on x (rounded, so not exact)."""
        scale, shift = np.ones(weight.shape[1]), np.zeros(weight.shape[1])
        for op, constant in self.input_ops:
            if constant.size not in (1, weight.shape[1]):
                raise NesyInputError(f"{self.where}: an input Sub/Div constant of {constant.size} values for "
                                     f"{weight.shape[1]} inputs")
            if op == "sub":
                shift = shift - constant
            else:
                scale, shift = scale / constant, shift / constant
        self.input_ops = []
        return weight * scale, weight @ shift

    def then(self, weight: np.ndarray, bias: np.ndarray | None, where: str | None = None) -> None:
        where = where or self.where
        weight = _finite(weight, f"{where}: weight")
        if weight.ndim != 2 or 0 in weight.shape:
            raise NesyInputError(f"{where}: a weight of shape {weight.shape}; a linear layer needs a matrix")
        if self.m is None:
            self.m, self.c = weight, np.zeros(weight.shape[0])
            if self.input_ops and not self.exact and not self.layers:
                self.m, self.c = self._fold_input_ops(weight)
        else:
            if self.exact:
                raise NesyInputError(f"{where}: two linear layers with no Relu between them: their product "
                                     "would be rounded, and exact (sound) reading keeps the file's weights")
            if weight.shape[1] != self.m.shape[0]:
                raise NesyInputError(f"{where}: a layer takes {weight.shape[1]} inputs but gets {self.m.shape[0]}")
            self.m, self.c = weight @ self.m, weight @ self.c
        if bias is not None:
            self.add_bias(bias, where)

    def add_bias(self, bias: np.ndarray, where: str | None = None) -> None:
        where = where or self.where
        if self.m is None:
            raise NesyInputError(f"{where}: a bias is added before any linear layer")
        bias = _finite(bias, f"{where}: bias").reshape(-1)
        if bias.size not in (1, self.c.size):
            raise NesyInputError(f"{where}: a bias of {bias.size} values for a layer of {self.c.size} outputs")
        total = self.c + bias
        if self.exact and np.any(self.c != 0) and not np.all((total - self.c == bias) & (total - bias == self.c)):
            raise NesyInputError(f"{where}: a second bias whose sum with the first is not exact in float64")
        self.c = total

    def relu(self, where: str | None = None) -> None:
        if self.m is None:
            raise NesyInputError(f"{where or self.where}: a ReLU must follow a linear layer")
        self.layers.append(AffineLayer(self.m, self.c))
        self.m = self.c = None

    def network(self) -> ReluNetwork:
        if self.m is None:
            raise NesyInputError(f"{self.where}: the model must end with a linear layer (the logits), not a ReLU")
        if not self.layers:
            raise NesyInputError(f"{self.where}: the model has no ReLU layer, so no activation pattern to mine "
                                 "or verify")
        network = ReluNetwork((*self.layers, AffineLayer(self.m, self.c)))
        network = network if self.exact else network.rounded()
        for k, layer in enumerate(network.layers):
            largest = max(float(np.abs(layer.weight).max()), float(np.abs(layer.bias).max(initial=0.0)))
            if not largest <= MAX_WEIGHT:
                raise NesyInputError(f"{self.where}: affine layer {k} has weights up to {largest:.3g}; "
                                     f"nesy verifies networks whose weights stay within +-{MAX_WEIGHT:g}")
        return network


MAX_WEIGHT = 1e6
"""Larger weights (or composed affine maps) overflow float bound propagation and the LP's tolerances;
no trained network of the sizes verified here comes near."""


def _finite(values: Any, what: str) -> np.ndarray:
    """float64 copy of `values`; NaN or infinite entries are refused, naming where they are."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise NesyInputError(f"{what} is not numeric ({error})") from None
    if not np.all(np.isfinite(array)):
        raise NesyInputError(f"{what} holds NaN or infinite values")
    return array


def from_torch(module: Any, source: str = "torch module") -> LoadedModel:
    """A torch nn.Sequential (nesting allowed) of Linear / ReLU / Flatten (Identity and Dropout pass)."""
    import torch
    from torch import nn

    chain = _AffineChain(source)
    flat = _flatten_sequential(module, source)
    for name, layer in flat:
        where = f"{source}: layer {name} ({type(layer).__name__})"
        if isinstance(layer, nn.Linear):
            bias = layer.bias.detach().double().numpy() if layer.bias is not None else None
            chain.then(layer.weight.detach().double().numpy(), bias, where)
        elif isinstance(layer, nn.ReLU):
            chain.relu(where)
        elif not isinstance(layer, (nn.Flatten, nn.Identity, nn.Dropout)):
            raise NesyInputError(f"{where}: unsupported layer; supported: Linear, ReLU, Flatten "
                                 "(Identity and Dropout pass)")
    network = chain.network()
    module.eval()
    dtype = next(module.parameters()).dtype

    def run(x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        pre: list[np.ndarray] = []
        with torch.no_grad():
            h = torch.as_tensor(np.atleast_2d(x), dtype=dtype)
            for _, layer in flat:
                if isinstance(layer, nn.ReLU):  # a copy: an in-place ReLU would overwrite it
                    pre.append(h.to(torch.float64, copy=True).numpy().reshape(len(h), -1))
                h = layer(h)
        return pre, h.double().numpy().reshape(len(h), -1)

    return _checked(LoadedModel(network, "torch", source, run))


PROBE_INPUTS = 4
AGREEMENT = 1e-2
"""The real model and the network read from it must agree within AGREEMENT * (1 + largest logit):
grid rounding moves logits by far less, a misread layer by far more."""


def _checked(model: LoadedModel) -> LoadedModel:
    """Run the real model on a few inputs of [0,1]^n and compare with the network read from it, so
    that a model which does something the reader did not see is refused now, not mid-verification."""
    network = model.network
    probe = np.random.default_rng(0).uniform(size=(PROBE_INPUTS, network.input_size))
    try:
        pre, logits = model.run(probe)
    except Exception as error:  # the user's model code (torch / ONNX evaluator) may fail in any way
        raise NesyInputError(f"{model.source}: the model fails on a test input ({_one_line(error)})") from None
    expected_pre, expected = network.preactivations(apply_input_ops(model.input_ops, probe))
    shapes = [np.shape(p) for p in pre], np.shape(logits)
    if shapes != ([p.shape for p in expected_pre], expected.shape):
        raise NesyInputError(f"{model.source}: the model gives activations {shapes[0]} and outputs {shapes[1]}, "
                             f"but its layers read as {network.input_size}-{'-'.join(map(str, network.hidden_sizes))}"
                             f"-{network.output_size}")
    difference = float(np.max(np.abs(logits - expected))) if np.all(np.isfinite(logits)) else float("inf")
    if not difference <= AGREEMENT * (1.0 + float(np.max(np.abs(expected)))):
        raise NesyInputError(f"{model.source}: the model's outputs differ by {difference:.3g} from the Linear/ReLU "
                             "layers read from it: it computes something those layers do not say")
    return model


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


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
_ONNX_DOMAINS = ("", "ai.onnx")
_ONNX_SUPPORTED = "supported: Gemm, MatMul, Add, Sub, Div, Relu, Flatten, Reshape"


def from_onnx(model: Any, source: str = "onnx model", exact: bool = False) -> LoadedModel:
    """An ONNX ModelProto whose graph is one chain of Gemm/MatMul/Add/Sub/Div/Relu/Flatten/Reshape nodes.

    exact=False: weights on the 2^-16 grid (the NAP verifier's Z3 encoding wants short rationals),
    input Sub/Div folded into the first layer. exact=True: the file's float32 weights as they are
    (exact in float64), never composed or rounded; input Sub/Div kept as `input_ops`."""
    onnx_reference = import_onnx("onnx.reference", source)

    graph = model.graph
    values = _onnx_initializers(graph, source)
    inputs = [i for i in graph.input if i.name not in values]
    if len(inputs) != 1:
        raise NesyInputError(f"{source}: expected one graph input, found {len(inputs)}")
    if len(graph.output) != 1:
        raise NesyInputError(f"{source}: expected one graph output, found {len(graph.output)}")
    current = inputs[0].name
    chain = _AffineChain(source, exact)
    relu_inputs: list[str] = []
    for index, node in enumerate(graph.node):
        where = f"{source}: node {node.name or index} ({node.op_type})"
        if node.domain not in _ONNX_DOMAINS:
            raise NesyInputError(f"{where}: operator of domain {node.domain!r} is not supported; {_ONNX_SUPPORTED}")
        try:
            current = _onnx_node(node, values, chain, current, relu_inputs, where)
        except NesyInputError:
            raise
        except (IndexError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise NesyInputError(f"{where}: cannot read this layer ({_one_line(error)})") from None
    if graph.output[0].name != current:
        raise NesyInputError(f"{source}: the graph output {graph.output[0].name!r} is not the end of the layer chain")
    network = chain.network()
    try:
        evaluator = onnx_reference.ReferenceEvaluator(model)
    except Exception as error:  # the evaluator checks the whole graph and raises many types
        raise NesyInputError(f"{source}: ONNX cannot evaluate this model ({_one_line(error)})") from None
    output = graph.output[0].name
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim][1:]
    shape = tuple(dims) if dims and all(d > 0 for d in dims) else (network.input_size,)

    def run(x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        batch = np.atleast_2d(x).astype(np.float32)
        results = evaluator.run([*relu_inputs, output], {inputs[0].name: batch.reshape(len(batch), *shape)})
        as_flat = [np.asarray(r, dtype=np.float64).reshape(len(batch), -1) for r in results]
        return as_flat[:-1], as_flat[-1]

    return _checked(LoadedModel(network, "onnx", source, run, tuple(chain.input_ops)))


def apply_input_ops(ops: tuple[tuple[str, np.ndarray], ...], x: np.ndarray) -> np.ndarray:
    """The ONNX graph's input normalisation, in float64 (for checks; proofs transform boxes outward)."""
    for op, constant in ops:
        x = x - constant if op == "sub" else x / constant
    return x


def _onnx_initializers(graph: Any, source: str) -> dict[str, np.ndarray]:
    numpy_helper = import_onnx("onnx.numpy_helper", source)
    values = {}
    for tensor in graph.initializer:
        try:
            values[tensor.name] = numpy_helper.to_array(tensor)
        except Exception as error:  # onnx raises ValueError, TypeError and its own errors for damaged data
            raise NesyInputError(f"{source}: initializer {tensor.name!r} cannot be read ({_one_line(error)})") from None
    return values


def _onnx_node(node: Any, values: dict[str, np.ndarray], chain: _AffineChain, current: str,
               relu_inputs: list[str], where: str) -> str:
    """Apply one node to the chain; returns the name of the value it produces."""
    if node.op_type == "Constant":
        values[node.output[0]] = _onnx_constant(node, where)
        return current
    data = [name for name in node.input if name and name not in values]
    if data != [current] or len(node.output) != 1:
        raise NesyInputError(f"{where}: the graph must be a single chain of layers")
    if node.op_type == "Gemm":
        _onnx_gemm(node, values, chain, where)
    elif node.op_type == "MatMul":
        if node.input[0] != current:
            raise NesyInputError(f"{where}: only x @ W is supported")
        chain.then(values[node.input[1]].T, None, where)
    elif node.op_type == "Add":
        chain.add_bias(values[node.input[1] if node.input[0] == current else node.input[0]], where)
    elif node.op_type in ("Sub", "Div"):
        if node.input[0] != current:
            raise NesyInputError(f"{where}: only x - c and x / c (a constant c) are supported")
        chain.normalise(node.op_type.lower(), values[node.input[1]], where)
    elif node.op_type == "Relu":
        relu_inputs.append(current)
        chain.relu(where)
    elif node.op_type not in _ONNX_PASS:
        raise NesyInputError(f"{where}: unsupported layer; {_ONNX_SUPPORTED}")
    return node.output[0]


def _onnx_constant(node: Any, where: str) -> np.ndarray:
    numpy_helper = import_onnx("onnx.numpy_helper", where)
    tensors = [a.t for a in node.attribute if a.name == "value" and a.HasField("t")]
    if len(tensors) != 1:
        raise NesyInputError(f"{where}: only a Constant with a tensor 'value' is supported")
    return numpy_helper.to_array(tensors[0])


def _onnx_gemm(node: Any, values: dict[str, np.ndarray], chain: _AffineChain, where: str) -> None:
    attrs = {a.name: (a.f if a.type == 1 else a.i) for a in node.attribute}
    if attrs.get("transA", 0) or node.input[0] in values:  # the one non-constant input must come first
        raise NesyInputError(f"{where}: only Gemm(x, W, b) without transA is supported")
    b = values[node.input[1]]
    weight = float(attrs.get("alpha", 1.0)) * (b if attrs.get("transB", 0) else b.T)
    bias = float(attrs.get("beta", 1.0)) * values[node.input[2]] if len(node.input) > 2 and node.input[2] else None
    chain.then(weight, bias, where)


ARCHITECTURES = ("relu-mlp",)
"""What `architecture` may name for a state dict: `relu-mlp` is Linear, ReLU, Linear, ..., Linear."""



def import_onnx(module: str, where: str) -> Any:
    """Import part of the optional onnx package, or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise NesyInputError(f"{where}: reading ONNX models needs the onnx package, which is missing here (pip install onnx)") from None


def load_model(path: str | Path, architecture: str | None = None, trust_pickle: bool = False,
               exact: bool = False) -> LoadedModel:
    """Load a `.onnx` file, or a `.pt`/`.pth` file holding a state dict or (trust_pickle) an nn.Sequential.

    A state dict names no activations, so it is read only with `architecture="relu-mlp"`. A whole
    pickled module runs code from the file when it is loaded: only with `trust_pickle=True`.

    >>> model = load_model("datasets/nap/digits-64-32-32-10.onnx")
    >>> model.network.hidden_sizes
    (32, 32)
    """
    path = Path(path)
    if architecture is not None and architecture not in ARCHITECTURES:
        raise NesyInputError(f"architecture {architecture!r} is not known (known: {', '.join(ARCHITECTURES)})")
    if not path.is_file():
        raise NesyInputError(f"model file {path} not found")
    if path.suffix == ".onnx":
        onnx = import_onnx("onnx", str(path))
        try:
            model = onnx.load(str(path))
        except Exception as error:  # onnx raises DecodeError and others for a corrupt file
            raise NesyInputError(f"{path}: not a readable ONNX model ({_one_line(error)})") from None
        return from_onnx(model, str(path), exact)
    if path.suffix in (".pt", ".pth"):
        loaded = _read_torch_file(path, trust_pickle)
        if isinstance(loaded, Mapping):
            if architecture is None:
                raise NesyInputError(f"{path}: a state dict does not say which activations the network uses; "
                                     "pass --architecture relu-mlp if it is Linear-ReLU-...-Linear, or give an "
                                     "ONNX file")
            loaded = sequential_from_state_dict(loaded, str(path))
        return from_torch(loaded, str(path))
    raise NesyInputError(f"{path}: unknown model format {path.suffix!r} (expected .onnx, .pt or .pth)")


def _read_torch_file(path: Path, trust_pickle: bool) -> Any:
    """torch.load with weights_only=True (tensors and plain containers, no code runs); a file that
    needs more is opened with weights_only=False only when the caller trusts it."""
    import pickle
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about pickle protocols; the error says what matters
        try:
            return torch.load(str(path), map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as error:
            reason = _weights_only_reason(error)
            if not trust_pickle:
                if "Unsupported global" in reason:
                    raise NesyInputError(
                        f"{path}: holds pickled Python objects beyond tensors (a whole module?), and loading "
                        "those runs code from the file; save the model's state_dict() or export it to ONNX, "
                        f"or pass --trust-pickle if you trust this file ({reason})") from None
                raise NesyInputError(f"{path}: not a readable torch weights file ({reason})") from None
        except Exception as error:  # torch raises RuntimeError, OSError, KeyError... for damaged files
            raise NesyInputError(f"{path}: not a readable torch file ({_one_line(error)})") from None
        try:
            return torch.load(str(path), map_location="cpu", weights_only=False)
        except Exception as error:  # pickle / zip errors for a corrupt file
            raise NesyInputError(f"{path}: not a readable torch file ({_one_line(error)})") from None


def _weights_only_reason(error: BaseException) -> str:
    """torch's weights_only message is a page; its one informative sentence follows 'WeightsUnpickler error:'."""
    text = " ".join(str(error).split())
    _, found, rest = text.partition("WeightsUnpickler error:")
    reason = rest.split(" Check the documentation")[0].split(" was not an allowed global")[0].strip() if found else text
    return reason[:200] or type(error).__name__


def sequential_from_state_dict(state: Mapping[str, Any], source: str) -> Any:
    """Rebuild Linear, ReLU, Linear, ... (the `relu-mlp` architecture) from a state dict with keys
    `<index>.weight` / `<index>.bias`, as `nn.Sequential(...).state_dict()` writes them."""
    import torch
    from torch import nn

    entries: dict[int, dict[str, Any]] = {}
    for key, value in state.items():
        index, _, part = str(key).partition(".")
        if not (index.isascii() and index.isdigit()) or part not in ("weight", "bias"):
            raise NesyInputError(f"{source}: state dict key {str(key)[:60]!r} is not '<index>.weight' or "
                                 "'<index>.bias' of an nn.Sequential of Linear layers")
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise NesyInputError(f"{source}: state dict entry {key} is not a floating-point tensor")
        if not bool(torch.isfinite(value).all()):
            raise NesyInputError(f"{source}: state dict entry {key} holds NaN or infinite values")
        entries.setdefault(int(index), {})[part] = value
    if not entries:
        raise NesyInputError(f"{source}: the state dict is empty")
    layers: list[nn.Module] = []
    for position, index in enumerate(sorted(entries)):
        weight, bias = entries[index].get("weight"), entries[index].get("bias")
        if weight is None or weight.ndim != 2 or 0 in weight.shape:
            raise NesyInputError(f"{source}: entry {index} is not a Linear layer's weight (a non-empty matrix)")
        if bias is not None and tuple(bias.shape) != (weight.shape[0],):
            raise NesyInputError(f"{source}: entry {index}: bias of shape {tuple(bias.shape)} for a weight of "
                                 f"shape {tuple(weight.shape)}")
        linear = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=weight.dtype)
        with torch.no_grad():
            linear.weight.copy_(weight)
            if bias is not None:
                linear.bias.copy_(bias.to(weight.dtype))
        layers.append(linear)
        if position < len(entries) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)
