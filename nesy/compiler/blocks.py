"""Stage 4: weights. Each attention head and each MLP is built from its graph node alone, as
plain matrices over the residual directions.

Attention scores are `BETA * (number of conjuncts that hold)`; a head selects the keys where all
hold. The BOS key scores a half step below that (aggregate: it wins only when nothing is
selected, and its value is 0 = the default) or level with it (selector_width: it always takes a
1/(w+1) share). A BOS query attends to BOS alone, so nothing is ever written at BOS and every
MLP is switched off there: BOS stays a clean key and value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsl.rasp import ir
from dsl.rasp.values import as_number, identity_key
from nesy.compiler.analysis import relation_matrix
from nesy.compiler.graph import NO_VALUE, AggregateHead, CNode, FusedMap, WidthHead
from nesy.compiler.plans import AffinePlan, LinearRow, LookupPlan, StepPlan, affine_form
from nesy.compiler.residual import BOS, ONE, Cleanup, Direction, Feature, ResidualSpace

BETA = 100.0          # score scale: a half step (50) leaves unselected keys e^-50 of the weight
AFFINE_BOS_GATE = 10.0


@dataclass
class HeadWeights:
    name: str
    w_q: np.ndarray   # [d_model, d_qk]
    w_k: np.ndarray   # [d_model, d_qk]
    w_v: np.ndarray   # [d_model, d_v]
    w_o: np.ndarray   # [d_v, d_model]


@dataclass
class MlpWeights:
    names: list[str]
    w_in: np.ndarray   # [d_model, hidden]
    b_in: np.ndarray   # [hidden]
    w_out: np.ndarray  # [hidden, d_model]


def _add(column: np.ndarray, feature: Feature, scale=1.0) -> None:
    """column += scale * feature; `scale` may be an exact rational of a plan (weights are floats)."""
    scale = float(scale)
    for index, coefficient in feature.items():
        column[index] += scale * coefficient


# attention

def build_head(node: AggregateHead | WidthHead, space: ResidualSpace) -> HeadWeights:
    d = space.width
    key_blocks, query_blocks = [], []
    for term in node.terms:
        matrix = relation_matrix(term).astype(float)                     # [query values, key values]
        keys = _features(space, term.key.leaf, term.key.leaf_values())   # [d, key values]
        queries = _features(space, term.query.leaf, term.query.leaf_values()) @ matrix * BETA
        used = queries.any(axis=0)                                        # keys no query selects: no column
        key_blocks.append(keys[:, used])
        query_blocks.append(queries[:, used])
    n_terms = len(node.terms)
    bos_key, bos_query = np.zeros(d), np.zeros(d)
    bos_key[space.of(BOS)] = 1.0
    bos_share = n_terms if isinstance(node, WidthHead) else n_terms - 0.5
    bos_query[space.of(ONE)] = BETA * bos_share
    bos_query[space.of(BOS)] = BETA * (n_terms + 2)
    w_v, w_o = _values(node, space)
    w_q = np.concatenate([*query_blocks, bos_query[:, None]], axis=1)
    w_k = np.concatenate([*key_blocks, bos_key[:, None]], axis=1)
    return HeadWeights(node.label, w_q, w_k, w_v, w_o)


def _features(space: ResidualSpace, leaf: CNode | None, values) -> np.ndarray:
    """One column per value: the residual feature that is 1 where `leaf` holds it."""
    columns = np.zeros((space.width, len(values)))
    for i, value in enumerate(values):
        _add(columns[:, i], space.indicator(leaf, value))
    return columns


def _values(node: AggregateHead | WidthHead, space: ResidualSpace) -> tuple[np.ndarray, np.ndarray]:
    d = space.width
    if isinstance(node, WidthHead):
        w_v, w_o = np.zeros((d, 1)), np.zeros((1, d))
        w_v[space.of(BOS), 0] = 1.0
        w_o[0, space.of(Direction(node.label))] = 1.0
        return w_v, w_o
    view = node.value_view
    if node.encoding == ir.NUMERICAL:
        w_v, w_o = np.zeros((d, 1)), np.zeros((1, d))
        w_o[0, space.of(Direction(node.label))] = 1.0
        if view.leaf is not None and view.leaf.encoding == ir.NUMERICAL:
            coefficients, constant = affine_form(view.body, {0}, set())
            _add(w_v[:, 0], space.numeric(view.leaf), coefficients.get(0, 0.0))
            _add(w_v[:, 0], space.indicator(None, None), constant)
        else:
            for leaf_value in view.leaf_values():
                _add(w_v[:, 0], space.indicator(view.leaf, leaf_value), as_number(view.apply(leaf_value)))
        return w_v, w_o
    outputs = list(node.explicit_values)
    position = {identity_key(v): i for i, v in enumerate(outputs)}
    w_v, w_o = np.zeros((d, len(outputs))), np.zeros((len(outputs), d))
    for i, value in enumerate(outputs):
        w_o[i, space.of(Direction(node.label, value, True))] = 1.0
    for leaf_value in view.leaf_values():
        out = view.apply(leaf_value)
        if identity_key(out) in position:
            _add(w_v[:, position[identity_key(out)]], space.indicator(view.leaf, leaf_value))
    return w_v, w_o


# MLPs

class _Units:
    """Hidden units being collected for one MLP sublayer."""

    def __init__(self, space: ResidualSpace) -> None:
        self.space = space
        self.w_in: list[np.ndarray] = []
        self.b_in: list[float] = []
        self.w_out: list[np.ndarray] = []

    def add(self, feature: np.ndarray, bias: float, output: np.ndarray) -> None:
        self.w_in.append(feature)
        self.b_in.append(bias)
        self.w_out.append(output)


def _output(node: FusedMap, space: ResidualSpace, value, scale: float = 1.0) -> np.ndarray:
    out = np.zeros(space.width)
    if node.encoding == ir.NUMERICAL:
        out[space.of(Direction(node.label))] = scale * as_number(value)
    elif node.implicit is NO_VALUE or identity_key(value) != identity_key(node.implicit):
        out[space.of(Direction(node.label, value, True))] = scale
    return out


def _combo_feature(node: FusedMap, leaves: tuple[int, ...], combo, space: ResidualSpace) -> np.ndarray:
    feature = np.zeros(space.width)
    for position, value in zip(leaves, combo):
        _add(feature, space.indicator(node.leaves[position], value))
    return feature


def _lookup_units(node: FusedMap, plan: LookupPlan, units: _Units, gate: float) -> None:
    space = units.space
    k = len(plan.leaves)
    for combo, out in plan.rows:
        output = _output(node, space, out)
        if not output.any():
            continue
        feature = _combo_feature(node, plan.leaves, combo, space)
        feature[space.of(BOS)] -= gate
        units.add(feature, 1.0 - k, output)


def _step_units(node: FusedMap, plan: StepPlan, units: _Units) -> None:
    space = units.space
    k = len(plan.leaves)
    z = np.zeros(space.width)
    for position, coefficient in plan.coefficients.items():
        _add(z, space.numeric(node.leaves[position]), coefficient)
    z_bound = float(sum(abs(c) for c in plan.coefficients.values()) + abs(plan.constant))
    z_min, z_max, constant = float(plan.z_min), float(plan.z_max), float(plan.constant)
    for row in plan.rows:
        combo = _combo_feature(node, plan.leaves, row.combo, space)
        if isinstance(row, LinearRow):
            _linear_units(node, plan, row, combo, z, z_bound, units)
            continue
        base_out = _output(node, space, row.base)
        if base_out.any():
            feature = combo.copy()
            feature[space.of(BOS)] -= 1.0 + k
            units.add(feature, 1.0 - k, base_out)
        for step in row.steps:
            threshold = float(step.threshold)
            scale = 1.0 / (2.0 * float(step.half_width))
            reach = max(abs(z_min - threshold), abs(z_max - threshold)) * scale + 2.0
            bos_reach = (z_bound + abs(threshold)) * scale + reach + 2.0
            feature = z * scale + combo * reach
            feature[space.of(BOS)] -= bos_reach
            bias = (constant - threshold) * scale - reach * k
            delta = _output(node, space, step.after) - _output(node, space, step.before)
            units.add(feature, bias + 0.5, delta)
            units.add(feature, bias - 0.5, -delta)


def _linear_units(node: FusedMap, plan: StepPlan, row: LinearRow, combo: np.ndarray, z: np.ndarray,
                  z_bound: float, units: _Units) -> None:
    """slope * z + intercept where the combination holds: relu(z + gate) - relu(-z + gate), with
    the gate 0 when it holds and below -|z| otherwise (and at BOS)."""
    space, k = units.space, len(plan.leaves)
    reach = max(abs(float(plan.z_min)), abs(float(plan.z_max)), z_bound) + 1.0
    for sign in (1.0, -1.0):
        feature = sign * z + combo * reach
        feature[space.of(BOS)] -= reach
        units.add(feature, sign * float(plan.constant) - reach * k, _output(node, space, float(row.slope) * sign))
    if row.intercept:
        feature = combo.copy()
        feature[space.of(BOS)] -= 1.0 + k
        units.add(feature, 1.0 - k, _output(node, space, row.intercept))


def _affine_units(node: FusedMap, plan: AffinePlan, units: _Units) -> None:
    space = units.space
    target = space.of(Direction(node.label))
    for position, coefficient in plan.coefficients.items():
        for sign in (1.0, -1.0):
            feature = np.zeros(space.width)
            _add(feature, space.numeric(node.leaves[position]), sign)
            feature[space.of(BOS)] -= AFFINE_BOS_GATE
            output = np.zeros(space.width)
            output[target] = sign * float(coefficient)
            units.add(feature, 0.0, output)
    if plan.constant:
        feature = np.zeros(space.width)
        feature[space.of(BOS)] -= AFFINE_BOS_GATE
        output = np.zeros(space.width)
        output[target] = float(plan.constant)
        units.add(feature, 1.0, output)


def _cleanup_units(cleanups: list[Cleanup], units: _Units) -> None:
    """Cancel recycled dimensions: relu(x) - relu(-x) = x, subtracted (at BOS too)."""
    for cleanup in cleanups:
        for sign in ((1.0, -1.0) if cleanup.numerical else (1.0,)):
            feature, output = np.zeros(units.space.width), np.zeros(units.space.width)
            feature[cleanup.dim] = sign
            output[cleanup.dim] = -sign
            units.add(feature, 0.0, output)


def build_mlp(nodes: list[FusedMap], space: ResidualSpace, cleanups: list[Cleanup] = ()) -> MlpWeights:
    """One MLP sublayer: the hidden units of every map allocated to it, side by side."""
    units = _Units(space)
    _cleanup_units(list(cleanups), units)
    for node in nodes:
        plan = node.plan
        if isinstance(plan, LookupPlan):
            _lookup_units(node, plan, units, gate=1.0 + len(plan.leaves))
        elif isinstance(plan, StepPlan):
            _step_units(node, plan, units)
        else:
            _affine_units(node, plan, units)
    d = space.width
    if not units.w_in:
        return MlpWeights([n.label for n in nodes], np.zeros((d, 0)), np.zeros(0), np.zeros((0, d)))
    return MlpWeights([n.label for n in nodes], np.stack(units.w_in, 1), np.array(units.b_in),
                      np.stack(units.w_out, 0))


def is_head(node: CNode) -> bool:
    return isinstance(node, (AggregateHead, WidthHead))


__all__ = ["HeadWeights", "MlpWeights", "build_head", "build_mlp", "is_head"]
