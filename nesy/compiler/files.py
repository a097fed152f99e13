"""Saving and loading compiled models: a torch file with the state dict and the metadata, plus
the metadata as JSON beside it (vocab, layer map, residual labels, output decoding).

Saving does not import torch (`nesy.compiler.torch_file` writes torch's format from the numpy
weights), so `nesy rasp compile` finishes in well under a second; loading uses `torch.load`.
"""
from __future__ import annotations

import json
import pickle
import warnings
import zipfile
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
    """The module and metadata written by `save`. The file is read with `torch.load(weights_only=True)`
    (tensors and plain values only: a file that asks to run code is refused, never retried without
    it); its metadata and tensor shapes are checked before anything is built, so a damaged or
    foreign file is a one-line `NesyInputError`."""
    import torch
    from nesy.compiler.model import build_module

    path = Path(path)
    try:
        with warnings.catch_warnings():  # a damaged file makes torch warn before it fails
            warnings.simplefilter("ignore")
            saved = torch.load(path, weights_only=True, map_location="cpu")
    except OSError as error:
        raise NesyInputError(f"cannot read compiled model: {error.strerror or error}", path=str(path)) from None
    except pickle.UnpicklingError:
        why = ("it holds objects other than tensors and plain values, which could run code: refused"
               if zipfile.is_zipfile(path) else "not a torch file")
        raise NesyInputError(f"cannot load compiled model: {why}", path=str(path)) from None
    except Exception as error:  # torch raises zip, pickle, runtime and value errors for a damaged file
        raise NesyInputError(f"cannot load compiled model: {_first_line(error)}", path=str(path)) from None
    metadata, state = _checked(saved, str(path))
    shapes = [LayerShape.from_json(shape) for shape in metadata["shapes"]]
    model = build_module(len(metadata["vocab"]), metadata["max_len"], metadata["d_model"], shapes)
    model.load_state_dict(state)
    model.eval()
    return model, metadata


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def _checked(saved: object, path: str) -> tuple[dict, dict]:
    """(metadata, state dict) when the file is what `save` writes, else a NesyInputError."""
    import torch

    def bad(what: str) -> NesyInputError:
        return NesyInputError(f"not a compiled RASP model: {what}", path=path)

    if not isinstance(saved, dict) or not isinstance(saved.get("metadata"), dict) \
            or not isinstance(saved.get("state_dict"), dict):
        raise bad("expected {'state_dict', 'metadata'}")
    metadata, state = saved["metadata"], saved["state_dict"]
    vocab, max_len, d_model = metadata.get("vocab"), metadata.get("max_len"), metadata.get("d_model")
    if not (isinstance(vocab, list) and vocab and all(isinstance(v, str) for v in vocab)):
        raise bad("metadata 'vocab' is not a list of tokens")
    for name, value in (("max_len", max_len), ("d_model", d_model)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad(f"metadata '{name}' is not a positive integer")
    try:
        shapes = [LayerShape.from_json(shape) for shape in metadata["shapes"]]
    except (KeyError, TypeError, ValueError):
        raise bad("metadata 'shapes' is damaged") from None
    if any(n < 0 for shape in shapes for n in (shape.mlp_hidden, *(x for h in shape.heads for x in h))):
        raise bad("negative sizes in its metadata")
    expected = _parameter_shapes(len(vocab), max_len, d_model, shapes)
    if set(state) != set(expected):
        raise bad("its tensors are not the ones its metadata describes")
    for name, shape in expected.items():
        tensor = state[name]
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != shape or not tensor.is_floating_point():
            raise bad(f"tensor '{name}' should be a float tensor of shape {list(shape)}")
    return metadata, state


def _parameter_shapes(vocab_size: int, max_len: int, d: int, shapes: list[LayerShape]) -> dict[str, tuple]:
    """What `build_module` makes for this metadata: parameter name -> shape."""
    expected = {"token_embedding.weight": (vocab_size + 1, d), "position_embedding.weight": (max_len + 1, d)}
    for index, shape in enumerate(shapes):
        for h, (qk, v) in enumerate(shape.heads):
            prefix = f"layers.{index}.heads.{h}."
            expected.update({prefix + "W_Q": (d, qk), prefix + "W_K": (d, qk), prefix + "W_V": (d, v),
                             prefix + "W_O": (v, d)})
        hidden = shape.mlp_hidden
        expected.update({f"layers.{index}.mlp.W_in": (d, hidden), f"layers.{index}.mlp.b_in": (hidden,),
                         f"layers.{index}.mlp.W_out": (hidden, d)})
    return expected
