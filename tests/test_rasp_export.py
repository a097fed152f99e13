"""The TransformerLens-style export computes what the compiled model computes: checked with an
independent einsum forward pass written from TransformerLens's conventions (TransformerLens itself
is not a dependency)."""
from __future__ import annotations

import itertools

import pytest
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


def test_export_loads_into_transformer_lens_itself():
    """Runs where TransformerLens 2.x/3.x is installed (not a dependency; 4.x dropped
    HookedTransformer): its residual stream equals ours and its argmax is our decoding."""
    lens = pytest.importorskip("transformer_lens", reason="TransformerLens not installed")
    if not hasattr(lens, "HookedTransformerConfig") or "HookedTransformer" not in dir(lens):
        pytest.skip("this TransformerLens has no HookedTransformer (removed in 4.0)")
    for name, vocab, max_len in (("dyck2", "(,),{,}", 6), ("sort", "1,2,3", 5), ("frac_prevs", "x,y", 5)):
        compiled = compile_rasp((LIBRARY_DIR / f"{name}.rasp").read_text(), vocab, max_len)
        config = transformer_lens_config(compiled)
        model = lens.HookedTransformer(lens.HookedTransformerConfig(**config, device="cpu"))
        missing, unexpected = model.load_state_dict(transformer_lens_state_dict(compiled), strict=False)
        assert not unexpected and all(key.endswith(("IGNORE", "mask")) for key in missing)
        batch = [list(t) for t in itertools.product(compiled.vocab, repeat=max_len)][:500]
        ids = compiled.encode(batch)
        with torch.no_grad():
            logits, cache = model.run_with_cache(ids)
            residual = cache[f"blocks.{config['n_layers'] - 1}.hook_resid_post"]
            assert torch.allclose(residual, compiled.model(ids), atol=1e-4), name
        if not compiled.readout.numerical:
            decoded = [[compiled.readout.values[i] for i in row] for row in logits[:, 1:].argmax(-1).tolist()]
            assert decoded == compiled.run(batch), name
