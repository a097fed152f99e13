"""Neural induction (nesy.induction): the models' shapes and addressing, that each model learns on a
tiny set, that the symbolic checkers catch planted wrong outputs, exact optima, files, bad input."""
from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
import torch

from dsl.errors import NesyInputError
from nesy.induction import checkers, tasks
from nesy.induction.ntm import NTM, NTMConfig, address
from nesy.induction.pointer import PointerConfig, PointerNet


# --- NTM ---------------------------------------------------------------------------------------

def test_ntm_shapes_and_weightings_are_distributions() -> None:
    ntm = NTM(NTMConfig(input_size=9, output_size=8, memory_rows=16, memory_width=5))
    logits, trace = ntm(torch.rand(3, 7, 9), trace=True)
    assert logits.shape == (3, 7, 8)
    for weights in trace.values():
        assert weights.shape == (3, 7, 16)
        assert torch.allclose(weights.sum(-1), torch.ones(3, 7), atol=1e-5)
        assert (weights >= 0).all()


def test_location_addressing_shifts_a_focused_weighting_by_one() -> None:
    previous = torch.zeros(1, 6)
    previous[0, 2] = 1.0
    memory = torch.rand(1, 6, 4)
    weights = address(torch.rand(1, 4), torch.ones(1, 1), torch.zeros(1, 1),   # gate 0: location only
                      torch.tensor([[0.0, 0.0, 1.0]]), torch.ones(1, 1), previous, memory)
    assert int(weights.argmax()) == 3 and float(weights[0, 3]) > 0.999
    wrapped = address(torch.rand(1, 4), torch.ones(1, 1), torch.zeros(1, 1), torch.tensor([[1.0, 0.0, 0.0]]),
                      torch.ones(1, 1), torch.eye(6)[:1], memory)
    assert int(wrapped.argmax()) == 5          # circular: row 0 shifted by -1 is the last row


def test_content_addressing_finds_the_matching_row() -> None:
    memory = torch.eye(5).unsqueeze(0)                                       # 1 x 5 x 5
    weights = address(memory[:, 3], torch.full((1, 1), 50.0), torch.ones(1, 1), torch.tensor([[0.0, 1.0, 0.0]]),
                      torch.ones(1, 1), torch.full((1, 5), 0.2), memory)
    assert int(weights.argmax()) == 3 and float(weights[0, 3]) > 0.99


def test_ntm_start_state_constant_memory_and_closed_gates() -> None:
    ntm = NTM(NTMConfig(memory_rows=8, memory_width=4))
    assert torch.equal(ntm.initial_memory, torch.full((8, 4), 1e-6))
    gates = ntm.heads.bias[[h * ntm.head_size + 4 + 1 for h in range(2)]]     # one read head, one write head
    assert torch.equal(gates, torch.full((2,), -3.0))
    torch.manual_seed(0)
    plain = NTM(NTMConfig(memory_rows=8, memory_width=4, forward_bias=0.0))
    torch.manual_seed(0)
    moved = NTM(NTMConfig(memory_rows=8, memory_width=4, forward_bias=2.0))
    difference = (moved.heads.bias - plain.heads.bias).detach()
    write_plus_one = 1 * moved.head_size + 4 + 2 + 2          # the write head's block, shift logits -1, 0, +1
    assert difference[write_plus_one] == 2.0 and torch.count_nonzero(difference) == 1   # read head: still
    assert NTM(NTMConfig(memory_rows=8, memory_width=4, memory_init="rows")).initial_memory.std() > 0
    with pytest.raises(ValueError, match="memory_init"):
        NTM(NTMConfig(memory_init="random"))


def test_ntm_clipping_bounds_the_logits() -> None:
    ntm = NTM(NTMConfig(input_size=9, output_size=8, memory_rows=8, memory_width=4, clip_value=0.5))
    with torch.no_grad():
        ntm.output.bias.fill_(100.0)
    assert float(ntm(torch.rand(2, 3, 9)).detach().max()) <= 0.5


