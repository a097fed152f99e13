"""`nesy bench csg --plot FILE.png`: what the run drew, next to what it was asked to draw.

One row per shape (the first `MAX_ROWS` of the run), three 64 x 64 panels: the target, the neural
proposer's own answer (network-only: the beam's program closest to the target, no search) and the
run's final program (guided search when the run had it, else search only). Shapes are black on
white; a panel with nothing to show (no proposer weights, or a program that did not come back) is
mid grey. Each program is drawn again from its postfix text, so the picture shows what the JSON
says, not what search had in memory.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from dsl.core import Task
from dsl.csg import parse_program, render
from dsl.csg.png import write_png
from solvers.csg.front_end import target_of

MAX_ROWS = 16
SIZE, GAP = 64, 4
COLUMNS = ("target", "network-only", "final")
WHITE, BLACK, GREY, LINE = 255, 0, 128, 200


def _panel(image: np.ndarray | None) -> np.ndarray:
    if image is None:
        return np.full((SIZE, SIZE), GREY, dtype=np.uint8)
    return np.where(np.asarray(image, dtype=bool), BLACK, WHITE).astype(np.uint8)


def _drawn(row: Mapping[str, Any] | None) -> np.ndarray | None:
    """The picture of a result row's program (None when the row has none or it does not parse)."""
    text = (row or {}).get("program") or ""
    if not text:
        return None
    try:
        return render(parse_program(text))
    except Exception:          # a row from an interrupted or killed shape: nothing to draw
        return None


def plot_rows(path: Path, tasks: Sequence[Task], rows: Mapping[str, Sequence[Mapping[str, Any]]],
              network_answer: Callable[[np.ndarray], np.ndarray | None] | None = None) -> int:
    """Write the grid for the first `MAX_ROWS` shapes of `tasks`; `rows` maps a solver's label
    ("search-only", "network-only", "guided") to its result rows (by task name). Network-only
    panels come from the run's own rows, else from `network_answer(target)` (None: grey).
    Returns the number of shapes drawn."""
    by_name = {label: {r["task"]: r for r in label_rows} for label, label_rows in rows.items()}
    final = by_name.get("guided") or by_name.get("search-only") or {}
    network = by_name.get("network-only")
    shown = [t for t in tasks if t.name in final][:MAX_ROWS]
    height = len(shown) * (SIZE + GAP) + GAP
    width = len(COLUMNS) * (SIZE + GAP) + GAP
    grid = np.full((height, width), LINE, dtype=np.uint8)
    for r, task in enumerate(shown):
        target = target_of(task).image
        if network is not None:
            proposed = _drawn(network.get(task.name))
        else:
            proposed = network_answer(target) if network_answer is not None else None
        for c, image in enumerate((target, proposed, _drawn(final.get(task.name)))):
            y, x = GAP + r * (SIZE + GAP), GAP + c * (SIZE + GAP)
            grid[y:y + SIZE, x:x + SIZE] = _panel(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(path, grid)
    return len(shown)


def shipped_network_answer() -> Callable[[np.ndarray], np.ndarray | None] | None:
    """The proposer's network-only picture for a target, or None when no weights are shipped."""
    from nesy.csg.guided import SHIPPED_WEIGHTS, network_only

    if not SHIPPED_WEIGHTS.is_file():
        return None
    return lambda target: render(network_only(target).program)
