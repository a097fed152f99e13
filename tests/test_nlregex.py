"""nesy.nlregex: descriptions as tokens, the data reader, the seq2seq model (it learns), beam search,
re-ranking by exact semantics, repair against examples, and the CLI / bench end to end on a tiny model."""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from dsl.errors import NesyInputError
from dsl.regex.deepregex import parse_deepregex
from dsl.regex.ops import accepts
from nesy.nlregex.data import Pair, default_root, prepare_description, read_pairs
from nesy.nlregex.model import TrainedModel
from nesy.nlregex.rerank import Candidate, choose, repair, rerank
from nesy.nlregex.train import TrainConfig, train_model

REPO = Path(__file__).resolve().parents[1]
DATA = default_root()
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no Deep-Regex data at {DATA}")

TINY = [
    ("lines containing <M0>", ". * <M0> . *"), ("lines starting with <M0>", "<M0> . *"),
    ("lines ending with <M0>", ". * <M0>"), ("lines with a number", ". * [ <NUM> ] . *"),
    ("lines with a vowel", ". * [ <VOW> ] . *"), ("lines not containing <M0>", "~ ( . * <M0> . * )"),
    ("lines with words containing <M0>", ". * \\ b [ <LET> ] * <M0> [ <LET> ] * \\ b . *"),
    ("lines with a capital letter", ". * [ <CAP> ] . *"),
]


def tiny_pairs(copies: int = 4) -> list[Pair]:
    return [Pair(tuple(d.split()), tuple(r.split())) for d, r in TINY] * copies


@pytest.fixture(scope="module")
def tiny_model() -> TrainedModel:
    config = TrainConfig(steps=120, batch=16, embedding=16, hidden=32, dropout=0.0, learning_rate=1e-2,
                         eval_every=50)
    return train_model(tiny_pairs(), tiny_pairs(1), config)


def test_quoted_words_become_placeholders():
    tokens, words = prepare_description("Lines that contain 'dog' and \"big cat\", at least twice.")
    assert tokens == ("lines", "that", "contain", "<M0>", "and", "<M1>", ",", "at", "least", "twice", ".")
    assert words == ("dog", "big cat")


def test_bad_descriptions_are_one_line_errors():
    for text in ("", "  ...  "[:2], "'a' 'b' 'c' 'd' 'e'"):
        with pytest.raises(NesyInputError) as error:
            prepare_description(text)
        assert "\n" not in str(error.value)


@needs_data
def test_reads_the_splits_by_path_and_kb13_tests_on_val():
    assert len(read_pairs(DATA / "turk", "test")) == 2500
    assert len(read_pairs(DATA / "synth", "test")) == 2500
    kb13 = read_pairs(DATA / "kushman", "test")
    assert len(kb13) == 206 and kb13 == read_pairs(DATA / "kushman", "val")
    with pytest.raises(NesyInputError):
        read_pairs(DATA / "turk", "dev")


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NesyInputError, match="src-test.txt"):
        read_pairs(tmp_path, "test")


def test_the_model_learns_a_tiny_set(tiny_model):
    curve = tiny_model.card["curve"]
    assert curve[-1]["train_loss"] < 0.5 * curve[0]["train_loss"]
    beam = tiny_model.propose(("lines", "with", "a", "number"), beam=5)
    assert 1 <= len(beam) <= 5
    assert [s for _, s in beam] == sorted((s for _, s in beam), reverse=True)
    assert all(s <= 0 for _, s in beam)
    assert " ".join(beam[0][0]) == ". * [ <NUM> ] . *"


def test_save_and_load_keep_the_proposals(tiny_model, tmp_path):
    path = tmp_path / "m.pt"
    tiny_model.save(path)
    loaded = TrainedModel.load(path)
    description = ("lines", "not", "containing", "<M0>")
    assert [t for t, _ in loaded.propose(description, 3)] == [t for t, _ in tiny_model.propose(description, 3)]
    (tmp_path / "bad.pt").write_bytes(b"not a model")
    with pytest.raises(NesyInputError):
        TrainedModel.load(tmp_path / "bad.pt")


def test_rerank_drops_malformed_and_merges_equal_meanings():
    beam = [("( . *".split(), math.log(0.3)), (". * <M0> . *".split(), math.log(0.2)),
            ("[ <NUM> ] & [ <CAP> ]".split(), math.log(0.15)), (". * ( <M0> ) . *".split(), math.log(0.1)),
            ("<M0> . *".split(), math.log(0.12))]
    result = rerank(beam, drop_empty=True)
    assert result.malformed == 1 and result.empty == 1 and result.merged == 1
    first = result.candidates[0]
    assert first.text == ".*dog.*" and len(first.spellings) == 2 and first.probability == pytest.approx(0.3)
    assert [c.text for c in result.candidates] == [".*dog.*", "dog.*"]
    plain = rerank(beam, semantic=False)
    assert len(plain.candidates) == 4