def test_ntm_loss_falls_on_a_tiny_copy_set() -> None:
    from nesy.induction.train import NTMTrainConfig, train_ntm
    config = NTMTrainConfig(batch=4, max_sequences=240, max_length=2, curriculum=False, eval_every=1000,
                            model=NTMConfig(controller_size=16, memory_rows=8, memory_width=4))
    _, record = train_ntm(config)
    losses = [p["loss"] for p in record["curve"]]
    assert np.mean(losses[-10:]) < np.mean(losses[:10])
    assert record["sequences"] == 240


# --- Pointer Network ---------------------------------------------------------------------------

def test_pointer_masks_make_greedy_answers_permutations() -> None:
    net = PointerNet(PointerConfig(input_size=1, hidden=8, permutation=True))
    out = net.decode(torch.rand(4, 6, 1))
    for row in out.tolist():
        assert sorted(row[:6]) == [1, 2, 3, 4, 5, 6] and row[6] == 0


def test_pointer_loss_falls_on_a_tiny_sort_set() -> None:
    from nesy.induction.train import PointerTrainConfig, train_pointer
    _, record = train_pointer(PointerTrainConfig(task="sort", sizes=(5,), steps=40, batch=32, hidden=32, eval_every=40, learning_rate=5e-3,
                                                 eval_instances=20))
    losses = [p["loss"] for p in record["curve"]]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


# --- tasks and exact answers ---------------------------------------------------------------------

def test_copy_task_layout() -> None:
    batch = tasks.copy_batch(np.random.default_rng(1), 2, 4)
    assert batch.inputs.shape == (2, 9, 9) and batch.output_start == 5
    assert (batch.inputs[:, 4, 8] == 1).all() and (batch.inputs[:, :4, :8] == batch.targets).all()


def test_held_karp_equals_brute_force() -> None:
    batch = tasks.tsp_batch(np.random.default_rng(2), 5, 7)
    _, best = tasks.optimal_tours(batch.exact)
    for points, length in zip(batch.exact, best):
        brute = min(tasks.tour_lengths(points[None], np.array([[0, *p]]))[0]
                    for p in itertools.permutations(range(1, 7)))
        assert abs(brute - length) < 1e-9


def test_generated_hulls_pass_the_independent_checker() -> None:
    batch = tasks.hull_batch(np.random.default_rng(3), 40, 12)
    for points, target in zip(batch.exact, batch.targets):
        assert checkers.check_hull(points, [int(t) for t in target if t > 0]).ok


# --- checkers catch planted wrong outputs ----------------------------------------------------------

def test_checkers_catch_planted_errors() -> None:
    assert not checkers.check_sort([0.5, 0.1, 0.9], [2, 3, 1]).ok
    assert not checkers.check_sort([0.5, 0.1, 0.9], [2, 1, 1]).ok          # repeat
    assert not checkers.check_sort([0.5, 0.1, 0.9], [2, 1]).ok             # missing
    assert not checkers.check_sort([0.5, 0.1, 0.9], [2, 1, 4]).ok          # out of range
    assert checkers.check_sort([0.5, 0.1, 0.9], [2, 1, 3]).ok
    bits = np.ones((3, 8))
    wrong = bits.copy()
    wrong[1, 2] = 0
    assert checkers.check_bits(bits, bits).ok and not checkers.check_bits(bits, wrong).ok
    assert "step 2 bit 3" in checkers.check_bits(bits, wrong).reason
    assert not checkers.check_reverse([1, 2, 3], [1, 2, 3]).ok and checkers.check_reverse([1, 2, 2], [2, 3, 1]).ok


def test_hull_checker_refuses_each_kind_of_wrong_hull() -> None:
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (5, 5), (5, 0)]     # (5, 0) lies on an edge
    assert checkers.check_hull(square, [1, 2, 3, 4]).ok
    assert checkers.check_hull(square, [3, 4, 1, 2]).ok                # any start
    assert not checkers.check_hull(square, [1, 4, 3, 2]).ok            # clockwise
    assert not checkers.check_hull(square, [1, 2, 3]).ok               # a vertex missing: (0, 10) outside
    assert not checkers.check_hull(square, [1, 2, 3, 5, 4]).ok         # an interior point
    assert not checkers.check_hull(square, [1, 6, 2, 3, 4]).ok         # a collinear point is no vertex
    assert not checkers.check_hull(square, [1, 2, 3, 4, 1]).ok         # a repeat
    pentagram = [(0, 10), (6, -8), (-9, 3), (9, 3), (-6, -8)]        # left turns everywhere, winds twice
    verdict = checkers.check_hull(pentagram, [1, 5, 4, 3, 2])
    assert not verdict.ok and "wind" in verdict.reason


