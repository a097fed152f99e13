"""The guide's networks: they learn, they round-trip through a file, and damaged files fail clearly."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dsl.errors import NesyInputError
from dsl.strings import STRINGS
from nesy.guides.data import DataConfig, GuideDataGenerator
from nesy.guides.model import NumpyMlp, load_weights, save_weights
from nesy.guides.neural import NeuralGuide
from nesy.guides.train import TrainConfig, train_guide

OPS = tuple(op.signature for op in STRINGS.ops)


@pytest.fixture(scope="module")
def tiny():
    data = GuideDataGenerator(STRINGS, DataConfig(pool_candidates=5000, targets_per_pool=8)).generate(800, seed=5)
    weights, curve = train_guide(data, "strings", OPS, TrainConfig(epochs=15, batch_size=64, seed=1), log=lambda _: None)
    return data, weights, curve


def test_loss_falls_on_a_tiny_set(tiny):
    _, _, curve = tiny
    assert curve[-1]["value_loss"] < 0.8 * curve[0]["value_loss"]
    assert curve[-1]["op_loss"] < curve[0]["op_loss"]


def test_scorer_beats_the_base_rate(tiny):
    data, weights, _ = tiny
    with torch.no_grad():
        predicted = (weights.model.value_logits(torch.from_numpy(data.value_x)) > 0).numpy()
    accuracy = float((predicted == (data.value_y > 0.5)).mean())
    assert accuracy > max(data.value_y.mean(), 1 - data.value_y.mean()) + 0.02


def test_calibration_is_ordered(tiny):
    _, weights, _ = tiny
    c = weights.calibration
    assert 0.0 <= c["delay2_below"] <= c["delay1_below"] <= 1.0
    per_op = {k: v for k, v in c.items() if k.startswith("op_raise_below:")}
    assert all(0.0 <= v <= 1.0 for v in per_op.values())
    assert set(per_op) <= {"op_raise_below:" + sig for sig in OPS}


def test_numpy_inference_equals_torch(tiny):
    data, weights, _ = tiny
    x = data.value_x[:50]
    with torch.no_grad():
        expected = weights.model.value_net(torch.from_numpy(x)).numpy()
    assert np.allclose(NumpyMlp(weights.model.value_net)(x.copy()), expected, atol=1e-5)


def test_round_trip(tiny, tmp_path):
    data, weights, _ = tiny
    path = tmp_path / "g.pt"
    save_weights(weights, path)
    again = load_weights(path)
    x = torch.from_numpy(data.value_x[:20])
    with torch.no_grad():
        assert torch.allclose(weights.model.value_logits(x), again.model.value_logits(x))
    assert again.calibration == pytest.approx(weights.calibration)


def test_truncated_file_fails_clearly(tiny, tmp_path):
    _, weights, _ = tiny
    path = tmp_path / "g.pt"
    save_weights(weights, path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(NesyInputError, match="g.pt.*not a readable guide weights file"):
        load_weights(path)


def test_foreign_files_fail_clearly(tmp_path):
    text = tmp_path / "notes.pt"
    text.write_text("hello")
    with pytest.raises(NesyInputError, match="not a readable guide weights file"):
        load_weights(text)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    with pytest.raises(NesyInputError, match="not a guide weights file"):
        load_weights(other)
    with pytest.raises(NesyInputError, match="no guide weights here"):
        load_weights(tmp_path / "missing.pt")


def test_damaged_tensors_fail_clearly(tiny, tmp_path):
    _, weights, _ = tiny
    path = tmp_path / "g.pt"
    save_weights(weights, path)
    blob = torch.load(path, weights_only=True)
    first = next(iter(blob["state_dict"]))
    blob["state_dict"][first] = blob["state_dict"][first][:3]          # wrong shape
    torch.save(blob, path)
    with pytest.raises(NesyInputError, match="damaged guide weights"):
        load_weights(path)
    blob = torch.load(tmp_path / "g.pt", weights_only=True)
    save_weights(weights, path)
    blob = torch.load(path, weights_only=True)
    blob["state_dict"][first][0, 0] = float("nan")
    torch.save(blob, path)
    with pytest.raises(NesyInputError, match="NaN"):
        load_weights(path)


def test_weights_for_another_op_table_are_refused(tiny, tmp_path):
    _, weights, _ = tiny
    from dsl.strings import SMT_STRINGS

    with pytest.raises(NesyInputError, match="another op table"):
        NeuralGuide(weights, SMT_STRINGS, "g.pt")


def test_train_command_writes_weights_and_card(tmp_path):
    import json

    from nesy.cli import main

    out = tmp_path / "guide.pt"
    assert main(["train", "guide", "--dsl", "strings", "--out", str(out), "--values", "400", "--epochs", "2",
                 "--jobs", "1", "--pool-candidates", "3000", "--seed", "4"]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["seed"] == 4 and card["data"]["values"] >= 400 and len(card["curve"]) == 2
    assert "nesy train guide" in card["command"]
    guide = NeuralGuide.from_file(out, STRINGS)
    assert guide.calibration == pytest.approx(card["calibration"])