def test_rerank_keeps_empty_languages_by_default_and_merges_them():
    # NL-RX's references are often empty ("a lower-case letter and a capital" -> [a-z]&[A-Z]): dropping
    # the empty candidates is what made the re-ranked answer worse than the beam's top
    beam = [("( [ <LOW> ] ) & ( [ <CAP> ] )".split(), math.log(0.4)), (". * [ <LOW> ] . *".split(), math.log(0.3)),
            ("( [ <CAP> ] ) & ( [ <NUM> ] )".split(), math.log(0.1))]
    result = rerank(beam)
    assert result.empty == 0 and result.merged == 1
    assert result.candidates[0].empty is True and len(result.candidates[0].spellings) == 2
    assert result.candidates[1].empty is False


def test_temperature_decides_between_one_likely_spelling_and_several_less_likely():
    beam = [(". * <M0> . *".split(), math.log(0.30)), ("<M0> . *".split(), math.log(0.25)),
            ("( <M0> ) . *".split(), math.log(0.2)), ("<M0> ( . * )".split(), math.log(0.02))]
    assert rerank(beam, temperature=0).candidates[0].text == ".*dog.*"      # the beam's order
    assert rerank(beam, temperature=1).candidates[0].text == "dog.*"        # 0.47 against 0.30
    assert rerank(beam, temperature=2).candidates[0].text == "dog.*"
    with pytest.raises(NesyInputError):
        rerank(beam, temperature=-1)


@pytest.mark.slow
def test_repair_order_does_not_depend_on_the_process():
    # `edits` once iterated a set of count pairs holding None, whose hash is its address in Python 3.11
    script = ("from dsl.regex.deepregex import parse_deepregex as p; from nesy.nlregex.rerank import edits; "
              "print([str(e) for e in edits(p('(dog){2,}.*[0-9]{3}'), ['dog'])])")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}, check=True).stdout
               for seed in (1, 2)}
    assert len(outputs) == 1


def test_examples_pick_the_consistent_candidate_and_repair_a_near_miss():
    beam = [(". * <M0> . *".split(), math.log(0.5)), ("<M0> . *".split(), math.log(0.3))]
    result = rerank(beam)
    assert choose(result, ["dog food"], ["hot dog"]).text == "dog.*"
    # nothing fits "ends with a digit": one edit of `dog.*` does ( .* -> [0-9] after dog, or similar)
    fixed = repair(result.candidates, ["dog7", "dog1"], ["dog", "dogs", "cat7"])
    assert fixed is not None and fixed.source == "repair"
    assert all(accepts(fixed.program, s) for s in ["dog7", "dog1"])
    assert not any(accepts(fixed.program, s) for s in ["dog", "dogs", "cat7"])


def test_both_can_prefer_the_smaller_of_the_beam_and_the_search():
    result = rerank([("[ <LOW> ] . * [ <LOW> ] . *".split(), math.log(0.6))])
    searched = Candidate(parse_deepregex("[a-z]+"), "[a-z]+", 0.0, float("-inf"), ["example search"], source="search")
    positive, negative = ["ab", "xyz"], ["", "A1"]
    assert choose(result, positive, negative, searched=searched).source == "network"
    assert choose(result, positive, negative, searched=searched, prefer="smaller").text == "[a-z]+"
    assert choose(result, positive, negative, searched=None, prefer="smaller").source == "network"
    with pytest.raises(NesyInputError):
        choose(result, positive, negative, searched=None, prefer="largest")


def test_candidate_consistency():
    candidate = Candidate(parse_deepregex("~(.*dog.*)"), "~(.*dog.*)", 1.0, 0.0)
    assert candidate.consistent(["cat"], ["a dog"]) and not candidate.consistent(["dog"], [])


def _write_suite(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "src-test.txt").write_text("\n".join(d for d, _ in TINY[:4]))
    (folder / "targ-test.txt").write_text("\n".join(r for _, r in TINY[:3]) + "\n. * [ <NUM> ] . * | [ <NUM> ]")


