"""`nesy rasp run|compile|check|show|bench|distill`: the RASP language, its compiler to transformers,
and distillation of a model back into a RASP program. (`nesy rasp bench` benchmarks the compiler
on the library; synthesis from examples is `nesy synth --dsl rasp` and `nesy bench rasp`.)"""
from __future__ import annotations

import argparse

from nesy.commands.options import nonnegative_int, output_file, positive_int, positive_seconds

PROGRAM_HELP = "the .rasp program"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rasp", help="run RASP programs and compile them to transformers",
                                   description="RASP (Weiss et al. 2021): run a program, compile it into "
                                   "exact transformer weights, check the model against the interpreter.")
    commands = parser.add_subparsers(dest="rasp_command", metavar="ACTION")
    commands.required = True

    run = commands.add_parser("run", help="run a .rasp program on one input")
    run.add_argument("file", help=PROGRAM_HELP)
    run.add_argument("--input", required=True, help='tokens separated by spaces, e.g. "a b c"')
    run.add_argument("--trace", action="store_true", help="print every named sequence too")
    run.set_defaults(func=run_command)

    for name, helptext in (("compile", "compile a program into a torch model"),
                           ("check", "compile and compare the model with the interpreter "
                            "(and the program with a reference)")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("file", help=PROGRAM_HELP)
        sub.add_argument("--vocab", required=True, help="comma-separated tokens, e.g. a,b,c or 1,2,3")
        sub.add_argument("--max-len", type=positive_int, required=True, help="longest input the model takes")
        if name == "compile":
            sub.add_argument("--out", required=True, help="model file (.pt); metadata goes to the .json beside it")
            sub.add_argument("--transformer-lens", metavar="FILE",
                             help="also write {'config', 'state_dict'} in TransformerLens HookedTransformer names")
            sub.set_defaults(func=compile_command)
        else:
            _check_options(sub)
            sub.add_argument("--reference", metavar="SPEC",
                             help="the intended behaviour, to check the program against too: FILE.py[:FUNCTION] "
                             "(a function from a token list to the output list; default name 'reference') "
                             "or an I/O file of lines 'a b c -> c b a'")
            sub.set_defaults(func=check_command)

    show = commands.add_parser("show", help="heat map of the residual stream on one input")
    show.add_argument("file", help=PROGRAM_HELP)
    show.add_argument("--input", required=True, help='tokens separated by spaces, e.g. "a b c"')
    show.add_argument("--vocab", help="comma-separated tokens (default: those of the input)")
    show.add_argument("--max-len", type=positive_int, help="longest input the model takes (default: the input's length)")
    show.add_argument("--png", required=True, help="picture file to write")
    show.set_defaults(func=show_command)

    bench = commands.add_parser("bench", help="compile and check the standard library; print the table "
                                "(the compiler's benchmark; synthesis from examples: nesy bench rasp)")
    bench.add_argument("--json", dest="json_out", help="write {'results': [...]} here")
    bench.add_argument("--scale", action="store_true", help="26-symbol vocabulary and --scale-len instead")
    bench.add_argument("--scale-len", type=positive_int, default=32, help="max length with --scale (default 32)")
    bench.add_argument("--programs", help="comma-separated subset of the library")
    bench.add_argument("--no-cold", dest="cold", action="store_false",
                       help="skip the cold columns (first compile in a fresh process; whole `nesy rasp compile`)")
    _check_options(bench)
    bench.set_defaults(func=bench_command)

    distill = commands.add_parser("distill", help="synthesize a RASP program from a model's behaviour and "
                                  "compare the two on every input up to the length",
                                  epilog="exit status: 0 program and model agree on every input compared, "
                                  "1 no program or a disagreement, 2 bad input")
    distill.add_argument("model", metavar="MODEL", help="a compiled model file (.pt, from nesy rasp compile --out)")
    distill.add_argument("--vocab", help="comma-separated tokens to query with (default: the model's vocabulary)")
    distill.add_argument("--max-len", type=positive_int, help="longest input (default: the model's max length)")
    distill.add_argument("--timeout", type=positive_seconds, default=60.0, help="seconds per search round (default 60)")
    distill.add_argument("--examples", type=positive_int, default=12, help="model queries to search from (default 12)")
    distill.add_argument("--rounds", type=positive_int, default=3,
                         help="search rounds (the inputs a program gets wrong join the examples; default 3)")
    distill.add_argument("--limit", type=positive_int, default=200_000,
                         help="compare on every input when there are at most this many")
    distill.add_argument("--samples", type=positive_int, default=5000, help="random inputs compared beyond the limit")
    distill.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the queries and samples (default 0)")
    distill.add_argument("--out", help="write the program here (.rasp)")
    distill.set_defaults(func=distill_command)


def _check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=positive_int, default=200_000,
                        help="check every input when there are at most this many")
    parser.add_argument("--samples", type=nonnegative_int, default=2000, help="random inputs checked beyond the limit")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the sampled inputs (default 0)")


def _tokens(text: str) -> list:
    from dsl.rasp.values import parse_token
    return [parse_token(t) for t in text.split()]


def _vocab(text: str) -> list:
    from dsl.errors import NesyInputError
    from dsl.rasp.values import parse_token
    tokens = [parse_token(t) for t in text.split(",") if t.strip() != ""]
    if not tokens:
        raise NesyInputError(f"--vocab {text!r} has no tokens")
    return tokens


def run_command(args: argparse.Namespace) -> int:
    from dsl.rasp import load_file
    from dsl.rasp.interpreter import run, trace
    from dsl.rasp.values import format_value

    program = load_file(args.file)
    tokens = _tokens(args.input)
    if args.trace:
        for name, values in trace(program, tokens, args.file).items():
            print(f"{name:>16}: {' '.join(format_value(v) for v in values)}")
    print(" ".join(format_value(v) for v in run(program, tokens, args.file)))
    return 0


