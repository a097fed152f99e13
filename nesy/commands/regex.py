"""`nesy regex equiv|match|convert|from-text`: decide equivalence with Z3, test membership, translate
syntaxes, and write a regex from an English description (`nesy.nlregex`).

Synthesis itself is `nesy synth --dsl regex FILE` and `nesy bench regex --suite DIR`.
"""
from __future__ import annotations

import argparse
from typing import Any

from nesy.commands.options import positive_seconds

_SYNTAX_HELP = ("a regex in the --syntax given (everyday: Python's re syntax, e.g. '[a-z]+\\d{2}'; quote it "
                "for the shell)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("regex", help="regex tools: equivalence (Z3), membership, syntax conversion",
                                   description="Regexes in the everyday syntax (a|b, a+, [a-z], \\d, {m,n}) "
                                   "or AlphaRegex's textbook one (r+r union, X any symbol, e empty string).")
    commands = parser.add_subparsers(dest="regex_command", metavar="ACTION")
    commands.required = True

    equiv = commands.add_parser("equiv", help="are two regexes equivalent? prints a distinguishing string if not",
                                description="Decide L(R1) == L(R2) with Z3. Exit status 0: equivalent, "
                                "1: different (a string in exactly one of them is printed), 2: bad input, "
                                "3: Z3 gave up.")
    equiv.add_argument("first", metavar="R1", help=f"the first regex: {_SYNTAX_HELP}")
    equiv.add_argument("second", metavar="R2", help="the second regex, in the same syntax")
    equiv.add_argument("--alphabet", help="compare only strings over these symbols, e.g. 01 (not empty)")
    equiv.add_argument("--timeout", type=positive_seconds, default=10.0, help="Z3 seconds (default 10)")
    _syntax_option(equiv)
    equiv.set_defaults(func=equiv_command)

    match = commands.add_parser("match", help="which strings does a regex accept (derivative matcher)",
                                description="Whole-string membership, as re.fullmatch decides it. Exit status 0: "
                                "every STRING accepted, 1: some rejected, 2: bad input.")
    match.add_argument("regex", metavar="R", help=_SYNTAX_HELP)
    match.add_argument("strings", nargs="+", metavar="STRING", help="strings to test against the whole of R")
    _syntax_option(match)
    match.set_defaults(func=match_command)

    score = commands.add_parser("score", help="compare a benchmark's answers with the suite's ground truths (Z3)",
                                description="For each answer in a `nesy bench regex --json` file whose task "
                                "has a ground truth (FOREST `**`, Regel `// gt`), decide equivalence with Z3.")
    score.add_argument("results", help="JSON written by nesy bench regex --json")
    score.add_argument("--suite", required=True, help="the suite the results came from")
    score.add_argument("--timeout", type=positive_seconds, default=5.0, help="Z3 seconds per comparison (default 5)")
    score.set_defaults(func=score_command)

    from_text = commands.add_parser(
        "from-text", help="a regex from an English description (neural beam, exact re-ranking, repair by examples)",
        description="Translate a description into a regex: the shipped seq2seq model proposes a beam in "
        "Deep-Regex's syntax (& intersection, ~ complement, \\b word boundary), malformed and empty-language "
        "candidates are dropped, language-equal ones merged (exact check); with --pos/--neg, the most probable "
        "candidate that classifies them all is kept, else one is repaired, else found by example search. Put "
        "words to match in quotes: \"lines with 'dog' twice\". Exit status 0: a regex printed, 1: none found, "
        "2: bad input.")
    from_text.add_argument("description", help="the English description, quoted words in ' or \"")
    from_text.add_argument("--pos", nargs="+", default=[], metavar="STRING", help="strings the regex must accept")
    from_text.add_argument("--neg", nargs="+", default=[], metavar="STRING", help="strings the regex must reject")
    from_text.add_argument("--model", default=None, metavar="FILE",
                           help="model weights (default: the shipped datasets/nlregex/model.pt)")
    from_text.add_argument("--beam", type=int, default=10, metavar="N", help="beam width (default 10)")
    from_text.add_argument("--show", type=int, default=5, metavar="N", help="candidates listed (default 5)")
    from_text.add_argument("--timeout", type=positive_seconds, default=10.0,
                           help="seconds for example search when no candidate can be repaired (default 10)")
    from_text.set_defaults(func=from_text_command)

    convert = commands.add_parser("convert", help="print a regex in both syntaxes, with its size")
    convert.add_argument("regex", metavar="R", help=_SYNTAX_HELP)
    _syntax_option(convert)
    convert.set_defaults(func=convert_command)


