"""The compiled transformer: a plain decoder-style stack (no layer norm, non-causal attention)
whose weights were written by the compiler, with a batched forward pass.

Input ids: position 0 is BOS (id 0), tokens follow (ids 1..|vocab|). Shapes in comments:
B batch, N sequence length including BOS, D d_model.
"""
from __future__ import annotations

import torch
from torch import nn


class Head(nn.Module):
    """One attention head: W_Q, W_K [D, d_qk]; W_V [D, d_v]; W_O [d_v, D]."""

    def __init__(self, d_model: int, d_qk: int, d_v: int) -> None:
        super().__init__()
        self.W_Q = nn.Parameter(torch.zeros(d_model, d_qk))
        self.W_K = nn.Parameter(torch.zeros(d_model, d_qk))
        self.W_V = nn.Parameter(torch.zeros(d_model, d_v))
        self.W_O = nn.Parameter(torch.zeros(d_v, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = (x @ self.W_Q) @ (x @ self.W_K).transpose(1, 2)   # [B, N, N]
        pattern = torch.softmax(scores, dim=-1)
        return pattern @ (x @ self.W_V) @ self.W_O                  # [B, N, D]


class Mlp(nn.Module):
    """ReLU MLP: W_in [D, H], b_in [H], W_out [H, D] (no output bias)."""

    def __init__(self, d_model: int, hidden: int) -> None:
        super().__init__()
        self.W_in = nn.Parameter(torch.zeros(d_model, hidden))
        self.b_in = nn.Parameter(torch.zeros(hidden))
        self.W_out = nn.Parameter(torch.zeros(hidden, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x @ self.W_in + self.b_in) @ self.W_out


class Layer(nn.Module):
    """Attention heads (summed into the residual), then the MLP."""

    def __init__(self, heads: list[Head], mlp: Mlp) -> None:
        super().__init__()
        self.heads = nn.ModuleList(heads)
        self.mlp = mlp

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for head_out in [head(x) for head in self.heads]:
            x = x + head_out
        after_attention = x
        return after_attention, x + self.mlp(x)


class CompiledTransformer(nn.Module):
    """Embeddings -> layers -> residual stream; `metadata` says what every direction means."""

    def __init__(self, vocab_size: int, max_len: int, d_model: int, layers: list[Layer]) -> None:
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size + 1, d_model)   # id 0 = BOS
        self.position_embedding = nn.Embedding(max_len + 1, d_model)
        self.layers = nn.ModuleList(layers)

    def forward(self, ids: torch.Tensor, keep_all: bool = False):
        """ids [B, N] -> final residual [B, N, D]; with keep_all, every sublayer's output too."""
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.token_embedding(ids) + self.position_embedding(positions)[None]
        stream = [x]
        for layer in self.layers:
            after_attention, x = layer(x)
            stream += [after_attention, x]
        return (x, stream) if keep_all else x


def build_module(vocab_size: int, max_len: int, d_model: int, shapes) -> CompiledTransformer:
    """An all-zero module of the given `LayerShape`s, ready for `load_state_dict`."""
    layers = [Layer([Head(d_model, qk, v) for qk, v in shape.heads], Mlp(d_model, shape.mlp_hidden))
              for shape in shapes]
    return CompiledTransformer(vocab_size, max_len, d_model, layers)
