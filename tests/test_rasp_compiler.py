"""The compiler: every library program compiles to a model that equals the interpreter on every
input at a small size; what cannot be compiled exactly is refused with its line and reason."""
from __future__ import annotations

import pytest
import torch

from dsl.errors import NesyInputError
from dsl.rasp import load, run
from nesy.compiler import compile_program, compile_rasp
from nesy.compiler.bench import library
from nesy.compiler.check import check
from nesy.compiler.files import load_model, save
from nesy.compiler.stats import model_stats

LIBRARY = {entry.program: entry for entry in library()}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_program_is_exact_on_every_input(name):
    entry = LIBRARY[name]
    program = load(entry.path.read_text(), str(entry.path))
    compiled = compile_program(program, entry.vocab, entry.max_len)
    report = check(compiled, program)
    assert report.exhaustive and report.inputs_checked > 0
    assert report.exact == report.inputs_checked, str(report)
    if entry.tracr:
        stats = model_stats(compiled)
        assert stats.layers <= entry.tracr["layers"]
        assert stats.d_model < entry.tracr["d_model"] and stats.params < entry.tracr["params"]


def test_fused_maps_and_folded_views_save_layers():
    # Tracr: reverse 4 layers, dyck1 6, frac_prevs 2
    layers = {name: model_stats(compile_program(load(LIBRARY[name].path.read_text()), LIBRARY[name].vocab,
                                                LIBRARY[name].max_len)).layers
              for name in ("reverse", "dyck1", "frac_prevs")}
    assert layers == {"reverse": 2, "dyck1": 2, "frac_prevs": 1}


def test_batched_forward_matches_one_at_a_time():
    compiled = compile_rasp(LIBRARY["sort_paper"].path.read_text(), "1,2,3", 5)
    batch = [[3, 1, 2, 1], [1, 1, 1, 1], [2, 3, 3, 1]]
    assert compiled.run(batch) == [compiled.run([row])[0] for row in batch] == \
        [[1, 1, 2, 3], [1, 1, 1, 1], [1, 2, 3, 3]]


def test_residual_labels_name_subspaces():
    compiled = compile_rasp("hist = selector_width(select(tokens, tokens, ==));", "a,b", 4)
    labels = compiled.metadata["residual_labels"]
    # tokens:b is implicit (no direction); dead tokens:a and hist_frac are recycled for hist
    assert labels == ["one", "bos", "tokens:a > hist:0", "hist_frac > hist:1", "hist:2", "hist:3"]
    assert compiled.metadata["layers"] == [{"attention": ["hist_frac"], "mlp": ["hist"]}]


@pytest.mark.parametrize("name", ["dyck2", "sort_freq", "reverse"])
def test_recycling_narrows_the_stream_and_stays_exact(name):
    entry = LIBRARY[name]
    program = load(entry.path.read_text())
    wide = compile_program(program, entry.vocab, entry.max_len, recycle=False)
    narrow = compile_program(program, entry.vocab, entry.max_len)
    assert narrow.metadata["d_model"] < wide.metadata["d_model"]
    for compiled in (wide, narrow):
        report = check(compiled, program, limit=1000, samples=300)
        assert report.exact == report.inputs_checked


def test_save_and_load_round_trip(tmp_path):
    compiled = compile_rasp(LIBRARY["reverse"].path.read_text(), "1,2,3", 5)
    json_path = save(compiled, tmp_path / "reverse.pt")
    model, metadata = load_model(tmp_path / "reverse.pt")
    ids = compiled.encode([[1, 2, 3, 3]])
    assert torch.equal(model(ids), compiled.model(ids))
    assert json_path.exists() and metadata["vocab"] == ["1", "2", "3"]


