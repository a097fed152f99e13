"""Pictures: the NTM's read and write weightings over time on one copy example (the figure people
know from Graves et al. 2014, fig. 6) and the learning curves of the recorded training runs."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def weightings_png(model, path: str | Path, length: int = 10, seed: int = 0) -> dict:
    """Run a copy example of `length` and draw inputs, outputs and both heads' weightings over
    the memory rows they touch; returns the example's bit errors."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from nesy.induction.tasks import copy_batch
    from nesy.induction.train import ntm_outputs

    batch = copy_batch(np.random.default_rng(seed), 1, length)
    with torch.no_grad():
        logits, trace = ntm_outputs(model.eval(), batch, trace=True)
    outputs = torch.sigmoid(logits)[0].numpy()
    write, read = trace["write"][0].numpy(), trace["read"][0].numpy()           # T x N
    # memory is circular: centre the rows on the first write so the used block is contiguous
    N = write.shape[1]
    offset = N // 2 - int(write[0].argmax())
    write, read = np.roll(write, offset, axis=1), np.roll(read, offset, axis=1)
    used = np.where((write + read).max(axis=0) > 0.05)[0]
    rows = slice(max(0, used.min() - 2), min(N, used.max() + 3)) if len(used) else slice(0, 2 * length)
    figure, axes = plt.subplots(2, 2, figsize=(9, 6), gridspec_kw={"height_ratios": [1, 3]})
    T = batch.inputs.shape[1]
    shown_out = np.zeros((T, outputs.shape[1]))
    shown_out[batch.output_start:batch.output_start + length] = outputs
    for axis, image, title in ((axes[0, 0], batch.inputs[0].T, "inputs"), (axes[0, 1], shown_out.T, "outputs"),
                               (axes[1, 0], write[:, rows].T, "write weightings"),
                               (axes[1, 1], read[:, rows].T, "read weightings")):
        axis.imshow(image, aspect="auto", cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        axis.set_title(title)
        axis.set_xlabel("time")
    for axis in axes[1]:
        ticks = axis.get_yticks()
        axis.set_yticks(ticks[(ticks >= 0) & (ticks < rows.stop - rows.start)])
        axis.set_yticklabels([str((int(t) + rows.start - offset) % N) for t in axis.get_yticks()])
    axes[1, 0].set_ylabel("memory row")
    figure.suptitle(f"NTM copy, length {length}")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    errors = int(((outputs > 0.5) != (batch.targets[0] > 0.5)).sum())
    return {"length": length, "bit_errors": errors}


def learning_curve_png(records: list[dict], path: str | Path, title: str = "NTM copy",
                       previous: list[dict] = ()) -> None:
    """Validation bit errors per sequence against training sequences seen, one line per run
    (`previous`: runs of an earlier recipe, drawn dashed and grey for comparison)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    for record in records:
        points = [p for p in record["curve"] if "val_bit_errors" in p]
        label = f"seed {record['train_config']['seed']}"
        if record["train_config"].get("noise_eta"):
            label += f", noise eta {record['train_config']['noise_eta']}"
        axis.plot([p["sequences"] for p in points], [p["val_bit_errors"] for p in points], label=label)
    for i, record in enumerate(previous):
        points = [p for p in record["curve"] if "val_bit_errors" in p]
        axis.plot([p["sequences"] for p in points], [p["val_bit_errors"] for p in points], color="gray",
                  linestyle="--", linewidth=0.8, label="previous recipe" if i == 0 else None)
    axis.axhline(1.0, color="gray", linestyle=":", linewidth=1)
    axis.set_yscale("symlog", linthresh=1)
    axis.set_xlabel("training sequences seen")
    axis.set_ylabel("bit errors per sequence (held out, lengths 1-20)")
    axis.set_title(title)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