def _syntax_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--syntax", choices=("everyday", "textbook", "deepregex"), default="everyday",
                        help="syntax of the regex arguments (default everyday; deepregex: Deep-Regex's, with & "
                        "intersection, ~ complement and \\b word boundary, decided exactly by derivatives)")


def _read(text: str, syntax: str, name: str) -> Any:
    """A regex argument in the syntax given."""
    if syntax == "deepregex":
        from dsl.regex.deepregex import parse_deepregex

        return parse_deepregex(text, path=name)
    from dsl.regex import parse_regex

    return parse_regex(text, syntax, name)


def _deepregex_equiv(args: argparse.Namespace) -> int:
    from dsl.errors import NesyInputError
    from dsl.regex.equivalence import Verdict, decide
    from dsl.regex.ops import accepts

    if args.alphabet is not None:
        raise NesyInputError("--alphabet is not supported with --syntax deepregex (it compares all strings)")
    first, second = _read(args.first, "deepregex", "R1"), _read(args.second, "deepregex", "R2")
    comparison = decide(first, second, seconds=args.timeout, max_states=200_000)
    if comparison.verdict is Verdict.UNKNOWN:
        print(f"unknown: gave up after {comparison.states} states")
        return 3
    if comparison.verdict is Verdict.EQUIVALENT:
        print("equivalent")
        return 0
    side = "R1" if accepts(first, comparison.witness) else "R2"
    print(f"different: {comparison.witness!r} is accepted by {side} only")
    return 1


def equiv_command(args: argparse.Namespace) -> int:
    from dsl.regex import parse_regex
    from solvers.regex.checking import z3_equivalence

    from dsl.errors import NesyInputError

    if args.syntax == "deepregex":
        return _deepregex_equiv(args)
    if args.alphabet == "":
        raise NesyInputError("--alphabet is empty: give the symbols the strings may use, e.g. --alphabet 01")
    first = _as_z3(parse_regex(args.first, args.syntax, "R1"), "R1")
    second = _as_z3(parse_regex(args.second, args.syntax, "R2"), "R2")
    try:
        verdict = z3_equivalence(first, second, args.alphabet, int(args.timeout * 1000))
    except NesyInputError as error:
        raise NesyInputError(f"--alphabet: {error}") from None
    if verdict.equivalent is None:
        print("unknown: Z3 gave up")
        return 3
    if verdict.equivalent:
        print("equivalent")
        return 0
    side = "R1" if verdict.in_first else "R2"
    print(f"different: {verdict.witness!r} is accepted by {side} only")
    return 1


def _as_z3(regex: Any, name: str) -> Any:
    """The regex in Z3, or the reason it has none, naming the argument."""
    from dsl.errors import NesyInputError
    from dsl.regex import to_z3

    try:
        return to_z3(regex)
    except NesyInputError as error:
        raise NesyInputError(str(error), path=name) from None


def match_command(args: argparse.Namespace) -> int:
    from dsl.regex import accepts

    regex = _read(args.regex, args.syntax, "R")
    verdicts = [accepts(regex, text) for text in args.strings]
    for text, verdict in zip(args.strings, verdicts):
        print(f"{'accept' if verdict else 'reject'}  {text!r}")
    return 0 if all(verdicts) else 1


def from_text_command(args: argparse.Namespace) -> int:
    from dsl.errors import NesyInputError
    from dsl.regex.deepregex import to_everyday_if_plain
    from nesy.nlregex.translate import translate

    if args.beam < 1 or args.show < 0:
        raise NesyInputError("--beam must be at least 1 and --show at least 0")
    result = translate(args.description, args.pos, args.neg, model=args.model, beam=args.beam,
                       repair_seconds=min(5.0, args.timeout), search_seconds=args.timeout)
    print(f"read as: {' '.join(result.description)}" + (f"   (<M0>.. = {', '.join(map(repr, result.words))})"
                                                        if result.words else ""))
    if result.answer is None:
        print("no regex: every candidate was malformed or empty" + (", none fits the examples and example "
                                                                   "search found none" if args.pos or args.neg else ""))
        return 1
    print(f"regex: {result.answer.text}   ({result.answer.source}"
          + (f", p = {result.answer.probability:.3f}" if result.answer.source == "network" else "") + ")")
    everyday = to_everyday_if_plain(result.answer.program)
    print(f"python re: {everyday}" if everyday is not None else
          "python re: (none: Python's re has no & or ~, and its \\b differs under whole-string matching)")
    for rank, candidate in enumerate(result.reranked.candidates[:args.show], 1):
        merged = f", {len(candidate.spellings)} spellings merged" if len(candidate.spellings) > 1 else ""
        fits = ""
        if args.pos or args.neg:
            fits = ", fits the examples" if candidate.consistent(args.pos, args.neg) else ", misfits the examples"
        print(f"  {rank}. p = {candidate.probability:.3f}  {candidate.text}{merged}{fits}")
    dropped = result.reranked
    if dropped.malformed or dropped.empty:
        print(f"  (dropped from the beam: {dropped.malformed} malformed, {dropped.empty} with an empty language)")
    return 0


