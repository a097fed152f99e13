"""Lookup-table maps: when the target is a function of a sequence search already has, position
by position, the map is built directly instead of being searched for.

A table learnt from examples is trusted only when it generalises among them: every key must
occur in at least two examples (leave one example out and the table built from the others still
covers it). Otherwise any injective sequence (the length, when each example has its own) would
"explain" any target.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from dsl.rasp.values import Value, identity_key, sort_key

Table = tuple[tuple[tuple[Value, Value], ...], Value]   # (key -> value pairs, default)


def right_on_every_example(run: Any, program: Any) -> bool:
    """Does `program` give the target on every example of the search run? (An op raising counts
    as no: a joined program can run an op outside its domain on an example it was not built on.)"""
    from dsl.core import evaluate

    for env, want in zip(run.envs, run.target):
        try:
            out = evaluate(program, env)
        except Exception:
            return False
        if not same_sequences([out], [want]):
            return False
    return True


def same_sequences(a: Sequence[Sequence[Value]], b: Sequence[Sequence[Value]]) -> bool:
    """Equal per example and position, with True kept apart from 1 (Python's == is not)."""
    return len(a) == len(b) and all(
        len(x) == len(y) and all(identity_key(u) == identity_key(v) for u, v in zip(x, y)) for x, y in zip(a, b))


def lookup_table(source: Sequence[Sequence[Value]], wanted: Sequence[Sequence[Value | None]],
                 constrained: Sequence[Sequence[bool]] | None = None) -> Table | None:
    """The table `source[e][i] -> wanted[e][i]` over the constrained positions (all by default),
    or None when it is no function, maps a None key to a value (RASP maps None to None), has a
    key seen in one example only, or is the identity (the source itself is the answer)."""
    table: dict[tuple, tuple[Value, Value]] = {}
    seen_in: dict[tuple, set[int]] = {}
    for example, (keys, values) in enumerate(zip(source, wanted)):
        for position, (key, value) in enumerate(zip(keys, values)):
            if constrained is not None and not constrained[example][position]:
                continue
            if key is None:
                if value is not None:
                    return None
                continue
            k = identity_key(key)
            earlier = table.get(k)
            if earlier is None:
                table[k] = (key, value)
            elif identity_key(earlier[1]) != identity_key(value):
                return None
            seen_in.setdefault(k, set()).add(example)
    if not table or any(len(examples) < 2 for examples in seen_in.values()):
        return None
    pairs = tuple(sorted(table.values(), key=lambda kv: sort_key(kv[0])))
    if all(identity_key(k) == identity_key(v) for k, v in pairs):
        return None
    counts = Counter(identity_key(v) for _, v in pairs)
    by_key = {identity_key(v): v for _, v in pairs}
    default = min((by_key[k] for k, c in counts.items() if c == max(counts.values())), key=sort_key)
    return tuple((k, v) for k, v in pairs if identity_key(v) != identity_key(default)), default
