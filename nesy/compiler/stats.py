"""Size figures of a compiled model, counted the way the issue's Tracr table counts them."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from nesy.compiler.assemble import Compiled


@dataclass(frozen=True)
class ModelStats:
    layers: int       # attention + MLP blocks
    heads: int        # most heads in one layer
    d_model: int
    mlp_hidden: int   # widest MLP (each layer keeps its own width: nothing is padded)
    mlp_hidden_total: int
    params: int       # every weight, zeros included
    nonzero: int

    def as_dict(self) -> dict:
        return asdict(self)


def model_stats(compiled: Compiled) -> ModelStats:
    model = compiled.model
    hidden = [layer.mlp.W_in.shape[1] for layer in model.layers]
    params = list(model.parameters())
    return ModelStats(
        layers=len(model.layers),
        heads=max((len(layer.heads) for layer in model.layers), default=0),
        d_model=compiled.metadata["d_model"],
        mlp_hidden=max(hidden, default=0),
        mlp_hidden_total=sum(hidden),
        params=sum(p.numel() for p in params),
        nonzero=int(sum((p != 0).sum().item() for p in params)),
    )
