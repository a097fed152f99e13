"""LPN (nesy.latent): the model trains, test-time search raises the given pairs' likelihood, every
verified program is re-executed on every pair, damaged weights are clear errors, and the
commands (`nesy latent train|eval`, `--guide latent`) work end to end on tiny settings."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import nesy
from dsl.core import Example
from dsl.errors import NesyInputError
from dsl.registry import get_dsl
from dsl.seqrules import DSL, RULES, rules_of
from dsl.seqrules.generator import generate
from dsl.seqrules.tasks import make_seqrules_task
from nesy.latent.coupling import AnswerKind, beam_programs, fits, neurosymbolic_answer, rule_costs
from nesy.latent.domains import get_domain
from nesy.latent.guide import LatentGuide
from nesy.latent.model import LatentProgramNetwork, LpnConfig
from nesy.latent.search import gradient_search, sampling_search
from nesy.latent.train import TrainConfig, load, save, train, training_loss

REPO = Path(__file__).resolve().parents[1]
TINY = LpnConfig(d_model=32, heads=2, latent=16, encoder_layers=1, decoder_layers=1)


@pytest.fixture(scope="module")
def tiny_net() -> LatentProgramNetwork:
    torch.manual_seed(0)
    return LatentProgramNetwork(TINY)


def test_loss_falls_on_a_tiny_set() -> None:
    torch.manual_seed(0)
    domain = get_domain("seqrules")
    batch = domain.tensors(generate(8, 3, pairs=5, tests=0))
    net = LatentProgramNetwork(TINY)
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    config = TrainConfig(grad_steps=0)
    losses = []
    for _ in range(25):
        loss = training_loss(net, batch, config)["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < 0.9 * sum(losses[:5]) / 5


def test_grad_one_moves_the_latent_without_second_derivatives(tiny_net: LatentProgramNetwork) -> None:
    batch = get_domain("seqrules").tensors(generate(3, 4, pairs=5, tests=0))
    parts0 = training_loss(tiny_net, batch, TrainConfig(grad_steps=0))
    parts1 = training_loss(tiny_net, batch, TrainConfig(grad_steps=1, inner_lr=0.5))
    assert parts0["reconstruction"].item() != parts1["reconstruction"].item()
    parts1["loss"].backward()          # one ordinary backward pass: the step is a constant
    assert tiny_net.encoder.to_gaussian.weight.grad is not None
    tiny_net.zero_grad()


def test_test_time_search_raises_the_likelihood_of_the_given_pairs(tiny_net: LatentProgramNetwork) -> None:
    batch = get_domain("seqrules").tensors(generate(6, 5))
    found = gradient_search(tiny_net, batch.x, batch.y, [0, 10, 30], lr=0.1)
    ll0, ll10, ll30 = (found.likelihood[s] for s in (0, 10, 30))
    assert (ll10 >= ll0).all() and (ll30 >= ll10).all()
    assert ll30.mean() > ll0.mean() + 0.5
    with torch.no_grad():      # the reported likelihood is the kept latent's
        assert torch.allclose(tiny_net.log_likelihood(batch.x, batch.y, found.best[30]), ll30, atol=1e-3)
    z, ll = sampling_search(tiny_net, batch.x, batch.y, samples=8)
    assert (ll >= ll0 - 1e-4).all() and z.shape == found.best[0].shape


def test_a_program_counts_as_verified_only_if_it_fits_every_pair() -> None:
    task = generate(1, 6, lengths=(3,))[0]
    program = [RULES.index(r) for r in rules_of(DSL.parse(task.reference))]
    assert fits(program, task)
    last = task.examples[-1]
    wrong = tuple((v + 1) % 5 for v in last.output)
    damaged = make_seqrules_task("damaged", [*task.examples[:-1], Example(last.inputs, wrong)], task.tests)
    assert not fits(program, damaged)


def test_answers_say_what_they_rest_on(tiny_net: LatentProgramNetwork) -> None:
    task = generate(1, 7, lengths=(3,))[0]
    z = torch.zeros(TINY.latent)
    test = task.tests[0]
    answer = neurosymbolic_answer(tiny_net, task, z, test.inputs[0], candidates=100_000, costs=[1] * len(RULES))
    assert answer.kind is AnswerKind.VERIFIED and answer.program_text
    program = DSL.parse(answer.program_text)
    assert all(nesy_run(program, e.inputs[0]) == e.output for e in task.examples)       # re-run on every pair
    assert answer.output == nesy_run(program, test.inputs[0])
    starved = neurosymbolic_answer(tiny_net, task, z, test.inputs[0], candidates=1, proposals=1)
    assert starved.kind is AnswerKind.NEURAL and not starved.program_text and len(starved.output) == 10


def nesy_run(program, sequence):
    from dsl.core import evaluate

    return evaluate(program, {"x0": tuple(sequence)})


def test_beam_and_costs() -> None:
    torch.manual_seed(1)
    proposals = beam_programs(torch.randn(5, len(RULES) + 1), beam=16)
    assert len(proposals) == 16 and len({tuple(r) for r, _ in proposals}) == 16
    scores = [s for _, s in proposals]
    assert scores == sorted(scores, reverse=True) and all(1 <= len(r) <= 5 for r, _ in proposals)
    costs = rule_costs([i / 27 for i in range(27)], cheap=2, middle=3)
    assert costs[26] == costs[25] == 1 and costs[24] == costs[22] == 2 and costs[21] == 3 and min(costs) == 1


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(b"not a torch file"), "damaged LPN weights"),
    (lambda p: p.write_bytes(p.read_bytes()[:5000]), "damaged LPN weights"),
    (lambda p: torch.save({"format": "other"}, p), "not LPN weights"),
])
def test_damaged_weights_are_clear_errors(tmp_path: Path, tiny_net: LatentProgramNetwork, damage, message) -> None:
    path = tmp_path / "w.pt"
    save(tiny_net, {"domain": "seqrules"}, path)
    assert load(path, "seqrules").config == TINY
    damage(path)
    with pytest.raises(NesyInputError, match=message):
        load(path, "seqrules")


def test_weights_with_nan_or_wrong_shapes_are_refused(tmp_path: Path, tiny_net: LatentProgramNetwork) -> None:
    path = tmp_path / "w.pt"
    save(tiny_net, {"domain": "seqrules"}, path)
    saved = torch.load(path, weights_only=True)
    saved["state_dict"]["decoder.to_logits.weight"][0, 0] = float("nan")
    torch.save(saved, path)
    with pytest.raises(NesyInputError, match="NaN"):
        load(path)
    saved["config"]["d_model"] = 48
    torch.save(saved, path)
    with pytest.raises(NesyInputError, match="damaged LPN weights"):
        load(path)
    with pytest.raises(NesyInputError, match="not 'strings'"):
        save(tiny_net, {"domain": "seqrules"}, path) or load(path, "strings")


def test_latent_guide_through_the_api(tiny_net: LatentProgramNetwork) -> None:
    task = generate(1, 9, lengths=(3,))[0]
    guide = LatentGuide(tiny_net, DSL, steps=2)
    costs = guide.op_costs(task, DSL.ops)
    assert set(costs) == set(DSL.ops) and set(costs.values()) <= {1, 2, 3}
    result = nesy.synthesize(task, dsl="seqrules", guide=guide, timeout=30)
    assert result.found and result.verified is True
    with pytest.raises(NesyInputError, match="no latent program network for DSL 'strings'"):
        LatentGuide.for_dsl(get_dsl("strings"))


@pytest.mark.slow
def test_cli_train_then_eval(tmp_path: Path) -> None:
    """Two subprocesses, each importing torch: slow on a loaded machine (the in-process eval test
    below covers the same code fast)."""
    weights, report = tmp_path / "lpn.pt", tmp_path / "eval.json"
    run = subprocess.run([sys.executable, "-m", "nesy", "latent", "train", "seqrules", "--steps", "2", "--batch", "4",
                          "--validation", "4", "--d-model", "16", "--encoder-layers", "1", "--decoder-layers", "1",
                          "--latent", "8", "--out", str(weights)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    card = json.loads(weights.with_suffix(".json").read_text())
    assert card["command"].startswith("nesy latent train seqrules") and len(card["curve"]) >= 1
    run = subprocess.run([sys.executable, "-m", "nesy", "latent", "eval", "seqrules", "--weights", str(weights),
                          "--tasks", "4", "--steps", "0,3", "--candidates", "5000", "--json", str(report)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(report.read_text())
    assert set(data["network"]) == set(data["neurosymbolic"]) == {"0", "3"}
    assert all(0.0 <= v <= 1.0 for v in [*data["network"].values(), *data["neurosymbolic"].values()])
    assert "LPN + symbolic check" in run.stdout


def test_cli_damaged_weights_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00" * 100)
    run = subprocess.run([sys.executable, "-m", "nesy", "latent", "eval", "seqrules", "--weights", str(bad),
                          "--tasks", "2"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "damaged LPN weights" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_shipped_weights_beat_nothing_and_the_symbolic_check_helps() -> None:
    from nesy.latent.evaluation import default_weights

    net = load(default_weights("seqrules"), "seqrules")
    tasks = get_domain("seqrules").test_tasks(100)
    batch = get_domain("seqrules").tensors(tasks)
    found = gradient_search(net, batch.x, batch.y, [0, 10])
    with torch.no_grad():
        network = (net.decode(batch.test_x, found.best[10]) == batch.test_y).all(-1).all(-1).float().mean().item()
    answers = [neurosymbolic_answer(net, t, found.best[10][i], t.tests[0].inputs[0]) for i, t in enumerate(tasks)]
    checked = sum(a.output == t.tests[0].output for a, t in zip(answers, tasks)) / len(tasks)
    assert checked >= network and checked > 0.5


def test_plain_only_and_merged_reports(tmp_path: Path, tiny_net: LatentProgramNetwork) -> None:
    from nesy.latent.evaluation import EvalConfig, evaluate, figures, merge_reports

    plain = tmp_path / "plain.json"
    assert evaluate("seqrules", EvalConfig(tasks=3, plain=(50, 30_000), plain_only=True), json_path=str(plain)) == 0
    measured = json.loads(plain.read_text())["plain_symbolic"]
    assert set(measured) == {"50", "30000"} and measured["50"]["found"] <= measured["30000"]["found"]
    weights = tmp_path / "w.pt"
    save(tiny_net, {"domain": "seqrules"}, weights)
    parts = []
    for steps in ((0,), (2,)):
        parts.append(tmp_path / f"r{steps[0]}.json")
        evaluate("seqrules", EvalConfig(steps=steps, tasks=3, candidates=2000), weights=str(weights),
                 json_path=str(parts[-1]))
    merged = merge_reports([*parts, plain])
    assert set(merged["network"]) == set(merged["neurosymbolic"]) == {"0", "2"} and "30000" in merged["plain_symbolic"]
    assert figures("seqrules", [str(p) for p in parts], plot=str(tmp_path / "a.png"),
                   trajectory=str(tmp_path / "t.png"), steps=3) == 0
    assert (tmp_path / "a.png").stat().st_size > 1000 and (tmp_path / "t.png").stat().st_size > 1000
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**json.loads(parts[0].read_text()), "seed": 1}))
    with pytest.raises(NesyInputError, match="different"):
        merge_reports([parts[0], other])