def convert_command(args: argparse.Namespace) -> int:
    from dsl.errors import NesyInputError
    from dsl.regex import to_everyday, to_textbook
    from dsl.regex.deepregex import to_deepregex, uses_extensions

    regex = _read(args.regex, args.syntax, "R")
    if args.syntax == "deepregex" or uses_extensions(regex):
        print(f"deepregex: {to_deepregex(regex)}")
        if uses_extensions(regex):
            print("everyday: (none: Python's re has no & or ~, and its \\b differs under whole-string matching)")
            print(f"size: {regex.size}")
            return 0
    print(f"everyday: {to_everyday(regex)}")
    try:
        print(f"textbook: {to_textbook(regex)}")
    except NesyInputError as error:
        print(f"textbook: (none: {error})")
    print(f"size: {regex.size}")
    return 0


def score_command(args: argparse.Namespace) -> int:
    import json

    from dsl.regex.ground_truth import ground_truth_z3
    from dsl.regex.task_files import load_regex_tasks
    from solvers.regex.checking import z3_classifies, z3_equivalence

    rows = _bench_rows(args.results)
    tasks = {t.name: t for t in load_regex_tasks(args.suite)}
    counts = {"tasks": len(rows), "answered": 0, "with_truth": 0, "truth_fits_examples": 0, "equivalent": 0,
              "equivalent_where_truth_fits": 0}
    for row in rows:
        task = tasks.get(row["task"])
        if task is None or row["status"] not in ("solved", "fits-examples") or not row["program"]:
            continue
        counts["answered"] += 1
        truth = ground_truth_z3(task)
        if truth is None:
            continue
        counts["with_truth"] += 1
        fits = z3_classifies(truth, [e.inputs[0] for e in task.examples if e.output],
                             [e.inputs[0] for e in task.examples if not e.output])
        counts["truth_fits_examples"] += bool(fits)
        verdict = z3_equivalence(_answer(row, args.results), truth, timeout_ms=int(args.timeout * 1000))
        if verdict.equivalent:
            counts["equivalent"] += 1
            counts["equivalent_where_truth_fits"] += bool(fits)
        else:
            why = "Z3 gave up" if verdict.equivalent is None else f"differs on {verdict.witness!r}"
            print(f"{row['task']}: {row['program']}  {why}{'' if fits else ' (ground truth misfits its examples)'}")
    print(json.dumps(counts))
    return 0


def _bench_rows(path: str) -> list[dict[str, Any]]:
    """The `results` of a `nesy bench --json` file, each with a string `task`, `status` and `program`."""
    import json
    from pathlib import Path

    from dsl.errors import NesyInputError
    from dsl.task_files import read_task_text

    try:
        rows = json.loads(read_task_text(Path(path), "results file"))["results"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise NesyInputError(f"not a nesy bench JSON file ({error})", path=path) from None
    if not isinstance(rows, list):
        raise NesyInputError("not a nesy bench JSON file (\"results\" is not a list)", path=path)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not all(isinstance(row.get(key), str) for key in ("task", "status")) \
                or not isinstance(row.get("program"), (str, type(None))):
            raise NesyInputError(f"result {number} is not {{\"task\": ..., \"status\": ..., \"program\": ...}} with "
                                 f"strings", path=path)
    return rows


def _answer(row: dict[str, Any], path: str) -> Any:
    """A result's program as a regex, or an error naming the results file and the task."""
    from dsl.errors import NesyInputError
    from dsl.regex import parse_regex

    try:
        return parse_regex(row["program"], path=row["task"])
    except NesyInputError as error:
        raise NesyInputError(f"answer to task {error}", path=path) from None
