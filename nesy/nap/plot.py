"""A picture of a NAP set: per hidden layer a classes x neurons grid, on / off / free."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from dsl.errors import NesyInputError
from nesy.nap.mining import NapSet


def plot_naps(naps: NapSet, path: str | Path) -> Path:
    """Write the PNG (matplotlib, Agg backend: no display needed) and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    classes = sorted(naps.naps)
    layer_count = len(naps.naps[classes[0]].layers)
    widths = [len(p) for p in naps.naps[classes[0]].layers]
    figure, axes = plt.subplots(1, layer_count, figsize=(2 + 0.12 * sum(widths), 1 + 0.35 * len(classes)),
                                gridspec_kw={"width_ratios": widths}, squeeze=False)
    colors = ListedColormap(["#333333", "#eeeeee", "#2ca02c"])  # off, free, on
    for k, axis in enumerate(axes[0]):
        grid = np.stack([naps.naps[c].layers[k] for c in classes]).astype(float)
        axis.imshow(grid, cmap=colors, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
        axis.set_title(f"hidden layer {k + 1}")
        axis.set_xlabel("neuron")
        axis.set_yticks(range(len(classes)), [str(c) for c in classes])
        if k == 0:
            axis.set_ylabel("class")
    figure.suptitle(f"NAPs at delta={naps.delta:g} (green: on, dark: off, light: free)")
    figure.tight_layout()
    path = Path(path)
    try:
        figure.savefig(path, dpi=100)
    except ValueError as error:  # an image format matplotlib does not write, or a picture too large
        raise NesyInputError(f"{path}: cannot draw the NAPs here ({' '.join(str(error).split())[:200]})") from None
    finally:
        plt.close(figure)
    return path
