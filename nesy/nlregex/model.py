"""The sequence-to-sequence network: an English description's tokens -> Deep-Regex tokens.

Encoder: embeddings and a bidirectional GRU. Decoder: embeddings, a GRU started from the
encoder's final states, and Luong ("general") attention over the encoder's outputs; the output
layer reads the decoder state and its attention context. As Deep-Regex (Locascio et al. 2016)
but a GRU and no input feeding, so that teacher-forced training runs the decoder in one call.
`beam_search` decodes one description into its `beam` best token sequences with log-probabilities.

Shapes: B batch, S source length, T target length, E embedding, H hidden, V vocabulary.
"""
from __future__ import annotations

import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from dsl.errors import NesyInputError

PAD, BOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)


@dataclass
class Vocabulary:
    """Tokens by id; ids 0-3 are the specials (padding, start, end, unknown)."""

    tokens: list[str] = field(default_factory=lambda: list(SPECIALS))

    def __post_init__(self) -> None:
        self.ids = {token: i for i, token in enumerate(self.tokens)}

    @staticmethod
    def build(sequences: Iterable[Sequence[str]], min_count: int = 1) -> "Vocabulary":
        counts: dict[str, int] = {}
        for sequence in sequences:
            for token in sequence:
                counts[token] = counts.get(token, 0) + 1
        kept = sorted(t for t, n in counts.items() if n >= min_count and t not in SPECIALS)
        return Vocabulary(list(SPECIALS) + kept)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, sequence: Sequence[str]) -> list[int]:
        return [self.ids.get(token, 3) for token in sequence]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[i] for i in ids]


@dataclass
class Seq2SeqConfig:
    source_vocab: int
    target_vocab: int
    embedding: int = 64
    hidden: int = 256          # decoder state; each encoder direction has hidden // 2
    dropout: float = 0.2
    max_target: int = 80       # tokens a decoded regex may have


class Seq2Seq(nn.Module):
    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        self.config = config
        E, H = config.embedding, config.hidden
        self.source_embedding = nn.Embedding(config.source_vocab, E, padding_idx=0)
        self.encoder = nn.GRU(E, H // 2, batch_first=True, bidirectional=True)
        self.target_embedding = nn.Embedding(config.target_vocab, E, padding_idx=0)
        self.decoder = nn.GRU(E, H, batch_first=True)
        self.attention = nn.Linear(H, H, bias=False)      # score(h, e) = h . W e
        self.combine = nn.Linear(2 * H, H)
        self.output = nn.Linear(H, config.target_vocab)
        self.dropout = nn.Dropout(config.dropout)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """source (B,S) ids, lengths (B,) -> encoder outputs (B,S,H), decoder start state (1,B,H)."""
        embedded = self.dropout(self.source_embedding(source))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, final = self.encoder(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=source.shape[1])
        start = torch.cat([final[0], final[1]], dim=-1).unsqueeze(0)          # (1,B,H)
        return outputs, start

    def step_logits(self, states: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Decoder states (B,T,H), encoder outputs (B,S,H), source mask (B,S) -> logits (B,T,V)."""
        scores = torch.bmm(self.attention(states), memory.transpose(1, 2))     # (B,T,S)
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        context = torch.bmm(F.softmax(scores, dim=-1), memory)                  # (B,T,H)
        mixed = torch.tanh(self.combine(torch.cat([states, context], dim=-1)))
        return self.output(self.dropout(mixed))

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: target_in (B,T) starts with <s>; returns logits (B,T,V) for the next tokens."""
        memory, start = self.encode(source, lengths)
        mask = source != 0
        states, _ = self.decoder(self.dropout(self.target_embedding(target_in)), start)
        return self.step_logits(states, memory, mask)

    @torch.no_grad()
    def beam_search(self, source_ids: Sequence[int], beam: int = 10,
                    max_length: int | None = None) -> list[tuple[list[int], float]]:
        """The `beam` best finished target sequences (ids without <s>/</s>) and their log-probabilities,
        best first. Finished hypotheses compete on total log-probability, as in Deep-Regex."""
        self.eval()
        max_length = max_length or self.config.max_target
        source = torch.tensor([list(source_ids)], dtype=torch.long)
        memory, state = self.encode(source, torch.tensor([len(source_ids)]))
        mask = source != 0
        bos, eos = 1, 2
        alive: list[tuple[list[int], float]] = [([], 0.0)]
        states = state                                                          # (1,k,H)
        finished: list[tuple[list[int], float]] = []
        for _ in range(max_length):
            k = len(alive)
            last = torch.tensor([[seq[-1] if seq else bos] for seq, _ in alive])  # (k,1)
            output, states = self.decoder(self.target_embedding(last), states)
            logits = self.step_logits(output, memory.expand(k, -1, -1), mask.expand(k, -1))[:, 0]
            logp = F.log_softmax(logits, dim=-1)                                # (k,V)
            totals = torch.tensor([score for _, score in alive]).unsqueeze(1) + logp
            top_scores, top_index = totals.view(-1).topk(min(2 * beam, totals.numel()))
            next_alive, parents = [], []
            for score, index in zip(top_scores.tolist(), top_index.tolist()):
                parent, token = divmod(index, logp.shape[1])
                if token == eos:
                    finished.append((alive[parent][0], score))
                elif token > 3:
                    next_alive.append((alive[parent][0] + [token], score))
                    parents.append(parent)
                if len(next_alive) == beam:
                    break
            finished.sort(key=lambda item: -item[1])
            finished = finished[:beam]
            if not next_alive or (len(finished) == beam and finished[-1][1] >= next_alive[0][1]):
                break
            alive = next_alive
            states = states[:, parents]
        return sorted(finished, key=lambda item: -item[1])[:beam]


@dataclass
class TrainedModel:
    """A network with its vocabularies and card (how it was made)."""

    network: Seq2Seq
    source: Vocabulary
    target: Vocabulary
    card: dict = field(default_factory=dict)

    def propose(self, description: Sequence[str], beam: int = 10) -> list[tuple[list[str], float]]:
        """Beam decoding of one tokenised description: (regex tokens, log-probability), best first."""
        ids = self.source.encode(description)
        return [(self.target.decode(seq), score) for seq, score in self.network.beam_search(ids, beam)]

    def save(self, path: str | Path) -> None:
        """Half-precision weights (the file stays small), vocabularies and card in one file."""
        state = {k: v.half() if v.is_floating_point() else v for k, v in self.network.state_dict().items()}
        torch.save({"config": asdict(self.network.config), "state": state, "source": self.source.tokens,
                    "target": self.target.tokens, "card": self.card}, path)

    @staticmethod
    def load(path: str | Path) -> "TrainedModel":
        path = Path(path)
        if not path.is_file():
            raise NesyInputError(f"no model file {path} (train one with 'nesy train nl-regex')", path=str(path))
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
            network = Seq2Seq(Seq2SeqConfig(**saved["config"]))
            network.load_state_dict({k: v.float() if v.is_floating_point() else v
                                     for k, v in saved["state"].items()})
        except (KeyError, TypeError, RuntimeError, EOFError, ValueError, pickle.UnpicklingError) as error:
            raise NesyInputError(f"not an nl-regex model: {str(error).splitlines()[0]}", path=str(path)) from None
        network.eval()
        return TrainedModel(network, Vocabulary(saved["source"]), Vocabulary(saved["target"]), saved.get("card", {}))
