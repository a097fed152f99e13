"""Saving and loading compiled models: a torch file with the state dict and the metadata, plus
the metadata as JSON beside it (vocab, layer map, residual labels, output decoding).

Saving does not import torch (`nesy.compiler.torch_file` writes torch's format from the numpy
weights), so `nesy rasp compile` finishes in well under a second; loading uses `torch.load`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from dsl.errors import NesyInputError
from nesy.compiler.assemble import Compiled
from nesy.compiler.torch_file import save_torch_file
from nesy.compiler.weights import LayerShape

if TYPE_CHECKING:
    from nesy.compiler.model import CompiledTransformer


def save(compiled: Compiled, path: str | Path) -> Path:
    """Write `path` (torch) and `path` with a .json suffix; returns the JSON path."""
    path = Path(path)
    metadata = dict(compiled.metadata, shapes=[shape.as_json() for shape in compiled.weights.shapes])
    save_torch_file({"state_dict": compiled.weights.state, "metadata": metadata}, path)
    json_path = path.with_suffix(".json")
    json_path.write_text(json.dumps(metadata, indent=1))
    return json_path


def load_model(path: str | Path) -> tuple["CompiledTransformer", dict]:
    """The module and metadata written by `save`."""
    import torch
    from nesy.compiler.model import build_module

    try:
        saved = torch.load(Path(path), weights_only=True)
        metadata = saved["metadata"]
        shapes = [LayerShape.from_json(shape) for shape in metadata["shapes"]]
        model = build_module(len(metadata["vocab"]), metadata["max_len"], metadata["d_model"], shapes)
        model.load_state_dict(saved["state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError, ValueError) as error:
        raise NesyInputError(f"cannot load compiled model: {error}", path=str(path)) from None
    model.eval()
    return model, metadata
