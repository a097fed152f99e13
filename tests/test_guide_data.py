"""The guide's training data: labels must mean what they claim, and a seed must fix the data."""
from __future__ import annotations

import numpy as np
import pytest

from dsl.core import evaluate
from dsl.strings import STRINGS
from nesy.guides.data import DataConfig, GuideDataGenerator
from nesy.guides.signatures import SignatureEncoder

SMALL = DataConfig(pool_candidates=6000, targets_per_pool=8, keep_examples=True)


@pytest.fixture(scope="module")
def data():
    return GuideDataGenerator(STRINGS, SMALL).generate(1500, seed=3)


def outputs(program, examples, task):
    return [evaluate(program, task.env(e)) for e in examples]


def test_shapes_and_label_mix(data):
    encoder = SignatureEncoder([op.signature for op in STRINGS.ops])
    assert data.value_x.shape == (len(data), encoder.value_width)
    assert data.task_x.shape[1] == encoder.task_width
    assert data.op_y.shape == (len(data.task_x), len(STRINGS.ops))
    assert len(data.examples) == len(data)
    assert 0.05 < data.value_y.mean() < 0.6          # positives and sampled negatives both present
    assert set(np.unique(data.value_x)) <= {0.0, 0.5, 1.0}


def test_positives_are_sub_expressions_of_the_solution(data):
    positives = [e for e in data.examples if e.label == 1]
    assert positives
    for example in positives:
        assert example.stands_for in set(example.target.subprograms())
        # the labelled value behaves as that sub-expression on train *and* held-out inputs
        every = (*example.task.examples, *example.held_out)
        assert outputs(example.program, every, example.task) == outputs(example.stands_for, every, example.task)


def test_the_target_fits_its_task(data):
    for example in data.examples[:200]:
        assert outputs(example.target, example.task.examples, example.task) == \
            [e.output for e in example.task.examples]


def test_overfitting_look_alikes_are_negatives(data):
    look_alikes = [e for e in data.examples if e.label == 0 and e.stands_for is not None]
    for example in look_alikes:
        train, held = example.task.examples, example.held_out
        assert outputs(example.program, train, example.task) == outputs(example.stands_for, train, example.task)
        assert outputs(example.program, held, example.task) != outputs(example.stands_for, held, example.task)


def test_sampled_negatives_are_not_sub_expressions(data):
    for example in data.examples:
        if example.stands_for is None:
            subs = list(example.target.subprograms())
            train = example.task.examples
            mine = outputs(example.program, train, example.task)
            assert all(outputs(s, train, example.task) != mine for s in subs if s.type == example.program.type)


def test_same_seed_same_data():
    a = GuideDataGenerator(STRINGS, SMALL).generate(300, seed=11)
    b = GuideDataGenerator(STRINGS, SMALL).generate(300, seed=11)
    assert np.array_equal(a.value_x, b.value_x) and np.array_equal(a.value_y, b.value_y)
