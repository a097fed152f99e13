"""Search-only CSG synthesis: exact recovery of short programs, improvement by refinement, the
context-picture edits equal redrawing, every answer scored again, and the command line."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dsl.csg import parse_program, render
from dsl.csg.generator import generate
from dsl.csg.metrics import chamfer, iou
from dsl.csg.png import write_png
from dsl.csg.render import render_packed
from dsl.csg.syntax import print_postfix
from dsl.errors import NesyInputError
from solvers.csg.beam import score_candidates
from solvers.csg.edits import FULL, Place, places, replace_at
from solvers.csg.objective import Objective, TargetScorer
from solvers.csg.pool import build_pool
from solvers.csg.refine import grid_neighbours, refine
from solvers.csg.search import CsgSearchConfig, synthesize_shape
from solvers.search.result import Status

ROOT = Path(__file__).resolve().parents[1]
QUICK = CsgSearchConfig(seconds=0.6, clock="cpu")


@pytest.mark.parametrize("text", ["c(32,32,16)", "s(24,24,16)c(40,40,12)+", "s(32,32,24)c(32,32,12)-",
                                  "s(24,32,24)s(40,32,24)*t(32,16,8)+"])
def test_short_programs_are_recovered_exactly(text: str) -> None:
    target = render(parse_program(text))
    answer = synthesize_shape(target, QUICK)
    assert answer.exact and answer.cd == 0.0
    np.testing.assert_array_equal(render(parse_program(answer.text)), target)
    assert answer.tokens <= parse_program(text).size


def test_the_answer_is_scored_again_from_its_text() -> None:
    target = render(parse_program("c(24,24,16)s(40,40,16)+t(32,48,12)-c(16,48,8)+s(48,16,8)+"))
    target[30:34, 5:60] ^= True                          # not drawable on CSGNet's grid
    answer = synthesize_shape(target, QUICK)
    picture = render(parse_program(answer.text))
    assert answer.iou == pytest.approx(iou(picture, target)) and answer.cd == pytest.approx(chamfer(picture, target))
    assert 0.5 < answer.iou < 1.0 and answer.tokens <= QUICK.max_tokens


def test_context_pictures_equal_redrawing_the_edited_program() -> None:
    program = parse_program("s(24,32,24)c(40,32,16)-t(32,24,12)s(32,32,8)-*c(16,16,8)+")
    replacement = parse_program("c(32,40,12)")
    for path, sub in places(program):
        place = Place.of(program, path, sub)
        edited = replace_at(program, path, replacement)
        np.testing.assert_array_equal(place.pictures(render_packed(replacement)[None])[0], render_packed(edited))
        assert place.when_full.shape == FULL.shape


def test_refinement_never_makes_the_objective_worse() -> None:
    target = render(parse_program("s(24,32,24)s(40,32,24)*t(32,16,8)+c(48,48,8)+"))
    scorer, objective = TargetScorer(target), Objective()
    pool = build_pool(scorer, 300)
    start_program = parse_program("s(24,32,24)t(32,16,16)+")
    (start,) = score_candidates(scorer, objective, [start_program], render_packed(start_program)[None])
    refined, _ = refine(start, scorer, pool, objective, 25, time.process_time() + 1.0, time.process_time)
    assert refined.score < start.score
    assert refined.cd == pytest.approx(chamfer(render(refined.program), target))


def test_grid_neighbours_stay_in_the_vocabulary() -> None:
    corner = grid_neighbours(parse_program("s(56,56,8)").head.value)
    assert sorted(map(str, corner)) == ["s(48,56,8)", "s(56,48,8)", "t(56,56,8)"]
    assert all(p.in_vocabulary for p in grid_neighbours(parse_program("c(32,32,16)").head.value))


def test_bad_targets_and_budgets_are_refused() -> None:
    with pytest.raises(NesyInputError, match="empty"):
        synthesize_shape(np.zeros((64, 64), bool), QUICK)
    with pytest.raises(NesyInputError, match="clock"):
        CsgSearchConfig(clock="sundial")


def _nesy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nesy", *args], capture_output=True, text=True, cwd=ROOT)


def test_synth_reads_a_png_and_prints_the_postfix_program(tmp_path: Path) -> None:
    write_png(tmp_path / "shape.png", render(parse_program("s(24,24,16)c(40,40,12)+")))
    done = _nesy("synth", "--dsl", "csg", str(tmp_path / "shape.png"), "--timeout", "2", "--guide", "none",
                 "--json", str(tmp_path / "out.json"))
    assert done.returncode == 0, done.stderr
    (result,) = json.loads((tmp_path / "out.json").read_text())["results"]
    assert result["status"] == str(Status.SOLVED)
    np.testing.assert_array_equal(render(parse_program(result["program"])), render(parse_program("s(24,24,16)c(40,40,12)+")))


def test_bench_writes_a_table_and_json_for_csgnets_scorer(tmp_path: Path) -> None:
    suite = tmp_path / "targets.txt"
    suite.write_text("\n".join(print_postfix(p) for p in generate(3, 2, seed=4)) + "\n")
    done = _nesy("bench", "csg", "--suite", str(suite), "--timeout", "0.5", "--jobs", "2", "--quiet",
                 "--json", str(tmp_path / "bench.json"))
    assert done.returncode == 0, done.stderr
    assert "mean CD" in done.stdout and "targets of 3 tokens" in done.stdout
    rows = json.loads((tmp_path / "bench.json").read_text())["results"]
    assert [r["task"] for r in rows] == ["0", "1"]
    for row in rows:
        assert {"task", "program", "iou", "cd", "seconds", "tokens"} <= row.keys()
        assert row["iou"] == pytest.approx(iou(render(parse_program(row["program"])),
                                               render(parse_program(row["target_program"]))))


def test_bad_picture_on_the_command_line_is_one_line_with_status_2(tmp_path: Path) -> None:
    write_png(tmp_path / "blank.png", np.zeros((64, 64), bool))
    done = _nesy("synth", "--dsl", "csg", str(tmp_path / "blank.png"), "--guide", "none")
    assert done.returncode == 2
    assert "empty" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_off_grid_refinement_moves_by_pixels_and_prints_back() -> None:
    moves = {str(p) for p in grid_neighbours(parse_program("s(32,32,16)").head.value, off_grid=True)}
    assert {"s(33,32,16)", "s(32,30,16)", "s(32,32,20)", "s(40,32,16)", "c(32,32,16)"} <= moves
    target = render(parse_program("s(24,24,16)c(40,40,12)+"))
    target = np.roll(target, 3, axis=1)                     # 3 pixels right: off the grid of 8
    answer = synthesize_shape(target, CsgSearchConfig(seconds=1.0, clock="cpu", off_grid=True))
    assert answer.iou > synthesize_shape(target, QUICK).iou
    np.testing.assert_array_equal(render(parse_program(answer.text)), render(answer.program))
