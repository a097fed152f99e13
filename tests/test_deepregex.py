"""Deep-Regex's syntax (dsl.regex.deepregex) and exact equivalence with `&`, `~` and `\\b`
(dsl.regex.equivalence): round trips, known equal / unequal pairs, witnesses, Z3 as a second opinion."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from dsl.errors import NesyInputError
from dsl.regex import matcher
from dsl.regex.deepregex import parse_deepregex, to_deepregex
from dsl.regex.equivalence import Verdict, decide, is_empty, z3_equivalent
from dsl.regex.ops import accepts, to_term

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nl-regex"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no Deep-Regex data at {DATA}")


def lines(split: str, name: str) -> list[str]:
    return (DATA / split / name).read_text().split("\n")


@pytest.mark.parametrize("text, plain", [
    (". * <M0> . *", ".*dog.*"),
    ("( [ <VOW> ] ) & ( ~ ( <M0> ) )", "[AEIOUaeiou]&~(dog)"),
    ("\\ b [ <LET> ] + \\ b", "\\b[A-Za-z]+\\b"),
    ("( ( <M0> ) | ( [ <NUM> ] ) ) { 2 , }", "(dog|[0-9]){2,}"),
    ("( . * \\ b [ <LET> ] + \\ b . * ) { 1 0 }", "(.*\\b[A-Za-z]+\\b.*){10}"),
    ("[ ^ <LET> ] * [ <CAP> - <LOW> ]", "[^A-Za-z]*[\\-A-Za-z]"),
    ("~ ( a ) * & b | c", "~a*&b|c"),
    ("( )", "()"),
])
def test_reads_tokenised_and_plain_alike(text, plain):
    program = parse_deepregex(text)
    assert to_deepregex(program) == plain
    assert parse_deepregex(plain) == program


def test_words_replace_placeholders():
    program = parse_deepregex(". * <M0> . * <M1>", words=["cat", "x y"[:1]])
    assert accepts(program, "a cat and x") and not accepts(program, "a dog and x")


@pytest.mark.parametrize("bad, where", [
    ("( dog", "end of input"), ("dog )", "')'"), ("[ ]", "']'"), ("a { 3 , 2 }", "reversed"),
    ("[ z - a ]", "backwards"), ("<M5>", "quoted word 6"), ("a @", "'@'"), ("", None),
])
def test_malformed_regex_is_one_line_error(bad, where):
    if where is None:   # the empty regex is the empty string, as dk.brics reads ""
        assert accepts(parse_deepregex(bad), "")
        return
    with pytest.raises(NesyInputError) as error:
        parse_deepregex(bad)
    assert "\n" not in str(error.value) and where in str(error.value)


@pytest.mark.parametrize("first, second", [
    ("~(.*dog.*)&~(.*truck.*)", "~(.*(dog|truck).*)"),          # De Morgan
    ("~(~(.*dog.*))", ".*dog.*"),
    ("(.*dog.*)&(.*[0-9].*)", "(.*dog.*[0-9].*)|(.*[0-9].*dog.*)"),
    ("([0-9])&([AEIOUaeiou])", "#"),
    ("~(.*)", "#"),
    (".*\\b.*", ".*[0-9A-Za-z_].*"),                                # a boundary exists iff a word character does
    ("\\bdog\\b", "dog"),                                          # the ends of the string are boundaries
    ("[A-Z]{3,}&~([A-Z]{4,})", "[A-Z]{3}"),
    ("(dog){2,}", "dog(dog)+"),
])
def test_known_equal_pairs(first, second):
    assert decide(parse_deepregex(first), parse_deepregex(second)).verdict is Verdict.EQUIVALENT


@pytest.mark.parametrize("first, second", [
    (".*dog.*", ".*\\bdog\\b.*"),
    ("~(.*dog.*)", "~(dog)"),
    ("(.*dog.*)&(.*truck.*)", ".*dog.*truck.*"),
    ("[A-Z]{3,}&~([A-Z]{4,})", "[A-Z]{3,4}"),
    ("a\\bb", "ab"),                                               # no boundary between two letters
    ("(\\b|x){2}y", "xy"),
])
def test_known_unequal_pairs_with_a_real_witness(first, second):
    a, b = parse_deepregex(first), parse_deepregex(second)
    comparison = decide(a, b)
    assert comparison.verdict is Verdict.DIFFERENT
    assert accepts(a, comparison.witness) != accepts(b, comparison.witness)


def test_boundary_semantics_on_strings():
    words = parse_deepregex(".*\\bdog\\b.*")
    assert accepts(words, "a dog.") and accepts(words, "dog") and not accepts(words, "hotdog")
    assert not accepts(words, "dogs") and accepts(words, "dog_x") is False
    # `(\b|x){2}` may spend an iteration on the boundary at the start: "x" then "y" needs it
    assert accepts(parse_deepregex("(\\b|x){2}y"), "xy") and accepts(parse_deepregex("(\\b|x){2}y"), "y")
    assert accepts(parse_deepregex("(\\b|x){2}"), "x") and not accepts(parse_deepregex("(\\b|x){2}y"), "xxxy")


def test_emptiness():
    assert is_empty(parse_deepregex("[0-9]&[A-Z]")).verdict is Verdict.EQUIVALENT
    member = is_empty(parse_deepregex("~(.*dog.*)&[a-z]{3}&(d.*)")).witness
    assert member is not None and len(member) == 3 and member.startswith("d") and member != "dog"


def test_state_cap_says_unknown():
    a = parse_deepregex("(.*[0-9].*){6}&(.*[A-Z].*){6}")
    b = parse_deepregex("(.*[0-9].*){6}&(.*[A-Z].*){5}")
    assert decide(a, b, max_states=5).verdict is Verdict.UNKNOWN


def test_plain_regexes_keep_their_terms():
    """The old matcher's terms for regexes without `\\b` are unchanged (derivative flags unused)."""
    term = to_term(parse_deepregex("(a|b){2,3}c*"))
    assert matcher.derivative(term, "a") == matcher.derivative(term, "a", True)


