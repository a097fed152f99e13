"""What search optimizes for one target picture: IoU and CSGNet's Chamfer distance of many
candidate canvases at once, and the objective that trades CD against program length.

The target's edges and distance transform are computed once; each batch of candidates needs
only its own edges and distance transform.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsl.csg.canvas import pack, pixel_count, unpack
from dsl.csg.metrics import EMPTY_CD, canny_edges, directed_chamfer, distance_transform

CHUNK = 512          # candidates per Chamfer batch (bounds the (N, 64, 64) temporaries)


@dataclass(frozen=True)
class Objective:
    """Lower is better: CD plus `length_weight` per postfix token (a shorter program wins a tie)."""

    length_weight: float = 0.01

    def __call__(self, cd: np.ndarray | float, tokens: np.ndarray | int) -> np.ndarray | float:
        return cd + self.length_weight * np.asarray(tokens)


class TargetScorer:
    """IoU and CD against one target, for packed candidates (N, 64) uint64."""

    def __init__(self, target: np.ndarray) -> None:
        self.image = np.asarray(target, dtype=bool)
        self.packed = pack(self.image)
        self.pixels = int(self.image.sum())
        self.edges = canny_edges(self.image[None])[0]
        self.distances = distance_transform(self.edges[None])[0]
        self.scored = 0                     # candidates scored by CD so far

    def iou(self, packed: np.ndarray) -> np.ndarray:
        inter = pixel_count(packed & self.packed)
        union = pixel_count(packed | self.packed)
        return inter / np.maximum(union, 1)

    def chamfer(self, packed: np.ndarray) -> np.ndarray:
        packed = np.asarray(packed, dtype=np.uint64).reshape(-1, packed.shape[-1])
        return np.concatenate([self._chamfer(packed[i:i + CHUNK]) for i in range(0, len(packed), CHUNK)]) \
            if len(packed) else np.zeros(0)

    def _chamfer(self, packed: np.ndarray) -> np.ndarray:
        self.scored += len(packed)
        images = unpack(packed)
        edges = canny_edges(images)
        distances = distance_transform(edges)
        cd = (directed_chamfer(distances, self.edges[None]) + directed_chamfer(self.distances[None], edges)) / 2
        count = pixel_count(packed)
        cd[(count == 0) | (count == images.shape[-1] * images.shape[-2]) | ~edges.any(axis=(1, 2))] = EMPTY_CD
        return cd
