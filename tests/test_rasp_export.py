"""The TransformerLens-style export computes what the compiled model computes: checked with an
independent einsum forward pass written from TransformerLens's conventions (TransformerLens itself
is not a dependency)."""
from __future__ import annotations

import torch

from dsl.rasp import LIBRARY_DIR
from nesy.compiler import compile_rasp
from nesy.compiler.export import transformer_lens_config, transformer_lens_state_dict


def hooked_forward(state: dict, config: dict, ids: torch.Tensor) -> torch.Tensor:
    x = state["embed.W_E"][ids] + state["pos_embed.W_pos"][: ids.shape[1]][None]
    for layer in range(config["n_layers"]):
        p = f"blocks.{layer}."
        q = torch.einsum("bpd,hde->bphe", x, state[p + "attn.W_Q"]) + state[p + "attn.b_Q"]
        k = torch.einsum("bpd,hde->bphe", x, state[p + "attn.W_K"]) + state[p + "attn.b_K"]
        v = torch.einsum("bpd,hde->bphe", x, state[p + "attn.W_V"]) + state[p + "attn.b_V"]
        pattern = torch.softmax(torch.einsum("bqhe,bkhe->bhqk", q, k), dim=-1)
        z = torch.einsum("bhqk,bkhe->bqhe", pattern, v)
        x = x + torch.einsum("bqhe,hed->bqd", z, state[p + "attn.W_O"]) + state[p + "attn.b_O"]
        hidden = torch.relu(x @ state[p + "mlp.W_in"] + state[p + "mlp.b_in"])
        x = x + hidden @ state[p + "mlp.W_out"] + state[p + "mlp.b_out"]
    return x @ state["unembed.W_U"] + state["unembed.b_U"]


def test_export_matches_compiled_model_and_decodes_by_argmax():
    compiled = compile_rasp((LIBRARY_DIR / "dyck2.rasp").read_text(), "(,),{,}", 6)
    config, state = transformer_lens_config(compiled), transformer_lens_state_dict(compiled)
    assert state["blocks.0.attn.W_Q"].shape == (config["n_heads"], config["d_model"], config["d_head"])
    batch = [list("({)}()"), list("(}{)()"), list("((}}))")]
    logits = hooked_forward(state, config, compiled.encode(batch))
    decoded = [[compiled.readout.values[i] for i in row] for row in logits[:, 1:].argmax(-1).tolist()]
    assert decoded == compiled.run(batch)