@pytest.mark.parametrize("source, line, words", [
    ("x = 1;\nsorted = aggregate(select(tokens, tokens, <), tokens);\nsorted == 1;", 2,
     "may select several positions"),
    ("n = numerical aggregate(select(tokens, tokens, true), tokens == 1);\nselect(n, n, ==);\n"
     "aggregate(select(n, n, ==), tokens);", 3, "is numerical"),
    ("numerical aggregate(select(tokens, tokens, true), tokens, 1);", 1, "default must be 0"),
    ("categorical aggregate(select(tokens, tokens, true), numerical(tokens + 1));", 1, "categorical aggregate of a numerical"),
])
def test_refused_with_line_and_reason(source, line, words):
    with pytest.raises(NesyInputError) as caught:
        compile_rasp(source, "1,2,3", 4, "bad.rasp")
    assert caught.value.line == line and words in str(caught.value)
    assert str(caught.value).startswith(f"bad.rasp:{line}:")


def test_tables_beyond_the_size_limit_are_refused_not_approximated():
    source = ("same = select(indices, indices, ==);\n"
              "a = aggregate(same, tokens * 100 + indices, 0);\nb = aggregate(same, tokens * 1000 + indices, 0);\n"
              "a + b;")
    with pytest.raises(NesyInputError, match="combinations of categorical inputs") as caught:
        compile_rasp(source, list(range(1, 27)), 32)
    assert caught.value.line == 4


def test_numeric_sum_compiles_exactly_at_scale():
    program = load(LIBRARY["prefix_sum"].path.read_text())
    compiled = compile_program(program, list(range(1, 27)), 32)
    report = check(compiled, program, samples=50)
    assert not report.exhaustive and report.exact == report.inputs_checked == 50


def test_unknown_token_at_run_time():
    compiled = compile_rasp("aggregate(select(indices, indices, ==), tokens);", "a,b", 3)
    with pytest.raises(NesyInputError, match="not in the vocabulary"):
        compiled.run([["a", "c"]])
    with pytest.raises(NesyInputError, match="exceeds max_len"):
        compiled.run([["a"] * 4])


def test_nothing_is_written_at_bos():
    compiled = compile_rasp(LIBRARY["dyck2"].path.read_text(), "(,),{,}", 6)
    final = compiled.model(compiled.encode([list("({)}")]))
    bos = final[0, 0]
    assert torch.allclose(bos[2:], torch.zeros_like(bos[2:]), atol=1e-6) or \
        set(torch.nonzero(bos[2:].abs() > 1e-6).flatten().tolist()) <= {
            i - 2 for i, label in enumerate(compiled.metadata["residual_labels"]) if label.endswith("_frac")}


@pytest.mark.parametrize("source, vocab, max_len", [
    ("aggregate(select(indices, indices, <=), tokens);", "a,b,c", 5),       # most frequent, ties
    ('aggregate(select(indices, indices, <), tokens, "b");', "a,b,c", 5),   # default among values
    ("aggregate(select(tokens, tokens, !=), indices, 1);", "a,b", 6),
    ("tokens;", "a,b", 4),                                                  # no layer at all
    ("1;", "a,b", 3),
    ("numerical (indices * 2);", "a,b", 4),
    ("selector_width(select(tokens, tokens, false));", "a,b", 4),
    ("aggregate(select(tokens, tokens, false), tokens);", "a,b", 4),
])
def test_corner_cases_are_exact(source, vocab, max_len):
    program = load(source)
    report = check(compile_rasp(source, vocab, max_len), program)
    assert report.exhaustive and report.exact == report.inputs_checked, str(report)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_at_scale_is_exact_on_samples(name):
    """max_len 32 and 26 symbols, as `nesy rasp bench --scale` runs it."""
    entry = LIBRARY[name]
    program = load(entry.path.read_text())
    report = check(compile_program(program, entry.scale_vocab, 32), program, samples=100)
    assert report.exact == report.inputs_checked == 100


RUNNING_MAX = """
prefix = select(indices, indices, <=);
seen3 = aggregate(prefix and select(tokens, 3, ==), tokens, 0);
seen2 = aggregate(prefix and select(tokens, 2, ==), tokens, 0);
running_max = max(max(seen3, seen2), 1);
running_max * 10;
"""


