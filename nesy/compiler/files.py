"""Saving and loading compiled models: a torch file with the state dict and the metadata, plus
the metadata as JSON beside it (vocab, layer map, residual labels, output decoding)."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from dsl.errors import NesyInputError
from nesy.compiler.assemble import Compiled
from nesy.compiler.model import CompiledTransformer, Head, Layer, Mlp


def save(compiled: Compiled, path: str | Path) -> Path:
    """Write `path` (torch) and `path` with a .json suffix; returns the JSON path."""
    path = Path(path)
    shapes = [{"heads": [[h.W_Q.shape[1], h.W_V.shape[1]] for h in layer.heads],
               "mlp_hidden": layer.mlp.W_in.shape[1]} for layer in compiled.model.layers]
    metadata = dict(compiled.metadata, shapes=shapes)
    torch.save({"state_dict": compiled.model.state_dict(), "metadata": metadata}, path)
    json_path = path.with_suffix(".json")
    json_path.write_text(json.dumps(metadata, indent=1))
    return json_path


def load_model(path: str | Path) -> tuple[CompiledTransformer, dict]:
    """The module and metadata written by `save`."""
    try:
        saved = torch.load(Path(path), weights_only=True)
    except (OSError, RuntimeError) as error:
        raise NesyInputError(f"cannot load compiled model: {error}", path=str(path)) from None
    metadata = saved["metadata"]
    d = metadata["d_model"]
    layers = [Layer([Head(d, qk, v) for qk, v in shape["heads"]], Mlp(d, shape["mlp_hidden"]))
              for shape in metadata["shapes"]]
    model = CompiledTransformer(len(metadata["vocab"]), metadata["max_len"], d, layers)
    model.load_state_dict(saved["state_dict"])
    model.eval()
    return model, metadata
