"""Write a `ReluNetwork` as an ONNX graph (Gemm + Relu), the exchange format of verification tools.

Built with `onnx.helper` directly, so it needs no torch exporter and the file is exactly the grid weights.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nesy.nap.model import import_onnx
from solvers.nap.network import ReluNetwork


def to_onnx(network: ReluNetwork, name: str = "relu_mlp"):
    """An onnx ModelProto computing the network on float32 inputs of shape (batch, inputs)."""
    onnx = import_onnx("onnx", "writing ONNX")
    TensorProto, helper, numpy_helper = onnx.TensorProto, onnx.helper, onnx.numpy_helper

    nodes, initializers = [], []
    current = "input"
    for k, layer in enumerate(network.layers):
        initializers += [numpy_helper.from_array(layer.weight.astype(np.float32), f"W{k}"),
                         numpy_helper.from_array(layer.bias.astype(np.float32), f"b{k}")]
        out = f"z{k}" if k < len(network.layers) - 1 else "logits"
        nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [out], transB=1, name=f"gemm{k}"))
        current = out
        if k < len(network.layers) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"a{k}"], name=f"relu{k}"))
            current = f"a{k}"
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, network.input_size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, network.output_size])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def save_onnx(network: ReluNetwork, path: str | Path) -> None:
    import_onnx("onnx", "writing ONNX").save(to_onnx(network), str(path))
