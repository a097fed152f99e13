"""Size figures of a compiled model, counted the way the issue's Tracr table counts them."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

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
    """Counted on the numpy weights, which are exactly the module's parameters."""
    weights = compiled.weights
    hidden = [shape.mlp_hidden for shape in weights.shapes]
    arrays = weights.state.values()
    return ModelStats(
        layers=weights.n_layers,
        heads=max((len(shape.heads) for shape in weights.shapes), default=0),
        d_model=weights.d_model,
        mlp_hidden=max(hidden, default=0),
        mlp_hidden_total=sum(hidden),
        params=sum(a.size for a in arrays),
        nonzero=int(sum(np.count_nonzero(a) for a in arrays)),
    )
