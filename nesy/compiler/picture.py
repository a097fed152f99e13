"""A picture of the residual stream: one heat map per sublayer output on one input, columns
labelled with the subspace directions (`label:value`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch

from dsl.rasp.values import Value, format_value
from nesy.compiler.assemble import Compiled


@torch.no_grad()
def residual_picture(compiled: Compiled, tokens: Sequence[Value], png: str | Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, stream = compiled.model(compiled.encode([list(tokens)]), keep_all=True)
    names = ["embedding"]
    for layer in range(len(compiled.model.layers)):
        names += [f"layer {layer} attention", f"layer {layer} MLP"]
    labels = compiled.metadata["residual_labels"]
    rows = ["BOS"] + [format_value(t) for t in tokens]
    fig, axes = plt.subplots(len(stream), 1, figsize=(max(6, 0.28 * len(labels) + 2), 1.1 + 0.9 * len(stream) *
                                                       max(1, len(rows) / 6)), squeeze=False)
    for axis, name, x in zip(axes[:, 0], names, stream):
        data = x[0].numpy()
        limit = max(1.0, float(abs(data).max()))
        axis.imshow(data, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest")
        axis.set_title(name, fontsize=8, loc="left")
        axis.set_yticks(range(len(rows)), rows, fontsize=6)
        axis.set_xticks([])
    axes[-1, 0].set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
    fig.tight_layout()
    png = Path(png)
    fig.savefig(png, dpi=120)
    plt.close(fig)
    return png
