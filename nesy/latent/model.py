"""The Latent Program Network (LPN; Macfarlane & Bonnet, "Searching Latent Program Spaces",
NeurIPS 2025), in PyTorch, in one file.

    pair (x, y) --encoder--> N(mu, sigma^2)            one Gaussian per input/output pair
    task latent z = mean over the pairs                 (training: of samples; test: of the means)
    decoder p(y | x, z) = prod_i p(y_i | x, y_<i, z)  left to right, a transformer

Test-time search (nesy.latent.search) runs gradient ascent on z to raise sum_pairs log p(y | x, z).
Two small heads read a latent for the symbolic side (nesy.latent.coupling): which rules a program
has (`prior`, one sigmoid per rule) and the rule in each program slot (`program`, a softmax over
the rules and "end" per slot). Their losses train the encoder too unless training says not
(`nesy.latent.train.TrainConfig.supervise_latent`).

Outputs are as long as inputs (seqrules), so the decoder is a transformer over the input tokens
and the output tokens so far, with z added to every position, predicting the output tokens
left to right, each from x, z and the outputs before it (`OutputDecoder`).

Shapes: B tasks, N pairs, L positions, D = d_model, Z = latent.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class LpnConfig:
    vocab: int = 5              # token values 0 .. vocab-1
    length: int = 10            # longest sequence (positions)
    d_model: int = 64
    heads: int = 4
    encoder_layers: int = 3
    decoder_layers: int = 2
    latent: int = 32
    rules: int = 27             # rules the prior head scores (0: no heads)
    slots: int = 5              # program slots the program head fills (rule or end)
    dropout: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _blocks(config: LpnConfig, layers: int) -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(config.d_model, config.heads, 4 * config.d_model, config.dropout,
                                       batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


class PairEncoder(nn.Module):
    """(x, y) -> mean and log-variance of the pair's latent: [CLS] then one token per position,
    the embedding of the pair (x_i, y_i) plus x_i's and y_i's own; the CLS state after the blocks.

    One token per position (not x then y) puts what a rule did at a position in that position's
    token: a rule reads its neighbours, so attention only has to look next door."""

    def __init__(self, config: LpnConfig) -> None:
        super().__init__()
        self.vocab = config.vocab
        self.pair = nn.Embedding(config.vocab * config.vocab, config.d_model)
        self.input = nn.Embedding(config.vocab, config.d_model)
        self.output = nn.Embedding(config.vocab, config.d_model)
        self.position = nn.Embedding(config.length, config.d_model)
        self.cls = nn.Parameter(torch.zeros(1, 1, config.d_model))
        self.blocks = _blocks(config, config.encoder_layers)
        self.norm = nn.LayerNorm(config.d_model)
        self.to_gaussian = nn.Linear(config.d_model, 2 * config.latent)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # x, y: (M, L) long -> mu, logvar: (M, Z)
        positions = torch.arange(x.shape[1], device=x.device)
        tokens = self.pair(x * self.vocab + y) + self.input(x) + self.output(y) + self.position(positions)
        h = torch.cat([self.cls.expand(x.shape[0], -1, -1), tokens], dim=1)      # (M, 1 + L, D)
        h = self.norm(self.blocks(h))[:, 0]
        mu, logvar = self.to_gaussian(h).chunk(2, dim=-1)
        return mu, logvar.clamp(-8.0, 4.0)


class OutputDecoder(nn.Module):
    """(x, z, y shifted right) -> logits of every output position: a prefix language model.

    Tokens are x_1..x_L (attending to each other) then BOS, y_1..y_{L-1} (attending to all of x and
    to the earlier outputs), each plus a projection of z; position i of the second half predicts
    y_i. Left-to-right rules make y_i a function of x near i and of y_{i-1}, which this order
    exposes (the paper's decoder is autoregressive too)."""

    def __init__(self, config: LpnConfig) -> None:
        super().__init__()
        self.token = nn.Embedding(config.vocab + 1, config.d_model)        # + BOS
        self.position = nn.Embedding(config.length, config.d_model)
        self.segment = nn.Embedding(2, config.d_model)
        self.from_latent = nn.Linear(config.latent, config.d_model)
        self.blocks = _blocks(config, config.decoder_layers)
        self.norm = nn.LayerNorm(config.d_model)
        self.to_logits = nn.Linear(config.d_model, config.vocab)
        self.bos = config.vocab

    @staticmethod
    def mask(length: int, device: torch.device) -> torch.Tensor:
        """(2L, 2L) True where attention is not allowed."""
        blocked = torch.ones(2 * length, 2 * length, dtype=torch.bool, device=device)
        blocked[:, :length] = False                                           # everyone sees x
        blocked[length:, length:] = torch.ones(length, length, device=device).triu(1).bool()
        return blocked

    def forward(self, x: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # x, y: (M, L) long (y: the outputs teacher-forced), z: (M, Z) -> (M, L, vocab)
        m, length = x.shape
        positions = torch.arange(length, device=x.device)
        shifted = torch.cat([torch.full((m, 1), self.bos, dtype=torch.long, device=x.device), y[:, :-1]], dim=1)
        h = torch.cat([self.token(x) + self.segment.weight[0], self.token(shifted) + self.segment.weight[1]], dim=1)
        h = h + self.position(positions).repeat(2, 1) + self.from_latent(z)[:, None, :]
        h = self.norm(self.blocks(h, mask=self.mask(length, x.device)))
        return self.to_logits(h[:, length:])


class LatentProgramNetwork(nn.Module):
    """Encoder, decoder and the two symbolic heads.

    Example:
        >>> net = LatentProgramNetwork(LpnConfig(length=4, d_model=16, heads=2, latent=8))
        >>> x = torch.randint(0, 5, (3, 2, 4)); y = torch.randint(0, 5, (3, 2, 4))
        >>> mu, logvar = net.encode(x, y)
        >>> tuple(mu.shape), tuple(net.log_likelihood(x, y, mu.mean(1)).shape)
        ((3, 2, 8), (3,))
    """

    def __init__(self, config: LpnConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = PairEncoder(config)
        self.decoder = OutputDecoder(config)
        if config.rules:
            self.prior = nn.Sequential(nn.Linear(config.latent, 128), nn.GELU(), nn.Linear(128, config.rules))
            self.program = nn.Sequential(nn.Linear(config.latent, 256), nn.GELU(),
                                         nn.Linear(256, config.slots * (config.rules + 1)))

    def encode(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # x, y: (B, N, L) -> mu, logvar: (B, N, Z)
        b, n, length = x.shape
        mu, logvar = self.encoder(x.reshape(b * n, length), y.reshape(b * n, length))
        return mu.reshape(b, n, -1), logvar.reshape(b, n, -1)

    def logits(self, x: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # x, y: (B, N, L), z: (B, Z) one latent per task -> (B, N, L, vocab), y teacher-forced
        b, n, length = x.shape
        zs = z[:, None, :].expand(b, n, z.shape[-1]).reshape(b * n, -1)
        return self.decoder(x.reshape(b * n, length), zs, y.reshape(b * n, length)).reshape(b, n, length, -1)

    def pair_log_likelihood(self, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        # log p(y | x, z) of every pair: (B, N)
        logp = F.log_softmax(self.logits(x, z, y), dim=-1)
        return logp.gather(-1, y[..., None])[..., 0].sum(-1)

    def log_likelihood(self, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        # sum over a task's pairs: (B,)
        return self.pair_log_likelihood(x, y, z).sum(-1)

    def decode(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        # greedy decoding, one position at a time: (B, N, L) long
        y = torch.zeros_like(x)
        for i in range(x.shape[-1]):
            y[..., i] = self.logits(x, z, y)[..., i, :].argmax(-1)
        return y

    def rule_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.prior(z)                                      # (B, rules)

    def slot_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.program(z).reshape(z.shape[0], self.config.slots, self.config.rules + 1)


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, 1)), summed over the latent's dimensions."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)