def test_bench_scores_by_equivalence_and_writes_json(tiny_model, tmp_path):
    from nesy.nlregex import bench

    model_path = tmp_path / "m.pt"
    tiny_model.save(model_path)
    _write_suite(tmp_path / "mini")
    out = tmp_path / "out" / "r.json"
    args = argparse.Namespace(suite=str(tmp_path / "mini"), split="test", json_out=str(out), limit=None, jobs=1,
                              timeout=4.0, quiet=True, guide=str(model_path), candidates=4)
    assert bench.run(args) == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 4 and {"description", "reference", "predicted", "equivalent"} <= set(rows[0])
    # the last reference is spelled differently from anything trained on, but means `.*[0-9].*`
    assert rows[3]["equivalent"] is True and rows[3]["predicted"] != rows[3]["reference"]
    summary = json.loads(out.with_suffix(".summary.json").read_text())
    assert summary["datasets"]["mini"]["pairs"] == 4
    row = summary["datasets"]["mini"]
    assert row["accuracy_95"][0] <= row["accuracy"] <= row["accuracy_95"][1]
    assert {"plain_beam_accuracy", "summed_meaning_accuracy", "shipped_checker_false_negatives"} <= set(row)
    # a fixed-seed random subsample: the same pairs every time, in another order than the file's
    sampled = tmp_path / "out" / "s.json"
    command = ["--suite", str(tmp_path / "mini"), "--split", "test", "--json", str(sampled), "--quiet",
               "--guide", str(model_path), "--candidates", "4", "--sample", "3", "--seed", "1"]
    assert bench.main(command) == 0
    lines = [r["line"] for r in json.loads(sampled.read_text())]
    assert len(lines) == 3 and bench.main(["--suite", str(tmp_path / "no-such"), "--quiet"]) == 2


def test_cli_from_text_and_its_errors(tiny_model, tmp_path, capsys):
    from nesy.cli import main

    model_path = tmp_path / "m.pt"
    tiny_model.save(model_path)
    assert main(["regex", "from-text", "lines containing 'cat'", "--pos", "a cat", "--neg", "a dog",
                 "--model", str(model_path)]) == 0
    assert "regex: .*cat.*" in capsys.readouterr().out
    assert main(["regex", "from-text", "'a' 'b' 'c' 'd' 'e'", "--model", str(model_path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_from_text_as_a_user_runs_it(tiny_model, tmp_path):
    model_path = tmp_path / "m.pt"
    tiny_model.save(model_path)
    done = subprocess.run([sys.executable, "-m", "nesy", "regex", "from-text", "lines ending with 'x'", "--model",
                           str(model_path)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0 and "regex: .*x" in done.stdout, done.stderr


def test_regel_ground_truths_translate_exactly():
    from nesy.nlregex.structured import regel_to_program

    program = regel_to_program("and(startwith(<A>),not(contain(notcc(<let>))))")
    assert accepts(program, "Abc") and not accepts(program, "Ab1") and not accepts(program, "bA")
    assert accepts(regel_to_program("concat(repeatrange(<num>,1,2),const(<.x>))"), "12.x")
    with pytest.raises(NesyInputError):
        regel_to_program("concat(<a>")


STRUCTURED = REPO.parent / "shared" / "benchmarks" / "regex" / "structuredregex" / "teste.tsv"


@pytest.mark.skipif(not STRUCTURED.is_file(), reason=f"no StructuredRegex test-E at {STRUCTURED}")
def test_structuredregex_ground_truths_fit_their_examples():
    from nesy.nlregex.structured import read_rows, regel_to_program

    for row in read_rows(STRUCTURED)[:60]:
        truth = regel_to_program(row["regex"])
        assert all(accepts(truth, s) for s in row["pos_examples"].split(" "))
        assert not any(accepts(truth, s) for s in row["neg_examples"].split(" "))


def test_deep_regex_checker_reading_differs_from_exact_equivalence_on_boundaries():
    from dsl.regex.equivalence import Verdict, decide
    from nesy.nlregex.bench import checker_verdict

    # exact: the ends of a line are word boundaries, so these are equal; dk.brics reads \b as 'b'
    assert decide(parse_deepregex("\\ b <M0> \\ b"), parse_deepregex("<M0>")).verdict is Verdict.EQUIVALENT
    assert checker_verdict("\\ b <M0> \\ b", "<M0>", 2.0) is False            # a false negative
    assert checker_verdict(". * \\ b <M0> . *", ". * b <M0> . *", 2.0) is True  # a false positive
    assert checker_verdict(". * <M0> . *", ". * ( <M0> ) . *", 2.0) is True
