"""Stage 5: weights -> `TransformerWeights` (numpy; the torch module is built on first use), the
metadata that explains them (vocab, layer map, residual labels, output decoding) and the decoding
of the output directions."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from dsl.rasp import ir
from dsl.rasp.values import Value, canon, format_value, identity_key, is_number
from nesy.compiler.blocks import HeadWeights, MlpWeights
from nesy.compiler.graph import NO_VALUE, CNode
from nesy.compiler.residual import BOS, ONE, Direction, ResidualSpace
from nesy.compiler.weights import TransformerWeights, WeightsBuilder

if TYPE_CHECKING:
    import torch

    from nesy.compiler.model import CompiledTransformer


# A numerical output is one float; it decodes to the exact value (of those the output can take)
# within this tolerance, relative beyond magnitude 1: |float - value| <= NUMERIC_TOLERANCE * max(1, |value|).
NUMERIC_TOLERANCE = 1e-4


@dataclass
class Readout:
    """How the output node is read from the final residual stream."""
    label: str
    numerical: bool
    values: list[Value]            # categorical: candidate values in tie-break order; numerical: sorted
    columns: list[int | None]      # their directions; None for the implicit value
    max_len: int

    def decode(self, residual: "torch.Tensor") -> list[list[Value]]:
        """residual [B, N, D] (BOS first) -> the decoded output per sequence (BOS dropped)."""
        import torch
        x = residual[:, 1:, :].double()
        if self.numerical:
            return [[self.decode_number(v) for v in row] for row in x[..., self.columns[0]].tolist()]
        explicit = [c for c in self.columns if c is not None]
        scores = torch.stack([x[..., c] if c is not None else 1.0 - x[..., explicit].sum(-1)
                              for c in self.columns], dim=-1)                  # [B, N, V]
        tolerance = 0.25 / (self.max_len + 1) ** 2
        best = scores.max(dim=-1, keepdim=True).values
        first = (scores >= best - tolerance).double().argmax(dim=-1)           # first in value order
        return [[self.values[i] for i in row] for row in first.tolist()]

    @cached_property
    def _floats(self) -> list[float]:
        return [float(v) for v in self.values]

    def decode_number(self, x: float) -> Value:
        """The exact value nearest the model's float, when within tolerance; else the float itself
        (it matches no value, so a check reports it). The value set over-approximates: a wrong
        nearest value is possible in principle, and `check` compares it exactly, so it would show."""
        i = bisect.bisect_left(self._floats, x)
        near = [j for j in (i - 1, i) if 0 <= j < len(self.values)]
        if not near:
            return x
        j = min(near, key=lambda j: abs(self._floats[j] - x))
        return self.values[j] if abs(self._floats[j] - x) <= NUMERIC_TOLERANCE * max(1.0, abs(self._floats[j])) else x


@dataclass
class Compiled:
    """A compiled RASP program: its weights, metadata and how to run it on token lists."""
    weights: TransformerWeights
    metadata: dict
    readout: Readout
    vocab: tuple[Value, ...]
    max_len: int
    token_ids: dict = field(default_factory=dict)

    @cached_property
    def model(self) -> "CompiledTransformer":
        """The `torch.nn.Module` (built, and torch imported, on first use)."""
        return self.weights.to_module()

    def encode(self, batch: list[list[Value]]) -> "torch.Tensor":
        """Token lists of one length -> ids [B, N+1] with BOS first."""
        import torch
        from dsl.errors import NesyInputError
        rows = []
        for tokens in batch:
            if len(tokens) > self.max_len:
                raise NesyInputError(f"input of length {len(tokens)} exceeds max_len {self.max_len}")
            try:
                rows.append([0] + [self.token_ids[identity_key(_token(t))] for t in tokens])
            except KeyError as missing:
                raise NesyInputError(f"token {missing.args[0][1]!r} is not in the vocabulary "
                                     f"{[format_value(v) for v in self.vocab]}") from None
        return torch.tensor(rows, dtype=torch.long)

    def run(self, batch: list[list[Value]]) -> list[list[Value]]:
        """The model's decoded outputs for token lists of one length."""
        import torch
        with torch.no_grad():
            return self.readout.decode(self.model(self.encode(batch)))


def _token(value: Value) -> Value:
    """A token as the vocabulary holds it: numbers exact (0.5 is 1/2)."""
    try:
        return canon(value)
    except ArithmeticError:
        return value  # not in the vocabulary: the caller says so


def assemble(space: ResidualSpace, heads: list[list[HeadWeights]], mlps: list[MlpWeights],
             output: CNode, vocab: tuple[Value, ...], max_len: int, layer_map: list[dict]) -> Compiled:
    d = space.width
    builder = WeightsBuilder(len(vocab), max_len, d)
    builder.embeddings(*_embeddings(space, vocab, max_len))
    for layer_heads, mlp in zip(heads, mlps):
        builder.layer([(w.w_q, w.w_k, w.w_v, w.w_o) for w in layer_heads], (mlp.w_in, mlp.b_in, mlp.w_out))
    readout = _readout(space, output, max_len)
    metadata = {
        "vocab": [format_value(v) for v in vocab], "max_len": max_len, "d_model": d,
        "bos_id": 0, "residual_labels": space.labels(), "layers": layer_map,
        "output": {"label": readout.label, "numerical": readout.numerical,
                   "values": [format_value(v) for v in readout.values], "columns": readout.columns,
                   **({"tolerance": NUMERIC_TOLERANCE} if readout.numerical else {})},
    }
    token_ids = {identity_key(v): i + 1 for i, v in enumerate(vocab)}
    return Compiled(builder.build(), metadata, readout, vocab, max_len, token_ids)


def _embeddings(space: ResidualSpace, vocab, max_len) -> tuple[np.ndarray, np.ndarray]:
    tokens = np.zeros((len(vocab) + 1, space.width))
    tokens[:, space.of(ONE)] = 1.0
    tokens[0, space.of(BOS)] = 1.0
    positions = np.zeros((max_len + 1, space.width))
    for i, value in enumerate(vocab):
        key = Direction("tokens", value, True).key
        if key in space.index:
            tokens[i + 1, space.index[key]] = 1.0
    for i in range(max_len):
        key = Direction("indices", i, True).key
        if key in space.index:
            positions[i + 1, space.index[key]] = 1.0
    return tokens, positions


def _readout(space: ResidualSpace, output: CNode, max_len: int) -> Readout:
    if output.encoding == ir.NUMERICAL:
        numbers = [v for v in output.values if is_number(v)]  # sorted already (unique_sorted)
        return Readout(output.label, True, numbers, [space.of(Direction(output.label))], max_len)
    columns = []
    for value in output.values:
        implicit = output.implicit is not NO_VALUE and identity_key(value) == identity_key(output.implicit)
        columns.append(None if implicit else space.of(Direction(output.label, value, True)))
    return Readout(output.label, False, list(output.values), columns, max_len)


__all__ = ["NUMERIC_TOLERANCE", "Compiled", "Readout", "assemble"]
