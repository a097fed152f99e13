"""A Neural Turing Machine (Graves, Wayne & Danihelka 2014), one file, read top to bottom.

An LSTM controller reads the input and what its read heads read last step; each head emits
addressing parameters, the heads read from and write to an N x M memory, and the output layer sees
the controller state and the reads. Addressing is the paper's: content (cosine similarity,
sharpened by beta), interpolation with the previous weighting (gate g), circular convolution with
a shift distribution s over -r..r, and sharpening (gamma >= 1).

    >>> import torch
    >>> ntm = NTM(NTMConfig(input_size=9, output_size=8))
    >>> logits, trace = ntm(torch.zeros(2, 5, 9), trace=True)
    >>> tuple(logits.shape), tuple(trace["read"].shape), tuple(trace["write"].shape)
    ((2, 5, 8), (2, 5, 128), (2, 5, 128))

Shapes: B batch, T time, N memory rows, M memory width, R read heads, H controller units.
Start state (measured on copy, docs/induction.md): memory holds 1e-6 in every cell (Collier & Beel
2018 found constant memory initialisation learns fastest), every head starts focused on row 0 (learned
logits), and the interpolation gates start nearly closed (bias -3: g = 0.05), so a head keeps its
focus and moves by shifts until the controller learns to open the gate for content look-ups. The
write head's +1 shift starts with a logit bias of 1 (it leans to stepping forward, writing a tape),
the read heads' shifts start even: every seed of copy then converged within 8,800 sequences (one
never did within 16,000 without it; docs/induction.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class NTMConfig:
    input_size: int = 9          # copy: 8 bits + the delimiter channel
    output_size: int = 8
    controller_size: int = 100   # H: LSTM units (the paper's copy setting)
    memory_rows: int = 128       # N
    memory_width: int = 20       # M
    read_heads: int = 1          # R (one write head)
    shift_range: int = 1         # shifts -1, 0, +1
    memory_init: str = "constant"  # "constant": every cell 1e-6 (Collier & Beel 2018); "rows": small fixed per-row values
    clip_value: float = 0.0      # > 0: head parameters and output logits clipped to +-clip_value (Collier & Beel: 20)
    gate_bias: float = -3.0      # the interpolation gates' starting bias (< 0: heads start by keeping their focus)
    forward_bias: float = 1.0    # the write head's +1 shift starting logit bias (> 0: it starts stepping forward)
    read_stay_bias: float = 0.0  # the read heads' 0-shift starting logit bias (> 0: they start staying put)

    def as_dict(self) -> dict:
        return asdict(self)


def address(key: torch.Tensor, beta: torch.Tensor, gate: torch.Tensor, shift: torch.Tensor,
            gamma: torch.Tensor, previous: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """One head's weighting over the memory rows (paper section 3.3).

    key B x M, beta B x 1 (> 0), gate B x 1 (0..1), shift B x (2r+1) (sums to 1), gamma B x 1 (>= 1),
    previous B x N (sums to 1), memory B x N x M -> B x N (sums to 1).
    """
    similarity = F.cosine_similarity(memory, key.unsqueeze(1), dim=-1, eps=1e-8)     # B x N
    content = torch.softmax(beta * similarity, dim=-1)                                  # B x N
    gated = gate * content + (1 - gate) * previous                                      # B x N
    r = (shift.shape[-1] - 1) // 2
    # circular convolution: w~(i) = sum_j w_g(i - j) s(j), j in -r..r
    shifted = sum(shift[:, j + r:j + r + 1] * torch.roll(gated, shifts=j, dims=-1) for j in range(-r, r + 1))
    sharpened = (shifted + 1e-12) ** gamma                                              # B x N
    return sharpened / sharpened.sum(dim=-1, keepdim=True)


class NTM(nn.Module):
    def __init__(self, config: NTMConfig) -> None:
        super().__init__()
        c = self.config = config
        M, R, shifts = c.memory_width, c.read_heads, 2 * c.shift_range + 1
        self.head_size = M + 1 + 1 + shifts + 1                       # key, beta, gate, shift, gamma
        self.controller = nn.LSTMCell(c.input_size + R * M, c.controller_size)
        # R read heads, then the write head's addressing, erase (M) and add (M) vectors
        self.heads = nn.Linear(c.controller_size, (R + 1) * self.head_size + 2 * M)
        self.output = nn.Linear(c.controller_size + R * M, c.output_size)
        with torch.no_grad():   # every head's gate logit sits at index M + 1 of its parameter block
            for head in range(R + 1):
                self.heads.bias[head * self.head_size + M + 1] = c.gate_bias
            # the write head (the last block) starts stepping forward; the read heads start still
            self.heads.bias[R * self.head_size + M + 2 + c.shift_range + 1] += c.forward_bias
            for head in range(R):
                self.heads.bias[head * self.head_size + M + 2 + c.shift_range] += c.read_stay_bias
        self.initial_read = nn.Parameter(torch.randn(R, M) * 0.01)      # R x M
        # logits, R+1 x N: every head starts focused on row 0. A uniform start can never focus:
        # shifting or sharpening a uniform weighting leaves it uniform, and equal rows defeat content.
        start = torch.zeros(R + 1, c.memory_rows)
        start[:, 0] = 10.0
        self.initial_weighting = nn.Parameter(start)
        # every sequence starts from the same memory (a buffer, not learned): either one small constant
        # in every cell, or small fixed values distinct per row so content addressing can tell rows apart
        if c.memory_init == "constant":
            memory = torch.full((c.memory_rows, c.memory_width), 1e-6)
        elif c.memory_init == "rows":
            bound = 1 / (c.memory_rows + c.memory_width) ** 0.5
            memory = torch.empty(c.memory_rows, c.memory_width).uniform_(-bound, bound)
        else:
            raise ValueError(f"memory_init must be 'constant' or 'rows', got {c.memory_init!r}")
        self.register_buffer("initial_memory", memory)
        self.initial_h = nn.Parameter(torch.zeros(c.controller_size))
        self.initial_c = nn.Parameter(torch.zeros(c.controller_size))

    def _split_head(self, raw: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """raw B x head_size -> key, beta, gate, shift, gamma."""
        M = self.config.memory_width
        key = torch.tanh(raw[:, :M])
        beta = F.softplus(raw[:, M:M + 1])
        gate = torch.sigmoid(raw[:, M + 1:M + 2])
        shift = torch.softmax(raw[:, M + 2:-1], dim=-1)
        gamma = 1 + F.softplus(raw[:, -1:])
        return key, beta, gate, shift, gamma

    def forward(self, x: torch.Tensor, trace: bool = False):
        """x B x T x input_size -> logits B x T x output_size (and, with `trace`, the first read
        head's and the write head's weightings, B x T x N each)."""
        c = self.config
        B, T, _ = x.shape
        R, N, M = c.read_heads, c.memory_rows, c.memory_width
        memory = self.initial_memory.expand(B, N, M)                                     # B x N x M
        reads = self.initial_read.unsqueeze(0).expand(B, R, M).reshape(B, R * M)        # B x RM
        weights = torch.softmax(self.initial_weighting, dim=-1).unsqueeze(0).expand(B, R + 1, N)
        weights = list(weights.unbind(1))                                               # R+1 of B x N
        h = self.initial_h.expand(B, -1).contiguous()
        cell = self.initial_c.expand(B, -1).contiguous()
        logits, read_trace, write_trace = [], [], []
        for t in range(T):
            h, cell = self.controller(torch.cat([x[:, t], reads], dim=-1), (h, cell))    # B x H
            params = self.heads(h)
            if c.clip_value > 0:
                params = params.clamp(-c.clip_value, c.clip_value)
            size = self.head_size
            # write first, then read (so a value can be read back the step it is written)
            w_raw = params[:, R * size:(R + 1) * size]
            erase = torch.sigmoid(params[:, (R + 1) * size:(R + 1) * size + M])          # B x M
            add = torch.tanh(params[:, (R + 1) * size + M:])                              # B x M
            weights[R] = address(*self._split_head(w_raw), weights[R], memory)
            w = weights[R].unsqueeze(-1)                                                   # B x N x 1
            memory = memory * (1 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1)         # B x N x M
            read_vectors = []
            for i in range(R):
                weights[i] = address(*self._split_head(params[:, i * size:(i + 1) * size]), weights[i], memory)
                read_vectors.append(torch.bmm(weights[i].unsqueeze(1), memory).squeeze(1))  # B x M
            reads = torch.cat(read_vectors, dim=-1)
            out = self.output(torch.cat([h, reads], dim=-1))
            logits.append(out.clamp(-c.clip_value, c.clip_value) if c.clip_value > 0 else out)
            if trace:
                read_trace.append(weights[0].detach())
                write_trace.append(weights[R].detach())
        out = torch.stack(logits, dim=1)                                                   # B x T x out
        if trace:
            return out, {"read": torch.stack(read_trace, 1), "write": torch.stack(write_trace, 1)}
        return out