def test_tour_checker_reports_the_gap() -> None:
    points = [(0, 0), (0, 1000), (1000, 1000), (1000, 0)]
    best = checkers.check_tour(points, [1, 2, 3, 4], 0.4)
    assert best.ok and not best.reason and abs(best.gap) < 1e-9
    crossed = checkers.check_tour(points, [1, 3, 2, 4], 0.4)
    assert crossed.ok and crossed.gap > 0.2 and "above optimal" in crossed.reason
    assert not checkers.check_tour(points, [1, 2, 2, 4], 0.4).ok


def test_failure_report_keeps_failing_inputs(tmp_path) -> None:
    from nesy.induction.evaluate import verdicts
    batch = tasks.sort_batch(np.random.default_rng(4), 3, 4)
    answers = [[int(t) for t in batch.targets[0][:4]], [1, 2, 3, 4], [4, 3, 2, 1]]
    report = checkers.FailureReport("sort")
    for i, verdict in enumerate(verdicts("sort", batch, answers)):
        report.add(4, checkers.features_gap(batch.exact[i]), verdict, {"input": batch.exact[i], "output": answers[i]})
    assert report.by_size[4][1] == 3 and report.by_size[4][0] >= 1
    report.save(tmp_path / "failures.json")
    saved = (tmp_path / "failures.json").read_text()
    assert '"failures"' in saved and '"reason"' in saved


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda r: tasks.copy_batch(r, 2, 0), lambda r: tasks.hull_batch(r, 2, 2),
                                  lambda r: tasks.tsp_batch(r, 2, 2), lambda r: tasks.associative_recall_batch(r, 2, 1),
                                  lambda r: tasks.optimal_tours(np.zeros((1, 13, 2)))])
def test_bad_task_sizes_are_clear_errors(make) -> None:
    with pytest.raises(NesyInputError):
        make(np.random.default_rng(0))


def test_bad_training_options_are_clear_errors() -> None:
    from nesy.induction.train import NTMTrainConfig, PointerTrainConfig, train_ntm, train_pointer
    with pytest.raises(NesyInputError, match="unknown NTM task"):
        train_ntm(NTMTrainConfig(task="sorting", max_sequences=8))
    with pytest.raises(NesyInputError, match="lengths"):
        train_ntm(NTMTrainConfig(min_length=5, max_length=2))
    with pytest.raises(NesyInputError, match="learning rate"):
        train_pointer(PointerTrainConfig(learning_rate=0.0))
    with pytest.raises(NesyInputError, match="n >= 3"):
        train_pointer(PointerTrainConfig(task="hull", sizes=(2,)))


def test_model_files_round_trip_and_bad_files(tmp_path) -> None:
    from nesy.induction import files
    from nesy.induction.train import PointerTrainConfig, train_pointer
    model, record = train_pointer(PointerTrainConfig(task="sort", sizes=(3,), steps=2, batch=4, hidden=8, eval_instances=4))
    files.save(model, record, tmp_path / "m.pt")
    loaded, blob = files.load(tmp_path / "m.pt")
    x = torch.rand(2, 3, 1)
    assert torch.equal(loaded.decode(x), model.eval().decode(x)) and blob["task"] == "sort"
    (tmp_path / "junk.pt").write_text("not a model")
    with pytest.raises(NesyInputError, match="not a torch model file"):
        files.load(tmp_path / "junk.pt")
    with pytest.raises(NesyInputError, match="no such model file"):
        files.load(tmp_path / "missing.pt")


