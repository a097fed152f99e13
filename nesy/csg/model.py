"""The CSG proposer: a 64x64 binary picture -> postfix programs in CSGNet's tokens (CSGNet's idea:
a CNN encodes the picture, a GRU decodes the program one token at a time).

Tokens are `dsl.csg.tokens`' ids: 0..395 the terminals, 396..398 `+ * -`, 399 the stop `$`; the
decoder's first input is an extra START id (400). Beam search keeps only valid postfix: a
terminal while the stack can still be reduced to one shape in the tokens left, an operator when
two shapes are on the stack, the stop when exactly one is, so every beam is a program.

>>> model = ProposerModel(ProposerConfig())
>>> programs = beam_search(model, np.zeros((2, 64, 64), dtype=bool), width=3)
>>> [len(row) for row in programs]
[3, 3]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dsl.csg.tokens import PRIMITIVE_TOKENS, STOP, VOCABULARY_SIZE
from dsl.errors import NesyInputError

FORMAT = "nesy-csg-proposer"
VERSION = 1
START = VOCABULARY_SIZE                      # 400: the decoder's first input, never an output


@dataclass(frozen=True)
class ProposerConfig:
    max_tokens: int = 13                     # longest program decoded (CSGNet's synthetic programs: 13)
    channels: tuple[int, ...] = (8, 16, 32, 64)   # one conv + 2x2 pool each: 64 -> 32 -> 16 -> 8 -> 4
    feature: int = 256                       # picture code
    embed: int = 64                          # token embedding
    hidden: int = 256                        # GRU state


class ProposerModel(nn.Module):
    def __init__(self, config: ProposerConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        width = 1
        for channels in config.channels:
            layers += [nn.Conv2d(width, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            width = channels
        self.encoder = nn.Sequential(*layers, nn.Flatten())
        side = 64 >> len(config.channels)
        self.code = nn.Linear(width * side * side, config.feature)
        self.initial = nn.Linear(config.feature, config.hidden)
        self.embedding = nn.Embedding(VOCABULARY_SIZE + 1, config.embed)        # + START
        self.gru = nn.GRU(config.embed + config.feature, config.hidden, batch_first=True)
        self.head = nn.Linear(config.hidden, VOCABULARY_SIZE)

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 64, 64) 0/1 -> picture code (B, feature) and first GRU state (1, B, hidden)."""
        code = F.relu(self.code(self.encoder(images.float().unsqueeze(1))))   # (B, 1, 64, 64) -> (B, feature)
        return code, torch.tanh(self.initial(code)).unsqueeze(0)

    def decode(self, code: torch.Tensor, inputs: torch.Tensor,
               state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Input tokens (B, T) -> next-token logits (B, T, V) and the GRU state after them."""
        steps = torch.cat([self.embedding(inputs), code.unsqueeze(1).expand(-1, inputs.shape[1], -1)], -1)
        out, state = self.gru(steps, state)                                    # (B, T, hidden)
        return self.head(out), state

    def forward(self, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: pictures (B, 64, 64), target rows (B, T) ending in STOP -> logits (B, T, V)."""
        code, state = self.encode(images)
        inputs = torch.cat([torch.full_like(tokens[:, :1], START), tokens[:, :-1]], 1)   # shifted right
        return self.decode(code, inputs, state)[0]


def token_loss(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Mean cross entropy over each row's tokens up to and including its first STOP (padding after it
    is also STOP and must not count, or short programs would dominate)."""
    is_stop = tokens == STOP
    before_stop = torch.cumsum(is_stop.long(), 1) - is_stop.long() == 0    # (B, T) True up to the first STOP
    loss = F.cross_entropy(logits.transpose(1, 2), tokens.long(), reduction="none")
    return (loss * before_stop).sum() / before_stop.sum()


def valid_next(depth: torch.Tensor, left: int | torch.Tensor, may_stop: bool | torch.Tensor = True) -> torch.Tensor:
    """(..., V) bool: the tokens a postfix prefix with stack `depth` (...) may take with `left`
    tokens (terminals and operators) still allowed (`left`, `may_stop` broadcast against `depth`)."""
    terminal = depth <= left - 1              # a push, then `depth` operators reduce it to one shape
    operator = depth >= 2
    stop = (depth == 1) & torch.as_tensor(may_stop)
    parts = [terminal.unsqueeze(-1).expand(*depth.shape, PRIMITIVE_TOKENS),
             operator.unsqueeze(-1).expand(*depth.shape, STOP - PRIMITIVE_TOKENS), stop.unsqueeze(-1)]
    return torch.cat(parts, -1)


@torch.no_grad()
def beam_search(model: ProposerModel, images: np.ndarray, width: int = 10, max_tokens: int | None = None,
                lengths: Sequence[int] | None = None) -> list[list[tuple[list[int], float]]]:
    """Per picture (B, 64, 64), its `width` best valid programs as (token ids without STOP, log
    probability), best first; all pictures are decoded together. `lengths` (B,) asks for programs
    of exactly that many tokens per picture: a plain beam ends short, since every token costs
    probability, so decoding one picture at several lengths gives search longer candidates."""
    model.eval()
    count, length = len(images), max(lengths) if lengths is not None else max_tokens or model.config.max_tokens
    wanted = torch.as_tensor(lengths if lengths is not None else [length] * count).unsqueeze(1)   # (B, 1)
    code, state = model.encode(torch.as_tensor(np.asarray(images, dtype=np.float32)))
    code = code.repeat_interleave(width, 0)                                    # (B*K, feature)
    state = state.repeat_interleave(width, 1)                                  # (1, B*K, hidden)
    scores = torch.full((count, width), -torch.inf)
    scores[:, 0] = 0.0                                                         # one live beam at first
    depth = torch.zeros(count, width, dtype=torch.long)
    done = torch.zeros(count, width, dtype=torch.bool)
    tokens = torch.zeros(count, width, 0, dtype=torch.long)
    previous = torch.full((count * width, 1), START)
    finished_row = torch.full((VOCABULARY_SIZE,), -torch.inf)
    finished_row[STOP] = 0.0                                                   # a finished beam only stays
    rows = torch.arange(count).unsqueeze(1)
    for step in range(length + 1):
        logits, state = model.decode(code, previous, state)
        log_p = F.log_softmax(logits[:, -1], -1).view(count, width, VOCABULARY_SIZE)
        allowed = valid_next(depth, wanted - step, step >= wanted if lengths is not None else True)
        log_p = log_p.masked_fill(~allowed, -torch.inf)
        log_p = torch.where(done.unsqueeze(-1), finished_row, log_p)
        best, index = (scores.unsqueeze(-1) + log_p).view(count, -1).topk(width, -1)   # (B, K)
        beam, token = index // VOCABULARY_SIZE, index % VOCABULARY_SIZE
        state = state.view(1, count, width, -1)[:, rows, beam].view(1, count * width, -1)
        tokens = torch.cat([tokens[rows, beam], token.unsqueeze(-1)], -1)
        pushed, reduced = token < PRIMITIVE_TOKENS, (token >= PRIMITIVE_TOKENS) & (token < STOP)
        depth = depth[rows, beam] + pushed.long() - reduced.long()
        done = done[rows, beam] | (token == STOP)
        scores, previous = best, token.view(-1, 1)
        if done.all():
            break
    out = []
    for b in range(count):
        kept = [([t for t in tokens[b, k].tolist() if t != STOP], float(scores[b, k]))
                for k in range(width) if torch.isfinite(scores[b, k])]
        out.append(kept)
    return out


def save_proposer(model: ProposerModel, card: dict[str, Any], path: str | Path) -> None:
    """Weights in float16 (half the size, the same programs in practice) with the config and card."""
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    config = {**asdict(model.config), "channels": list(model.config.channels)}
    torch.save({"format": FORMAT, "version": VERSION, "config": config, "state_dict": state, "card": card}, path)


def load_proposer(path: str | Path) -> tuple[ProposerModel, dict[str, Any]]:
    """The model and card of a weights file; anything damaged or foreign is a one-line
    NesyInputError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise NesyInputError("no CSG proposer weights here (train them with `nesy train csg`)", path=str(path))
    try:   # weights_only: tensors and plain containers, so no code in the file can run
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:   # torch raises many types for truncated or foreign files
        reason = " ".join(str(error).split())[:160]
        raise NesyInputError(f"not a readable CSG proposer file ({type(error).__name__}: {reason})",
                             path=str(path)) from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise NesyInputError(f"not a CSG proposer file (expected format {FORMAT!r})", path=str(path))
    if blob.get("version") != VERSION:
        raise NesyInputError(f"CSG proposer version {blob.get('version')!r}, this nesy reads {VERSION}", path=str(path))
    try:
        raw = dict(blob["config"])
        model = ProposerModel(ProposerConfig(**{**raw, "channels": tuple(raw["channels"])}))
        model.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as error:
        raise NesyInputError(f"damaged CSG proposer weights: {str(error).splitlines()[0][:200]}",
                             path=str(path)) from None
    for name, tensor in model.state_dict().items():
        if not torch.isfinite(tensor).all():
            raise NesyInputError(f"damaged CSG proposer weights: {name} holds NaN or infinite values", path=str(path))
    model.eval()
    return model, dict(blob.get("card", {}))
