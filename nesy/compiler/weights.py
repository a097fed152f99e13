"""The compiled transformer as numpy arrays, named as the torch module's state dict names them.

The compiler stops here rather than at a `torch.nn.Module` because importing torch costs seconds
and compiling costs milliseconds: `nesy rasp compile` writes its `.pt` file from these arrays
(`nesy.compiler.torch_file`) without ever importing torch, and `Compiled.model` builds the module
only when someone runs it.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerShape:
    """Per head (d_qk, d_v), and the MLP's hidden width: enough to build the empty module."""
    heads: tuple[tuple[int, int], ...]
    mlp_hidden: int

    def as_json(self) -> dict:
        return {"heads": [list(h) for h in self.heads], "mlp_hidden": self.mlp_hidden}

    @staticmethod
    def from_json(data: dict) -> "LayerShape":
        return LayerShape(tuple((int(qk), int(v)) for qk, v in data["heads"]), int(data["mlp_hidden"]))


@dataclass(frozen=True)
class TransformerWeights:
    """Every parameter of `CompiledTransformer` as a float32 array, keyed by its state-dict name."""
    vocab_size: int
    max_len: int
    d_model: int
    shapes: tuple[LayerShape, ...]
    state: "OrderedDict[str, np.ndarray]"

    @property
    def n_layers(self) -> int:
        return len(self.shapes)

    def to_module(self):
        """The `torch.nn.Module` holding these weights (imports torch)."""
        import torch
        from nesy.compiler.model import build_module

        module = build_module(self.vocab_size, self.max_len, self.d_model, self.shapes)
        module.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in self.state.items()})
        module.eval()
        return module


class WeightsBuilder:
    """Collects arrays under their state-dict names, in the module's own parameter order."""

    def __init__(self, vocab_size: int, max_len: int, d_model: int) -> None:
        self.vocab_size, self.max_len, self.d_model = vocab_size, max_len, d_model
        self.state: OrderedDict[str, np.ndarray] = OrderedDict()
        self.shapes: list[LayerShape] = []

    def embeddings(self, tokens: np.ndarray, positions: np.ndarray) -> None:
        self.state["token_embedding.weight"] = _float32(tokens)
        self.state["position_embedding.weight"] = _float32(positions)

    def layer(self, heads: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
              mlp: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        """heads: (W_Q, W_K, W_V, W_O) each; mlp: (W_in, b_in, W_out)."""
        index = len(self.shapes)
        for h, weights in enumerate(heads):
            for name, array in zip(("W_Q", "W_K", "W_V", "W_O"), weights):
                self.state[f"layers.{index}.heads.{h}.{name}"] = _float32(array)
        for name, array in zip(("W_in", "b_in", "W_out"), mlp):
            self.state[f"layers.{index}.mlp.{name}"] = _float32(array)
        self.shapes.append(LayerShape(tuple((w_q.shape[1], w_v.shape[1]) for w_q, _, w_v, _ in heads),
                                      mlp[0].shape[1]))

    def build(self) -> TransformerWeights:
        return TransformerWeights(self.vocab_size, self.max_len, self.d_model, tuple(self.shapes), self.state)


def _float32(array: np.ndarray) -> np.ndarray:
    return np.asarray(array, dtype=np.float32)


__all__ = ["LayerShape", "TransformerWeights", "WeightsBuilder"]
