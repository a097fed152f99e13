"""Export to the weight names and shapes of TransformerLens's `HookedTransformer`, so
interpretability tools can load a compiled model: heads padded to one d_head and one head count
per layer, MLPs to one width (zero padding changes nothing: a zero head adds 0, a zero hidden
unit is relu(0) = 0), and an unembedding whose argmax is the decoded output.

Config to pair with it: bidirectional attention, no layer norm, no attention scaling, ReLU.
"""
from __future__ import annotations

import torch

from nesy.compiler.assemble import Compiled
from nesy.compiler.residual import ONE


def transformer_lens_config(compiled: Compiled) -> dict:
    model = compiled.model
    d_head = max((h.W_Q.shape[1] for l in model.layers for h in l.heads), default=1)
    d_value = max((h.W_V.shape[1] for l in model.layers for h in l.heads), default=1)
    return {
        "n_layers": len(model.layers), "d_model": compiled.metadata["d_model"],
        "n_ctx": compiled.max_len + 1, "d_head": max(d_head, d_value),
        "n_heads": max((len(l.heads) for l in model.layers), default=1) or 1,
        "d_mlp": max((l.mlp.W_in.shape[1] for l in model.layers), default=1) or 1,
        "d_vocab": len(compiled.vocab) + 1, "d_vocab_out": len(compiled.readout.columns),
        "act_fn": "relu", "normalization_type": None, "attention_dir": "bidirectional",
        "use_attn_scale": False, "positional_embedding_type": "standard",
    }


def transformer_lens_state_dict(compiled: Compiled) -> dict[str, torch.Tensor]:
    """`blocks.{l}.attn.W_Q` [n_heads, d_model, d_head], ..., `unembed.W_U` [d_model, d_vocab_out]."""
    config = transformer_lens_config(compiled)
    n_heads, d_model, d_head, d_mlp = config["n_heads"], config["d_model"], config["d_head"], config["d_mlp"]
    model = compiled.model
    state = {"embed.W_E": model.token_embedding.weight.detach().clone(),
             "pos_embed.W_pos": model.position_embedding.weight.detach().clone()}
    for index, layer in enumerate(model.layers):
        prefix = f"blocks.{index}."
        weights = {name: torch.zeros(n_heads, d_model, d_head) for name in ("W_Q", "W_K", "W_V")}
        w_o = torch.zeros(n_heads, d_head, d_model)
        for h, head in enumerate(layer.heads):
            for name in ("W_Q", "W_K", "W_V"):
                w = getattr(head, name).detach()
                weights[name][h, :, :w.shape[1]] = w
            w_o[h, :head.W_O.shape[0]] = head.W_O.detach()
        for name, w in weights.items():
            state[prefix + "attn." + name] = w
        state[prefix + "attn.W_O"] = w_o
        for name in ("b_Q", "b_K", "b_V"):
            state[prefix + "attn." + name] = torch.zeros(n_heads, d_head)
        state[prefix + "attn.b_O"] = torch.zeros(d_model)
        hidden = layer.mlp.W_in.shape[1]
        w_in, b_in, w_out = torch.zeros(d_model, d_mlp), torch.zeros(d_mlp), torch.zeros(d_mlp, d_model)
        w_in[:, :hidden], b_in[:hidden], w_out[:hidden] = (layer.mlp.W_in.detach(), layer.mlp.b_in.detach(),
                                                           layer.mlp.W_out.detach())
        state.update({prefix + "mlp.W_in": w_in, prefix + "mlp.b_in": b_in, prefix + "mlp.W_out": w_out,
                      prefix + "mlp.b_out": torch.zeros(d_model)})
    state["unembed.W_U"], state["unembed.b_U"] = _unembedding(compiled)
    return state


def _unembedding(compiled: Compiled) -> tuple[torch.Tensor, torch.Tensor]:
    """Columns: each output value's direction; the implicit value scores `one - sum(others)`."""
    columns = compiled.readout.columns
    w_u = torch.zeros(compiled.metadata["d_model"], len(columns))
    explicit = [c for c in columns if c is not None]
    for j, column in enumerate(columns):
        if column is not None:
            w_u[column, j] = 1.0
        else:
            w_u[0, j] = 1.0  # `one` is dimension 0
            w_u[explicit, j] = -1.0
    assert compiled.metadata["residual_labels"][0] == str(ONE)
    return w_u, torch.zeros(len(columns))
