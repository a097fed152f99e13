"""A Pointer Network (Vinyals, Fortunato & Jaitly 2015), one file, read top to bottom.

An LSTM encoder reads the input elements; an LSTM decoder, started from the encoder's last state,
emits at each step an attention distribution over the inputs, and that distribution *is* the output
(a pointer), not a blend fed to a fixed vocabulary: u_ij = v^T tanh(W1 e_j + W2 d_i). Position 0 is
a learned end-of-output element, so answers of any length (a hull's vertices) fit. The decoder's
next input is the embedding of the element just pointed at (teacher forcing in training: the
target's; greedy decoding at test time: its own choice).

Masks (our addition, as most reproductions do): an element pointed at once cannot be pointed at
again; for permutation tasks (sorting, TSP) the end element is allowed exactly when every element
has been chosen; for hulls, after at least two.

    >>> import torch
    >>> net = PointerNet(PointerConfig(input_size=2, hidden=16))
    >>> x = torch.rand(3, 6, 2)
    >>> logits = net(x, torch.tensor([[1, 2, 3, 0], [4, 5, 6, 0], [2, 1, 3, 0]]))
    >>> tuple(logits.shape), tuple(net.decode(x).shape)
    ((3, 4, 7), (3, 7))

Shapes: B batch, n input elements, m output steps, H hidden units; index 0 is the end element.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

NEG = -1e9


@dataclass(frozen=True)
class PointerConfig:
    input_size: int = 2          # 1 for numbers, 2 for planar points
    hidden: int = 128            # H
    permutation: bool = False    # every element exactly once (sort, TSP, reverse), then the end
    min_before_end: int = 2      # otherwise: elements chosen before the end may be chosen

    def as_dict(self) -> dict:
        return asdict(self)


class PointerNet(nn.Module):
    def __init__(self, config: PointerConfig) -> None:
        super().__init__()
        c = self.config = config
        H = c.hidden
        self.embed = nn.Linear(c.input_size, H)
        self.encoder = nn.LSTM(H, H, batch_first=True)
        self.decoder = nn.LSTM(H, H, batch_first=True)
        self.end = nn.Parameter(torch.randn(H) * 0.1)      # the end element's encoding (position 0)
        self.start = nn.Parameter(torch.randn(H) * 0.1)    # the decoder's first input
        self.w_enc = nn.Linear(H, H, bias=False)            # W1
        self.w_dec = nn.Linear(H, H, bias=False)            # W2
        self.v = nn.Linear(H, 1, bias=False)

    def encode(self, x: torch.Tensor):
        """x B x n x F -> embeddings B x n x H, keys B x (n+1) x H (end first), decoder state."""
        B = x.shape[0]
        embedded = self.embed(x)                                                   # B x n x H
        encoded, state = self.encoder(embedded)                                    # B x n x H
        encoded = torch.cat([self.end.expand(B, 1, -1), encoded], dim=1)           # B x (n+1) x H
        return embedded, self.w_enc(encoded), state

    def _scores(self, keys: torch.Tensor, decoded: torch.Tensor) -> torch.Tensor:
        """keys B x (n+1) x H, decoded B x m x H -> logits B x m x (n+1)."""
        return self.v(torch.tanh(keys.unsqueeze(1) + self.w_dec(decoded).unsqueeze(2))).squeeze(-1)

    def _mask(self, chosen: torch.Tensor, count: torch.Tensor, n: int) -> torch.Tensor:
        """chosen B x m x (n+1) bool (pointed at before this step), count B x m -> forbidden."""
        forbidden = chosen.clone()
        forbidden[..., 0] = False
        if self.config.permutation:
            done = count >= n                                                    # B x m
            forbidden[..., 0] = ~done
            forbidden[..., 1:] |= done.unsqueeze(-1)
        else:
            forbidden[..., 0] = count < min(self.config.min_before_end, n)
        return forbidden

    def forward(self, x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits. x B x n x F, targets B x m (0 end, 1..n elements, -1 padding)
        -> B x m x (n+1), forbidden choices at -1e9."""
        B, n, _ = x.shape
        embedded, keys, state = self.encode(x)
        safe = targets.clamp(min=0)                                                # B x m
        padded = torch.cat([torch.zeros_like(embedded[:, :1]), embedded], dim=1)   # B x (n+1) x H
        previous = torch.gather(padded, 1, safe[:, :-1, None].expand(-1, -1, padded.shape[-1]))
        inputs = torch.cat([self.start.expand(B, 1, -1), previous], dim=1)         # B x m x H
        decoded, _ = self.decoder(inputs, state)                                   # B x m x H
        logits = self._scores(keys, decoded)                                       # B x m x (n+1)
        picked = torch.zeros_like(logits, dtype=torch.bool).scatter_(2, safe.unsqueeze(-1), True)
        picked[..., 0] = False
        chosen = torch.cumsum(picked.int(), dim=1) - picked.int() > 0             # before step i
        count = chosen[..., 1:].sum(-1)
        return logits.masked_fill(self._mask(chosen, count, n), NEG)

    @torch.no_grad()
    def decode(self, x: torch.Tensor, max_steps: int | None = None) -> torch.Tensor:
        """Greedy decoding: x B x n x F -> B x (n+1) pointers (1..n, then 0 and 0-padding)."""
        B, n, _ = x.shape
        embedded, keys, state = self.encode(x)
        padded = torch.cat([torch.zeros_like(embedded[:, :1]), embedded], dim=1)
        chosen = torch.zeros(B, 1, n + 1, dtype=torch.bool)
        finished = torch.zeros(B, dtype=torch.bool)
        step_input = self.start.expand(B, 1, -1)
        out = torch.zeros(B, n + 1, dtype=torch.long)
        for step in range(max_steps or n + 1):
            decoded, state = self.decoder(step_input, state)                       # B x 1 x H
            logits = self._scores(keys, decoded)                                   # B x 1 x (n+1)
            logits = logits.masked_fill(self._mask(chosen, chosen[..., 1:].sum(-1), n), NEG)
            pick = logits.argmax(-1).squeeze(1)                                    # B
            pick = torch.where(finished, torch.zeros_like(pick), pick)
            out[:, step] = pick
            finished |= pick == 0
            chosen[:, 0, 1:] |= torch.nn.functional.one_hot(pick, n + 1)[:, 1:].bool()
            if bool(finished.all()):
                break
            step_input = padded[torch.arange(B), pick].unsqueeze(1)
        return out
