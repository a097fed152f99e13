"""Export to the weight names and shapes of TransformerLens's `HookedTransformer`, so
interpretability tools can load a compiled model: heads padded to one d_head and one head count
per layer, MLPs to one width (zero padding changes nothing: a zero head adds 0, a zero hidden
unit is relu(0) = 0), and an unembedding whose argmax is the decoded output.

Config to pair with it: bidirectional attention, no layer norm, no attention scaling, ReLU.
Computed on the numpy weights, so exporting needs no torch (`transformer_lens_state_dict` wraps
the arrays as tensors for callers who want them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nesy.compiler.assemble import Compiled
from nesy.compiler.residual import ONE

if TYPE_CHECKING:
    import torch


def transformer_lens_config(compiled: Compiled) -> dict:
    shapes = compiled.weights.shapes
    heads = [head for shape in shapes for head in shape.heads]
    return {
        "n_layers": len(shapes), "d_model": compiled.weights.d_model,
        "n_ctx": compiled.max_len + 1, "d_head": max((max(qk, v) for qk, v in heads), default=1),
        "n_heads": max((len(shape.heads) for shape in shapes), default=1) or 1,
        "d_mlp": max((shape.mlp_hidden for shape in shapes), default=1) or 1,
        "d_vocab": len(compiled.vocab) + 1, "d_vocab_out": len(compiled.readout.columns),
        "act_fn": "relu", "normalization_type": None, "attention_dir": "bidirectional",
        "use_attn_scale": False, "positional_embedding_type": "standard",
    }


def transformer_lens_arrays(compiled: Compiled) -> dict[str, np.ndarray]:
    """`blocks.{l}.attn.W_Q` [n_heads, d_model, d_head], ..., `unembed.W_U` [d_model, d_vocab_out]."""
    config = transformer_lens_config(compiled)
    n_heads, d_model, d_head, d_mlp = config["n_heads"], config["d_model"], config["d_head"], config["d_mlp"]
    weights = compiled.weights.state
    state = {"embed.W_E": weights["token_embedding.weight"].copy(),
             "pos_embed.W_pos": weights["position_embedding.weight"].copy()}
    for index, shape in enumerate(compiled.weights.shapes):
        prefix, source = f"blocks.{index}.", f"layers.{index}."
        padded = {name: np.zeros((n_heads, d_model, d_head), np.float32) for name in ("W_Q", "W_K", "W_V")}
        w_o = np.zeros((n_heads, d_head, d_model), np.float32)
        for h in range(len(shape.heads)):
            for name in ("W_Q", "W_K", "W_V"):
                w = weights[f"{source}heads.{h}.{name}"]
                padded[name][h, :, :w.shape[1]] = w
            w = weights[f"{source}heads.{h}.W_O"]
            w_o[h, :w.shape[0]] = w
        for name, w in padded.items():
            state[prefix + "attn." + name] = w
        state[prefix + "attn.W_O"] = w_o
        for name in ("b_Q", "b_K", "b_V"):
            state[prefix + "attn." + name] = np.zeros((n_heads, d_head), np.float32)
        state[prefix + "attn.b_O"] = np.zeros(d_model, np.float32)
        hidden = shape.mlp_hidden
        w_in, b_in = np.zeros((d_model, d_mlp), np.float32), np.zeros(d_mlp, np.float32)
        w_out = np.zeros((d_mlp, d_model), np.float32)
        w_in[:, :hidden] = weights[source + "mlp.W_in"]
        b_in[:hidden] = weights[source + "mlp.b_in"]
        w_out[:hidden] = weights[source + "mlp.W_out"]
        state.update({prefix + "mlp.W_in": w_in, prefix + "mlp.b_in": b_in, prefix + "mlp.W_out": w_out,
                      prefix + "mlp.b_out": np.zeros(d_model, np.float32)})
    state["unembed.W_U"], state["unembed.b_U"] = _unembedding(compiled)
    return state


def transformer_lens_state_dict(compiled: Compiled) -> dict[str, "torch.Tensor"]:
    """`transformer_lens_arrays` as tensors, for `HookedTransformer.load_state_dict`."""
    import torch
    return {name: torch.from_numpy(array) for name, array in transformer_lens_arrays(compiled).items()}


def _unembedding(compiled: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """Columns: each output value's direction; the implicit value scores `one - sum(others)`."""
    columns = compiled.readout.columns
    w_u = np.zeros((compiled.weights.d_model, len(columns)), np.float32)
    explicit = [c for c in columns if c is not None]
    for j, column in enumerate(columns):
        if column is not None:
            w_u[column, j] = 1.0
        else:
            w_u[0, j] = 1.0  # `one` is dimension 0
            w_u[explicit, j] = -1.0
    assert compiled.metadata["residual_labels"][0] == str(ONE)
    return w_u, np.zeros(len(columns), np.float32)