def test_running_maximum_then_a_map_compiles():
    # seen3 selects every earlier 3: several positions, one value (proved from the value sets)
    program = load(RUNNING_MAX)
    compiled = compile_program(program, (1, 2, 3), 5)
    assert compiled.run([[1, 3, 2, 1]]) == [[10, 30, 30, 30]]
    report = check(compiled, program, reference=lambda t: [10 * max(t[:i + 1]) for i in range(len(t))])
    assert report.passed and report.inputs_checked == 363


def test_single_valued_aggregate_proved_on_every_input():
    # copy == tokens at every position, which no value set shows: running every input proves it
    source = ('copy = aggregate(select(indices, indices, ==), tokens);\n'
              'a_or_none = aggregate(select(copy, "a", ==), tokens, "none");\na_or_none == "a";')
    program = load(source)
    report = check(compile_rasp(source, "a,b", 4), program)
    assert report.passed and report.inputs_checked == 30


def test_refusal_shows_an_input_and_says_how_to_rewrite():
    with pytest.raises(NesyInputError) as caught:
        compile_rasp("sorted = aggregate(select(tokens, tokens, <), tokens);\nsorted == 1;", "1,2,3", 4, "bad.rasp")
    message = str(caught.value)
    assert message.startswith("bad.rasp:1:10:") and "on input 1 2 3 it selects both 1 and 2" in message
    assert "select(indices, i, ==)" in message and "\n" not in message


def test_long_chain_of_maps_compiles():
    source = "x = tokens;\n" + "x = x + 1;\n" * 3000 + "x;\n"
    program = load(source)
    report = check(compile_rasp(source, "1,2", 2), program)
    assert report.passed and run(program, [1, 2]) == [3001, 3002]


# layers / d_model per library program, at the library's vocab and max_len (the docs' table)
FIGURES = {"length": (1, 7), "reverse": (2, 20), "hist": (1, 7), "sort_unique": (2, 20), "sort": (3, 23),
           "sort_freq": (3, 38), "frac_prevs": (1, 8), "pair_balance": (1, 9), "dyck1": (2, 18), "dyck2": (3, 18),
           "count_a": (1, 7), "detect_abc": (1, 14), "shift_by_1": (1, 11), "sort_paper": (3, 23),
           "prefix_sum": (1, 9)}


def test_library_figures_are_unchanged():
    figures = {}
    for name, entry in LIBRARY.items():
        stats = model_stats(compile_program(load(entry.path.read_text()), entry.vocab, entry.max_len))
        figures[name] = (stats.layers, stats.d_model)
    assert figures == FIGURES


class _RunsCode:
    def __reduce__(self):
        import os
        return (os.system, ("echo ran > ran.txt",))


def test_model_file_that_runs_code_is_refused_unrun(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    torch.save({"state_dict": {}, "metadata": _RunsCode()}, tmp_path / "evil.pt")
    with pytest.raises(NesyInputError, match="could run code: refused"):
        load_model(tmp_path / "evil.pt")
    assert not (tmp_path / "ran.txt").exists()


@pytest.mark.parametrize("damage, words", [
    (lambda saved: saved["metadata"].update(max_len=10 ** 12), "position_embedding.weight"),
    (lambda saved: saved["metadata"].update(vocab="abc"), "'vocab' is not a list"),
    (lambda saved: saved["metadata"].update(shapes=[{"heads": 3}]), "'shapes' is damaged"),
    (lambda saved: saved["state_dict"].pop("layers.0.mlp.W_in"), "not the ones its metadata describes"),
    (lambda saved: saved.pop("metadata"), "expected {'state_dict', 'metadata'}"),
])
def test_damaged_model_metadata_is_one_line(tmp_path, damage, words):
    path = tmp_path / "reverse.pt"
    save(compile_rasp(LIBRARY["reverse"].path.read_text(), "1,2,3", 5), path)
    saved = torch.load(path, weights_only=True)
    damage(saved)
    torch.save(saved, path)
    with pytest.raises(NesyInputError, match="not a compiled RASP model") as caught:
        load_model(path)
    assert words in str(caught.value) and "\n" not in str(caught.value)
