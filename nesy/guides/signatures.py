"""Property signatures (BUSTLE, Odena et al. 2021): what a neural guide sees of a value and a task.

A value is judged by how it relates to the task's examples: for each example, a fixed list of
Boolean properties of (value, inputs, output) ("value is a substring of the output", "value is a
valid index into input 1"...). Over the examples each property is pooled into three bits, *all
true / all false / mixed*, so the signature has a fixed width whatever the number of examples,
and a property that cannot apply (a missing input, another type) leaves its three bits at zero.

Properties exist for the plain value types (String, Int, Bool), so any DSL whose values are those
types gets signatures; the op vocabulary a signature mentions (the value's root op) is given by
the caller, so the code names no op of any DSL. Everything here runs in search's inner loop once
per new value: plain Python, no allocations beyond one row per value.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from dsl.core import BOOL, INT, STRING, Const, Op, Program, Task, Type

MAX_INPUTS = 3              # input slots a signature describes; later inputs are ignored
VALUE_TYPES: tuple[Type, ...] = (STRING, INT, BOOL)
SIZE_BUCKETS = (1, 2, 3, 4, 6, 9)   # program size >= bucket -> bit on (thermometer code)

# Property counts per (value type, partner); each becomes 3 pooled bits.
_STR_VS_STR_OUT = 11
_STR_VS_INT_OUT = 2
_STR_ALONE = 6
_STR_VS_STR_IN = 6
_STR_VS_INT_IN = 1
_INT_VS_STR_OUT = 3
_INT_VS_INT_OUT = 3
_INT_ALONE = 3
_INT_VS_STR_IN = 2
_INT_VS_INT_IN = 1
_BOOL_ALONE = 1

_STRING_PROPS = _STR_VS_STR_OUT + _STR_VS_INT_OUT + _STR_ALONE + MAX_INPUTS * (_STR_VS_STR_IN + _STR_VS_INT_IN)
_INT_PROPS = _INT_VS_STR_OUT + _INT_VS_INT_OUT + _INT_ALONE + MAX_INPUTS * (_INT_VS_STR_IN + _INT_VS_INT_IN)
POOLED_PROPERTIES = _STRING_PROPS + _INT_PROPS + _BOOL_ALONE


class _StringRows:
    """Per-example properties of string values, with everything about the example precomputed
    (this runs once per new value and example: the guide's hot loop). -1 marks 'does not apply'."""

    def __init__(self, inputs: Sequence[Any], out: Any) -> None:
        self.out = out if isinstance(out, str) else None
        self.out_lower = out.lower() if isinstance(out, str) else ""
        self.out_strip = out.strip() if isinstance(out, str) else ""
        self.out_text = str(out) if isinstance(out, int) and self.out is None else ""
        self.template = [-1] * _STRING_PROPS
        self.string_inputs: list[tuple[int, str, int]] = []
        self.int_inputs: list[tuple[int, str]] = []
        base = _STR_VS_STR_OUT + _STR_VS_INT_OUT + _STR_ALONE
        for slot in range(min(MAX_INPUTS, len(inputs))):
            x = inputs[slot]
            at = base + slot * (_STR_VS_STR_IN + _STR_VS_INT_IN)
            if isinstance(x, str):
                self.string_inputs.append((at, x, len(x)))
            elif isinstance(x, int) and not isinstance(x, bool):
                self.int_inputs.append((at + _STR_VS_STR_IN, str(x)))

    def row(self, v: str) -> list[int]:
        row = self.template[:]
        out, lv = self.out, len(v)
        if out is not None:
            lo = len(out)
            inside = v in out
            vl = v.lower()
            row[0:_STR_VS_STR_OUT] = [v == out, inside, out.startswith(v), out.endswith(v), out in v, lv < lo,
                                      lv == lo, vl in self.out_lower, vl == self.out_lower,
                                      inside and lv > 0 and lv * 2 >= lo, v == self.out_strip]
        else:
            text = self.out_text
            row[_STR_VS_STR_OUT:_STR_VS_STR_OUT + 2] = [v == text, lv > 0 and v in text]
        at = _STR_VS_STR_OUT + _STR_VS_INT_OUT
        row[at:at + _STR_ALONE] = [lv == 0, lv == 1, v.isupper(), v.islower(), v.isdigit(), " " in v]
        for at, x, lx in self.string_inputs:
            row[at:at + _STR_VS_STR_IN] = [v == x, v in x, x in v, x.startswith(v), x.endswith(v), lv < lx]
        for at, text in self.int_inputs:
            row[at] = v == text
        return row


def _int_row(v: int, inputs: Sequence[Any], out: Any) -> list[int]:
    """Per-example properties of an integer value; -1 marks 'does not apply'."""
    if isinstance(out, str):
        row = [v == len(out), 0 <= v <= len(out), v >= 0 and str(v) in out] + [-1] * _INT_VS_INT_OUT
    elif isinstance(out, int):
        row = [-1] * _INT_VS_STR_OUT + [v == out, v < out, v == -out]
    else:
        row = [-1] * (_INT_VS_STR_OUT + _INT_VS_INT_OUT)
    row += [v == 0, v < 0, v == 1]
    for slot in range(MAX_INPUTS):
        x = inputs[slot] if slot < len(inputs) else None
        if isinstance(x, str):
            row += [0 <= v < len(x), v == len(x), -1]
        elif isinstance(x, int) and not isinstance(x, bool):
            row += [-1, -1, v == x]
        else:
            row += [-1, -1, -1]
    return row


def _pool(rows: Sequence[Sequence[int]], values: int, into: np.ndarray, offset: int) -> None:
    """Pool per-example rows (`values` x examples of them, value-major) into all-true / all-false /
    mixed bits of each property, written into `into[:, offset:]` (3 bits per property)."""
    table = np.asarray(rows, dtype=np.int8).reshape(values, len(rows) // max(1, values), -1)
    any_true = (table == 1).any(axis=1)          # (values, properties)
    any_false = (table == 0).any(axis=1)
    width = table.shape[2]
    block = np.empty((values, width, 3), dtype=into.dtype)
    block[:, :, 0] = any_true & ~any_false
    block[:, :, 1] = any_false & ~any_true
    block[:, :, 2] = any_true & any_false
    into[:, offset:offset + 3 * width] = block.reshape(values, 3 * width)


class SignatureEncoder:
    """Turns values (and whole tasks) into fixed-width float rows.

    `ops` is the op vocabulary (the DSL's ops, in a fixed order stored with the weights): a value's
    root op is one-hot coded, so the model can learn e.g. that a lone `int.to.str` of a length is
    rarely useful.

    Example:
        >>> from dsl.core import STRING, Program
        >>> from dsl.strings import STRINGS
        >>> from nesy.api import as_task
        >>> encoder = SignatureEncoder([op.signature for op in STRINGS.ops])
        >>> rows = encoder.encode_values(as_task([("ab", "b")]), STRING, [("ab",)], [Program.var("x0", STRING)])
        >>> len(rows[0]) == encoder.value_width
        True
    """

    def __init__(self, op_signatures: Sequence[str]) -> None:
        self.op_signatures = list(op_signatures)
        self._op_index = {sig: i for i, sig in enumerate(self.op_signatures)}
        self._pooled = 3 * POOLED_PROPERTIES
        self._types = len(VALUE_TYPES)
        self._sizes = len(SIZE_BUCKETS)
        # pooled properties, type one-hot, size thermometer, leaf kind / constant child, root op
        self.value_width = self._pooled + self._types + self._sizes + 1 + len(self.op_signatures)
        # each input as a value, the output as a value, the output type
        self.task_width = (MAX_INPUTS + 1) * self._pooled + self._types

    def _properties(self, type_: Type, vectors: Sequence[Sequence[Any]], inputs: Sequence[Sequence[Any]],
                    outputs: Sequence[Any], into: np.ndarray) -> None:
        """Pooled properties of each vector (one per row of `into`)."""
        pairs = list(zip(inputs, outputs))
        if type_ == STRING:
            builders = [_StringRows(xs, o).row for xs, o in pairs]
            rows = [row(v) for vector in vectors for v, row in zip(vector, builders)]
            _pool(rows, len(vectors), into, 0)
        elif type_ == INT:
            rows = [_int_row(v, xs, o) for vector in vectors for v, (xs, o) in zip(vector, pairs)]
            _pool(rows, len(vectors), into, 3 * _STRING_PROPS)
        elif type_ == BOOL:
            rows = [[bool(v)] for vector in vectors for v in vector[:len(pairs)]]
            _pool(rows, len(vectors), into, 3 * (_STRING_PROPS + _INT_PROPS))

    def _type_bit(self, type_: Type) -> int:
        return VALUE_TYPES.index(type_) if type_ in VALUE_TYPES else -1

    def encode_values(self, task: Task, type_: Type, vectors: Sequence[Sequence[Any]],
                      programs: Sequence[Program], examples: int | None = None) -> np.ndarray:
        """(values, value_width) float32. The vectors are outputs on `task.examples` (or on its
        first `examples` examples, when the caller passes longer vectors)."""
        count = len(task.examples) if examples is None else examples
        inputs = [e.inputs for e in task.examples[:count]]
        outputs = [e.output for e in task.examples[:count]]
        rows = np.zeros((len(vectors), self.value_width), dtype=np.float32)
        if not len(vectors):
            return rows
        self._properties(type_, [v[:count] for v in vectors] if examples is not None else vectors,
                         inputs, outputs, rows)
        at = self._pooled
        type_bit = self._type_bit(type_)
        if type_bit >= 0:
            rows[:, at + type_bit] = 1.0
        at += self._types
        sizes = np.fromiter((p.size for p in programs), dtype=np.int32, count=len(programs))
        rows[:, at:at + self._sizes] = sizes[:, None] >= np.asarray(SIZE_BUCKETS)[None, :]
        at += self._sizes
        op_index = self._op_index
        for i, program in enumerate(programs):
            head = program.head
            if isinstance(head, Op):
                index = op_index.get(head.signature)
                if index is not None:
                    rows[i, at + 1 + index] = 1.0
                rows[i, at] = any(isinstance(c.head, Const) for c in program.children)
            else:
                rows[i, at] = 1.0 if isinstance(head, Const) else 0.5
        return rows

    def encode_task(self, task: Task, examples: int | None = None) -> np.ndarray:
        """The task seen before search: each input column and the output column as values."""
        count = len(task.examples) if examples is None else examples
        chosen = task.examples[:count]
        inputs = [e.inputs for e in chosen]
        outputs = [e.output for e in chosen]
        row = np.zeros(self.task_width, dtype=np.float32)
        columns: list[tuple[Type, list[Any]]] = [(v.type, [e.inputs[i] for e in chosen])
                                                 for i, v in enumerate(task.inputs[:MAX_INPUTS])]
        columns += [(STRING, [""] * len(chosen))] * (MAX_INPUTS - len(columns))
        columns.append((task.output_type, outputs))
        for slot, (type_, column) in enumerate(columns):
            block = np.zeros((1, self._pooled), dtype=np.float32)
            if slot < len(task.inputs) or slot == MAX_INPUTS:
                self._properties(type_, [column], inputs, outputs, block)
            row[slot * self._pooled:(slot + 1) * self._pooled] = block[0]
        bit = self._type_bit(task.output_type)
        if bit >= 0:
            row[(MAX_INPUTS + 1) * self._pooled + bit] = 1.0
        return row