def _compile(args: argparse.Namespace, vocab, max_len):
    import time
    from dsl.rasp import load_file
    from nesy.compiler import compile_program

    program = load_file(args.file)
    start = time.perf_counter()
    compiled = compile_program(program, vocab, max_len, args.file)
    return program, compiled, time.perf_counter() - start


def _summary(compiled, seconds: float) -> str:
    from nesy.compiler.stats import model_stats
    s = model_stats(compiled)
    return (f"layers {s.layers}, heads {s.heads}, d_model {s.d_model}, mlp_hidden {s.mlp_hidden}, "
            f"params {s.params} ({s.nonzero} non-zero), compiled in {seconds:.3f} s")


def compile_command(args: argparse.Namespace) -> int:
    from nesy.compiler.files import save
    output_file(args.out, "--out")
    if args.transformer_lens:
        output_file(args.transformer_lens, "--transformer-lens")
    _, compiled, seconds = _compile(args, _vocab(args.vocab), args.max_len)
    json_path = save(compiled, args.out)
    print(_summary(compiled, seconds))
    print(f"wrote {args.out} and {json_path}")
    if args.transformer_lens:
        from nesy.compiler.export import transformer_lens_arrays, transformer_lens_config
        from nesy.compiler.torch_file import save_torch_file
        save_torch_file({"config": transformer_lens_config(compiled),
                         "state_dict": transformer_lens_arrays(compiled)}, args.transformer_lens)
        print(f"wrote {args.transformer_lens}")
    return 0


def check_command(args: argparse.Namespace) -> int:
    """Exit 0 only when every input was compared, at least one was, and all agreed."""
    from tqdm import tqdm
    from nesy.compiler.check import check, count_inputs, load_reference

    program, compiled, seconds = _compile(args, _vocab(args.vocab), args.max_len)
    reference = load_reference(args.reference, compiled) if args.reference else None
    print(_summary(compiled, seconds))
    total = count_inputs(len(compiled.vocab), compiled.max_len)
    with tqdm(total=total if total <= args.limit else args.samples, unit="input", leave=False) as bar:
        report = check(compiled, program, args.limit, args.samples, args.seed, progress=bar,
                       reference=reference, path=args.file)
    print(report)
    return 0 if report.passed else 1


def show_command(args: argparse.Namespace) -> int:
    from nesy.compiler.picture import residual_picture
    from dsl.rasp.values import format_value

    output_file(args.png, "--png")
    tokens = _tokens(args.input)
    vocab = _vocab(args.vocab) if args.vocab else tokens
    _, compiled, _ = _compile(args, vocab, args.max_len or len(tokens))
    output = compiled.run([tokens])[0]
    residual_picture(compiled, tokens, args.png)
    print(" ".join(format_value(v) for v in output))
    print(f"wrote {args.png}")
    return 0


def bench_command(args: argparse.Namespace) -> int:
    import json
    from tqdm import tqdm
    from dsl.errors import NesyInputError
    from nesy.compiler.bench import bench_one, cold_seconds, expected_inputs, format_table, library

    if args.json_out:
        output_file(args.json_out, "--json")

    entries = library()
    if args.programs:
        wanted = args.programs.split(",")
        unknown = sorted(set(wanted) - {e.program for e in entries})
        if unknown:
            raise NesyInputError(f"--programs: not in the library: {', '.join(unknown)}")
        entries = [e for e in entries if e.program in wanted]
    total = sum(expected_inputs(e, args.scale, args.samples, args.limit, args.scale_len) for e in entries)
    rows = []
    with tqdm(total=total, unit="input", leave=False) as bar:
        for entry in entries:
            bar.set_description(entry.program)
            row = bench_one(entry, args.scale, args.scale_len, args.samples, args.limit, progress=bar)
            if args.cold and "error" not in row:
                vocab, max_len = (entry.scale_vocab, args.scale_len) if args.scale else (entry.vocab, entry.max_len)
                row.update(cold_seconds(entry, vocab, max_len))
            rows.append(row)
    print(format_table(rows))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"results": rows}, out, indent=1)
    return 0 if all(r.get("passed") for r in rows if "error" not in r) else 1


def distill_command(args: argparse.Namespace) -> int:
    from dsl.errors import NesyInputError
    from dsl.rasp.values import format_value, identity_key
    from nesy.rasp_synthesis.distill import CompiledModelQuery, distill

    if args.out:
        output_file(args.out, "--out")
    model = CompiledModelQuery(args.model)
    vocab = _vocab(args.vocab) if args.vocab else model.vocab
    known = {identity_key(v) for v in model.vocab}
    strangers = [v for v in vocab if identity_key(v) not in known]
    if strangers:
        raise NesyInputError(f"--vocab: {format_value(strangers[0])!r} is not in the model's vocabulary "
                             f"({', '.join(format_value(v) for v in model.vocab)})")
    max_len = args.max_len or model.max_len
    if max_len > model.max_len:
        raise NesyInputError(f"--max-len {max_len}: the model takes inputs up to {model.max_len}")
    found = distill(model, vocab, max_len, examples=args.examples, timeout=args.timeout, rounds=args.rounds,
                    seed=args.seed, limit=args.limit, samples=args.samples)
    print(found)
    if args.out and found.result.found:
        with open(args.out, "w") as out:
            out.write(found.result.program_text)
        print(f"wrote {args.out}")
    return 0 if found.agrees else 1