def _nesy(capsys, *args: str) -> tuple[int, str, str]:
    from nesy.cli import main
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_train_eval_and_bad_options(tmp_path, capsys) -> None:
    out = tmp_path / "sort.pt"
    status, _, err = _nesy(capsys, "induce", "train", "sort", "--model", "pointer", "--steps", "3", "--batch", "8",
                           "--hidden", "8", "--sizes", "4", "--out", str(out))
    assert status == 0, err
    assert out.is_file() and out.with_suffix(".json").is_file()
    report = tmp_path / "failures.json"
    status, stdout, err = _nesy(capsys, "induce", "eval", str(out), "--lengths", "4,6", "--instances", "10",
                                "--failures", str(report))
    assert status == 0, err
    assert "exact" in stdout and report.is_file()
    status, _, err = _nesy(capsys, "induce", "eval", str(out), "--lengths", "0")
    assert status == 2 and "at least 1" in err
    status, _, err = _nesy(capsys, "induce", "train", "copy", "--model", "pointer", "--out", str(tmp_path / "x.pt"))
    assert status == 2 and "not a Pointer Network task" in err
    status, _, err = _nesy(capsys, "induce", "eval", str(tmp_path / "nothing.pt"))
    assert status == 2 and "no such model file" in err


def test_cli_runs_as_a_program() -> None:
    done = subprocess.run([sys.executable, "-m", "nesy", "induce", "train", "sort", "--model", "hopfield",
                           "--out", "x.pt"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_distillation_of_a_known_behaviour_is_proven() -> None:
    from nesy.induction.distill import distill_network
    found = distill_network("reverse", lambda batch: [list(t)[::-1] for t in batch], [1, 2, 3], 4,
                            train_length=3, samples=10, timeout=20)
    assert found.agrees and found.exhaustive and found.compiled_ok
    assert found.accuracy["program"] == {"3": 1.0, "6": 1.0, "12": 1.0}
    wrong = distill_network("copy", lambda batch: [list(t) if len(t) < 3 else list(t)[::-1] for t in batch],
                            [1, 2], 3, train_length=2, samples=10, timeout=10)
    assert not wrong.agrees or wrong.accuracy["program"]["4"] < 1.0


def test_tsp_evaluation_scores_against_the_optimum() -> None:
    from nesy.induction.evaluate import evaluate_pointer
    net = PointerNet(PointerConfig(input_size=2, hidden=8, permutation=True))
    table, report = evaluate_pointer(net, "tsp", [5], instances=12, chunk=5)
    row = table[5]
    assert row["valid"] == 1.0                        # the masks make every answer a tour
    assert row["mean_length"] >= row["optimal"] - 1e-9
    assert report.by_size[5][1] == 12


def test_shipped_weights_pass_their_checks() -> None:
    from nesy.induction import bench, evaluate, files
    if not (bench.SHIPPED / "pointer-sort.pt").is_file():
        pytest.skip("no shipped weights in datasets/induction")
    model, _ = files.load(bench.SHIPPED / "pointer-sort.pt")
    table, _ = evaluate.evaluate_pointer(model, "sort", [5], instances=50)
    assert table[5]["exact"] >= 0.8
    card = files.load_card(bench.SHIPPED / "pointer-sort.pt")
    assert card["command"].startswith("nesy induce train sort")


def test_shipped_ntm_copies_and_its_runs_are_recorded() -> None:
    import json
    from nesy.induction import bench, evaluate, files
    if not (bench.SHIPPED / "ntm-copy.pt").is_file():
        pytest.skip("no shipped weights in datasets/induction")
    model, _ = files.load(bench.SHIPPED / "ntm-copy.pt")
    table, _ = evaluate.evaluate_ntm(model, "copy", [12], instances=20)
    assert table[12]["bit_errors"] < 1
    runs = json.loads((bench.SHIPPED / "ntm-copy-runs.json").read_text())
    assert sorted(r["train_config"]["seed"] for r in runs["runs"]) == list(bench.SEEDS)
    card = files.load_card(bench.SHIPPED / "ntm-copy.pt")
    assert card["train_config"]["seed"] == bench.shipped_seed(runs["runs"])