@needs_data
def test_every_reference_line_reads_and_round_trips_sampled():
    rng = random.Random(0)
    for split, name in [("turk", "targ-test.txt"), ("synth", "targ-test.txt"), ("kushman", "targ-val.txt")]:
        for text in rng.sample(lines(split, name), 150):
            program = parse_deepregex(text)
            assert parse_deepregex(to_deepregex(program)) == program


@needs_data
def test_z3_agrees_where_it_can_decide():
    rng = random.Random(1)
    refs = [parse_deepregex(t) for t in rng.sample(lines("turk", "targ-test.txt"), 120)]
    plain = [r for r in refs if not matcher.has_boundary(to_term(r))]
    checked = 0
    for a, b in zip(plain, plain[1:] + plain[:1]):
        for pair in ((a, b), (a, a)):
            ours = decide(*pair).equivalent
            theirs = z3_equivalent(*pair, timeout_ms=3000)
            if theirs is not None and ours is not None:
                assert ours == theirs
                checked += 1
    assert checked > 20


@needs_data
@pytest.mark.slow
def test_every_reference_line_reads_and_round_trips():
    failures = []
    for path in sorted(DATA.glob("*/targ-*.txt")):
        for number, text in enumerate(path.read_text().split("\n"), 1):
            try:
                program = parse_deepregex(text)
            except NesyInputError as error:
                failures.append(f"{path.parent.name}/{path.name}:{number}: {error}")
                continue
            assert parse_deepregex(to_deepregex(program)) == program
    # one KB13 training line is garbled in the data itself: `[ < <M0> ET> ]` (for `[ <LET> ]`)
    assert len(failures) == 1 and "kushman/targ-train.txt:357" in failures[0]


def test_cli_equiv_match_convert_with_deepregex_syntax(capsys):
    from nesy.cli import main

    assert main(["regex", "equiv", "--syntax", "deepregex", "~(.*dog.*)&~(.*truck.*)", "~(.*(dog|truck).*)"]) == 0
    assert main(["regex", "equiv", "--syntax", "deepregex", ".*\\bdog\\b.*", ".*dog.*"]) == 1
    assert "accepted by R2 only" in capsys.readouterr().out
    assert main(["regex", "match", "--syntax", "deepregex", ".*\\bdog\\b.*", "a dog", "hotdog"]) == 1
    assert main(["regex", "convert", "--syntax", "deepregex", "( <M0> ) { 2 , }"]) == 0
    assert "everyday: (dog){2,}" in capsys.readouterr().out
    assert main(["regex", "equiv", "--syntax", "deepregex", "(dog", "dog"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.slow
def test_witnesses_do_not_depend_on_the_hash_seed():
    """Terms hold None (an unbounded count), whose hash is its address: nothing decide returns may
    follow a set's iteration order. Same witnesses in processes with different PYTHONHASHSEED."""
    import subprocess
    import sys

    pairs = [(".*dog.*", ".*\\bdog\\b.*"), ("(.*dog.*){2,}&~(.*[0-9].*)", "(.*dog.*){2,}"),
             ("~(.*[A-Z].*)&[a-z]{2,}", "[a-z]*"), ("\\b[A-Z]+\\b.*", "[A-Z]+.*"), ("[^dog]{3}", "...")]
    script = ("import sys; from dsl.regex.deepregex import parse_deepregex as p; "
              "from dsl.regex.equivalence import decide; "
              f"print([decide(p(a), p(b)).witness for a, b in {pairs!r}])")
    repo = Path(__file__).resolve().parents[1]
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=repo, check=True,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (0, 1, 2)}
    assert len(outputs) == 1 and "None" not in outputs.pop()
