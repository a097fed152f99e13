"""The learned ranker: features are deterministic and finite, the shipped model loads and scores,
general programs beat memorising ones, and training is reproducible."""
from __future__ import annotations

import json

import numpy as np
import pytest

from dsl.core import STRING, evaluate
from dsl.errors import NesyInputError
from dsl.strings import STRINGS
from nesy.api import as_task
from nesy.ranking.data import RankingDataConfig, RankingDataGenerator, RankingGroup
from nesy.ranking.features import FEATURES, candidate_features, shape
from nesy.ranking.model import LearnedRanker, load_ranker, save_ranker, shipped_ranker_path
from nesy.ranking.train import TrainConfig, pick_accuracy, train_ranker
from solvers.search.ranking import Candidate, SearchOrderRanker, rank

EMAILS = as_task([("john@x.com", "john"), ("mary@yahoo.org", "mary")])
EMAIL_PROBES = [("carol@gmail.com",), ("al@b.de",), ("johnny@x.com",)]
NAMES = as_task([("John Smith", "J.S."), ("Ada Lovelace", "A.L.")])
NAME_PROBES = [("Grace Hopper",), ("Alan M Turing",), ("Bo Li",)]


def candidates(task, probes, texts):
    """Candidates in search order, with their real outputs on the probes."""
    programs = [STRINGS.parse(t, {v.name: v.type for v in task.inputs}) for t in texts]
    for program in programs:
        assert all(evaluate(program, task.env(e)) == e.output for e in task.examples), program
    names = [v.name for v in task.inputs]
    return [Candidate(p, tuple(evaluate(p, dict(zip(names, row))) for row in probes), order=i)
            for i, p in enumerate(programs)]


def best(ranker, task, probes, texts):
    return str(rank(ranker, task, probes, candidates(task, probes, texts))[0].program)


def test_features_are_deterministic_finite_and_fixed_length():
    found = candidates(EMAILS, EMAIL_PROBES, ['(str.substr x0 0 4)', '(str.substr x0 0 (str.indexof x0 "@" 0))'])
    first, again = candidate_features(EMAILS, EMAIL_PROBES, found), candidate_features(EMAILS, EMAIL_PROBES, found)
    assert first.shape == (2, len(FEATURES)) and np.isfinite(first).all()
    assert np.array_equal(first, again)
    no_probes = candidate_features(EMAILS, [], [Candidate(c.program, ()) for c in found])
    assert np.isfinite(no_probes).all()


def test_memorising_programs_are_recognisable():
    found = candidates(NAMES, NAME_PROBES, [
        '(ite (= (str.len x0) 10) "J.S." "A.L.")',
        '(ite (= (str.len x0) 10) (str.++ "J" (str.++ "." (str.++ "S" "."))) "A.L.")',
        '(str.++ (str.at x0 0) (str.++ "." (str.++ (str.at x0 (+ (str.indexof x0 " " 0) 1)) ".")))'])
    x = dict(zip(FEATURES, candidate_features(NAMES, NAME_PROBES, found).T))
    assert list(x["ite_on_length"]) == [1, 1, 0] and list(x["length_in_arithmetic"]) == [1, 1, 0]
    assert list(x["copies_example_output"]) == [1, 1, 0] and list(x["output_constants"]) == [2, 1, 0]
    assert list(x["single_char_concatenations"]) == [0, 2, 0]    # "." between initials is a separator
    assert shape("John Smith") == "Aa Aa" and shape("555-1234") == "9-9"


def test_the_shipped_ranker_loads_and_scores():
    assert shipped_ranker_path("strings").is_file()
    ranker = load_ranker()
    found = candidates(EMAILS, EMAIL_PROBES, ['(str.substr x0 0 4)', '(str.substr x0 0 (str.indexof x0 "@" 0))'])
    shares = ranker.scores(EMAILS, EMAIL_PROBES, found)
    assert len(shares) == 2 and all(0 <= s <= 1 for s in shares) and sum(shares) == pytest.approx(1.0)
    assert ranker.scores(EMAILS, EMAIL_PROBES, []) == []


@pytest.mark.parametrize("task, probes, general, memorising", [
    pytest.param(EMAILS, EMAIL_PROBES, '(str.substr x0 0 (str.indexof x0 "@" 0))', '(str.substr x0 0 4)',
                 marks=pytest.mark.xfail(strict=True, reason="the shipped ranker (200 generated tasks) still "
                                         "prefers the shorter memorising program here: one reason it is not the default")),
    (NAMES, NAME_PROBES, '(str.++ (str.at x0 0) (str.++ "." (str.++ (str.at x0 (+ (str.indexof x0 " " 0) 1)) ".")))',
     '(ite (= (str.len x0) 10) "J.S." "A.L.")'),
])
def test_a_general_program_beats_a_memorising_one(task, probes, general, memorising):
    texts = [memorising, general]           # search found the memorising one first
    assert best(SearchOrderRanker(), task, probes, texts) == memorising
    assert best(load_ranker(), task, probes, texts) == general


def test_a_damaged_or_foreign_file_is_refused(tmp_path):
    for text in ("not json", json.dumps({"format": "something else"}),
                 json.dumps({**json.loads(shipped_ranker_path("strings").read_text()), "features": ["size"]})):
        path = tmp_path / "ranker.json"
        path.write_text(text)
        with pytest.raises(NesyInputError):
            load_ranker(path)
    with pytest.raises(NesyInputError):
        load_ranker(tmp_path / "missing.json")


TINY = RankingDataConfig(pool_candidates=3_000, targets_per_pool=4, train_examples=(2, 2), search_candidates=1_000_000)


@pytest.fixture(scope="module")
def tiny_groups() -> list[RankingGroup]:
    return RankingDataGenerator(STRINGS, TINY).generate(8, seed=3)


def test_generated_data_is_labelled_by_the_held_out_rows(tiny_groups):
    assert tiny_groups
    for group in tiny_groups:
        assert len(group.labels) == len(group.candidates) and group.task.tests
        for candidate, label in zip(group.candidates, group.labels):
            right = all(evaluate(candidate.program, group.task.env(e)) == e.output for e in group.task.tests)
            assert label == int(right)
            assert all(evaluate(candidate.program, group.task.env(e)) == e.output for e in group.task.examples)


def test_training_on_a_tiny_seeded_set_gives_the_same_weights_twice(tiny_groups, tmp_path):
    ambiguous = [g for g in tiny_groups if g.ambiguous]
    groups = ambiguous * 3 if ambiguous else tiny_groups
    if not ambiguous:
        pytest.skip("the tiny set has no task with both right and wrong candidates")
    config = TrainConfig(steps=20, log_every=10, validation_fraction=0.0)
    first, curve = train_ranker(groups, config, log=lambda line: None)
    second, _ = train_ranker(groups, config, log=lambda line: None)
    for name in ("mean", "scale", "linear", "w1", "b1", "w2"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    assert len(curve) == 2
    save_ranker(first, tmp_path / "r.json")
    loaded = load_ranker(tmp_path / "r.json")
    assert isinstance(loaded, LearnedRanker) and np.array_equal(loaded.weights.w1, first.w1)
    assert pick_accuracy(loaded, groups)["tasks"] == len(groups)


def test_the_same_seed_makes_the_same_data(tiny_groups):
    again = RankingDataGenerator(STRINGS, TINY).generate(8, seed=3)
    assert [(g.task, g.candidates, g.labels) for g in again] == [(g.task, g.candidates, g.labels) for g in tiny_groups]
