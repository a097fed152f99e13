"""The CSG proposer: it learns (loss falls on a tiny set), its beam holds only valid postfix
programs, its weights round-trip and damaged ones are one clear error, and its programs seed
search (`--guide both` runs all three solvers)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dsl.csg import parse_program, render
from dsl.csg.tokens import PRIMITIVE_TOKENS, STOP, from_tokens
from dsl.errors import NesyInputError
from nesy.cli import main
from nesy.csg.model import ProposerConfig, ProposerModel, beam_search, load_proposer, save_proposer, valid_next
from nesy.csg.train import TrainConfig, evaluate, pictures, token_rows, train_proposer
from nesy.csg.guided import bench_solvers, guided_shape, network_only, propose
from solvers.csg.search import CsgSearchConfig

ROOT = Path(__file__).resolve().parents[1]
TINY = ProposerConfig(max_tokens=7, channels=(4, 8, 16, 16), feature=64, embed=16, hidden=64)


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("proposer") / "tiny.pt"
    save_proposer(ProposerModel(TINY), {"command": "test"}, path)
    return path


def test_loss_falls_on_a_tiny_set() -> None:
    rows = token_rows(8, seed=3, split="train", lengths=(3, 5))          # 16 programs, learnt by heart
    untrained = evaluate(ProposerModel(TINY), rows)[0]                   # about ln 400 = 6.0
    _, curve = train_proposer(rows, rows, TrainConfig(steps=60, batch=16, learning_rate=1e-2, log_every=20), TINY)
    assert curve[-1]["val_loss"] < 0.4 * untrained
    assert curve[-1]["train_loss"] < curve[0]["train_loss"]


def _depth_after(tokens: list[int]) -> list[int]:
    depth, out = 0, []
    for token in tokens:
        depth += 1 if token < PRIMITIVE_TOKENS else -1
        out.append(depth)
    return out


@pytest.mark.parametrize("max_tokens", [1, 3, 7])
def test_beam_holds_distinct_valid_programs_within_the_length(max_tokens: int) -> None:
    torch.manual_seed(1)
    model = ProposerModel(TINY)
    targets = pictures(token_rows(2, seed=0, split="test", lengths=(5,)))
    for beam in beam_search(model, targets.numpy(), width=6, max_tokens=max_tokens):
        assert len(beam) == 6 and len({tuple(t) for t, _ in beam}) == 6
        scores = [s for _, s in beam]
        assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)
        for tokens, _ in beam:
            assert len(tokens) <= max_tokens and STOP not in tokens
            assert min(_depth_after(tokens)) >= 1 and _depth_after(tokens)[-1] == 1
            assert from_tokens(tokens).size == len(tokens)


def test_beams_of_asked_lengths_hold_exactly_that_many_tokens() -> None:
    torch.manual_seed(2)
    targets = pictures(token_rows(1, seed=0, split="test", lengths=(3, 5, 7))).numpy()
    beams = beam_search(ProposerModel(TINY), targets, width=4, lengths=[9, 1, 5])
    assert [sorted({len(t) for t, _ in beam}) for beam in beams] == [[9], [1], [5]]
    assert all(len(beam) == 4 for beam in beams)


def test_valid_next_allows_exactly_what_can_still_end_as_one_shape() -> None:
    depth = torch.tensor([0, 1, 2, 3])
    allowed = valid_next(depth, left=3)
    assert allowed[:, 0].tolist() == [True, True, True, False]      # a push needs `depth` operators after it
    assert allowed[:, PRIMITIVE_TOKENS].tolist() == [False, False, True, True]
    assert allowed[:, STOP].tolist() == [False, True, False, False]


def test_weights_round_trip(tiny_weights: Path) -> None:
    model, card = load_proposer(tiny_weights)
    assert card == {"command": "test"} and model.config == TINY
    target = render(parse_program("c(32,32,16)s(24,40,12)+"))
    assert propose(target, tiny_weights, width=4) == propose(target, tiny_weights, width=4)
    assert len(propose(target, tiny_weights, width=4)) == 4


def _nan_weights(path: Path, source: Path) -> None:
    blob = torch.load(source, weights_only=True)
    name = next(iter(blob["state_dict"]))
    blob["state_dict"][name] = torch.full_like(blob["state_dict"][name], float("nan"))
    torch.save(blob, path)


def _wrong_shape(path: Path, source: Path) -> None:
    blob = torch.load(source, weights_only=True)
    blob["config"]["hidden"] = 32
    torch.save(blob, path)


@pytest.mark.parametrize("damage, message", [
    (lambda path, source: path.write_bytes(source.read_bytes()[:300]), "not a readable CSG proposer file"),
    (lambda path, source: path.write_bytes(b"not a torch file"), "not a readable CSG proposer file"),
    (lambda path, source: torch.save({"format": "other"}, path), "not a CSG proposer file"),
    (_nan_weights, "NaN or infinite"),
    (_wrong_shape, "damaged CSG proposer weights"),
])
def test_damaged_weights_are_one_clear_line(tmp_path: Path, tiny_weights: Path, damage, message: str) -> None:
    path = tmp_path / "damaged.pt"
    damage(path, tiny_weights)
    with pytest.raises(NesyInputError) as error:
        load_proposer(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_missing_weights_name_the_command(tmp_path: Path) -> None:
    with pytest.raises(NesyInputError, match="nesy train csg"):
        bench_solvers(str(tmp_path / "absent.pt"))


def test_guided_search_answers_within_its_budget_and_network_only_picks_from_the_beam(tiny_weights: Path) -> None:
    target = render(parse_program("s(24,24,16)c(40,40,12)+"))
    config = CsgSearchConfig(seconds=0.4, clock="cpu")
    guided = guided_shape(target, config, tiny_weights)
    assert guided.exact and guided.seconds < 1.0
    alone = network_only(target, config, tiny_weights, width=5, lengths=(3, 5))
    beams = propose(target, tiny_weights, width=5, lengths=(3, 5))
    assert alone.program in beams and [p.size for p in beams] == [3] * 5 + [5] * 5
    np.testing.assert_array_equal(render(parse_program(alone.text)), render(alone.program))


def test_bench_guide_both_runs_three_solvers(tmp_path: Path, tiny_weights: Path) -> None:
    suite = tmp_path / "two.txt"
    suite.write_text("s(24,24,16)c(40,40,12)+\nc(32,32,16)\n")
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, "-m", "nesy", "bench", "csg", "--suite", str(suite), "--timeout", "0.3",
                           "--jobs", "1", "--quiet", "--guide", str(tiny_weights), "--json", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "guided: 2 shapes" in done.stdout
    assert [r["task"] for r in json.loads(out.read_text())["results"]] == ["0", "1"]


def test_guide_choices_name_their_solvers() -> None:
    assert [label for label, _ in bench_solvers("none")] == ["search-only"]
    assert [label for label, _ in bench_solvers("both")] == ["search-only", "network-only", "guided"]   # shipped


def test_train_command_writes_weights_and_card_and_goes_on_from_them(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture) -> None:
    def train(out: Path, *more: str) -> int:
        return main(["train", "csg", "--out", str(out), "--per-length", "2", "--val-per-length", "2", "--steps", "2",
                     *more])

    first, second = tmp_path / "first.pt", tmp_path / "second.pt"
    assert train(first) == 0 and train(second, "--start", str(first), "--seed", "1") == 0
    _, card = load_proposer(second)
    assert card["command"].endswith(f"--seed 1 --start {first}") and card["data"]["train_programs"] == 12
    assert card["first_stage"]["command"].startswith("nesy train csg") and len(card["curve"]) == 1
    assert json.loads(second.with_suffix(".json").read_text()) == card
    assert train(first) == 2 and "--force" in capsys.readouterr().err


def test_plot_draws_target_network_and_final_from_the_rows(tmp_path: Path) -> None:
    from dsl.csg.png import read_png
    from dsl.csg.tasks import read_csg_tasks
    from nesy.csg.plot import BLACK, GAP, GREY, SIZE, plot_rows

    suite = tmp_path / "two.txt"
    suite.write_text("s(24,24,16)c(40,40,12)+\nc(32,32,16)\n")
    tasks = read_csg_tasks(suite)
    rows = {"search-only": [{"task": "0", "program": "s(24,24,16)c(40,40,12)+"}, {"task": "1", "program": ""}]}
    picture = tmp_path / "grid.png"
    assert plot_rows(picture, tasks, rows, network_answer=None) == 2
    grid = read_png(picture)
    assert grid.shape == (2 * (SIZE + GAP) + GAP, 3 * (SIZE + GAP) + GAP)

    def panel(r: int, c: int) -> np.ndarray:
        y, x = GAP + r * (SIZE + GAP), GAP + c * (SIZE + GAP)
        return grid[y:y + SIZE, x:x + SIZE]
    np.testing.assert_array_equal(panel(0, 0) == BLACK, render(parse_program("s(24,24,16)c(40,40,12)+")))
    np.testing.assert_array_equal(panel(0, 2), panel(0, 0))       # the final program draws the target
    assert (panel(0, 1) == GREY).all() and (panel(1, 2) == GREY).all()   # no network, no program


def test_bench_plot_is_refused_outside_csg(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "nesy", "bench", "strings", "--suite",
                           "datasets/strings/spreadsheet.jsonl", "--plot", str(tmp_path / "x.png")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "--plot" in done.stderr
