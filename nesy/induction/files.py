"""Trained induction models on disk: `NAME.pt` holds {format, kind, task, model_config, state_dict}
(plain tensors and numbers: loads with `weights_only=True`), `NAME.json` beside it is the card (the
training record: command, config, seed, curve, CPU seconds)."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from dsl.errors import NesyInputError

FORMAT = "nesy-induction/1"


def card_path(path: str | Path) -> Path:
    return Path(path).with_suffix(".json")


def save(model, record: dict, path: str | Path) -> Path:
    from nesy.commands.options import write_atomically

    path = Path(path)
    blob = {"format": FORMAT, "kind": record["kind"], "task": record["task"],
            "model_config": record["model_config"], "state_dict": model.state_dict()}
    temporary = path.with_name(f".{path.name}.tmp")
    torch.save(blob, temporary)
    temporary.replace(path)
    write_atomically(card_path(path), json.dumps(record, indent=1))
    return card_path(path)


def load(path: str | Path):
    """-> (model, blob without the weights). Bad files give a one-line NesyInputError."""
    from nesy.induction.ntm import NTM, NTMConfig
    from nesy.induction.pointer import PointerConfig, PointerNet

    path = Path(path)
    if not path.is_file():
        raise NesyInputError("no such model file", path=str(path))
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds for a file that is not its own
        raise NesyInputError(f"not a torch model file ({type(error).__name__})", path=str(path)) from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise NesyInputError(f"not an induction model (expected format {FORMAT}; "
                             "make one with `nesy induce train`)", path=str(path))
    kind, config = blob["kind"], blob["model_config"]
    model = NTM(NTMConfig(**config)) if kind == "ntm" else PointerNet(PointerConfig(**config))
    try:
        model.load_state_dict(blob["state_dict"])
    except RuntimeError as error:
        raise NesyInputError(f"weights do not fit the model config: {str(error).splitlines()[0]}",
                             path=str(path)) from None
    model.eval()
    return model, {k: v for k, v in blob.items() if k != "state_dict"}


def load_card(path: str | Path) -> dict:
    card = card_path(path)
    if not card.is_file():
        raise NesyInputError("the model's card (.json beside it) is missing", path=str(card))
    return json.loads(card.read_text())
