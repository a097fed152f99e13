"""Exactness: the compiled model against the interpreter, on every input up to max_len when
there are few enough, on a seeded random sample otherwise; and, when given one, the program
against a reference (a Python function or I/O examples: what the program is meant to do).

The model's numerical outputs are decoded to exact values first (`Readout.decode_number`, within
`NUMERIC_TOLERANCE`), then compared exactly. An input the interpreter refuses cannot be compared:
it is counted as skipped, and a check with skipped inputs (or none compared) fails.
"""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import torch

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.interpreter import run
from dsl.rasp.values import Value, format_value, identity_key, is_number, parse_number, parse_token
from nesy.compiler.assemble import NUMERIC_TOLERANCE, Compiled

EXHAUSTIVE_LIMIT = 200_000
BATCH = 512
SHOWN = 3   # disagreements and skipped inputs printed per comparison

Reference = Callable[[list[Value]], Sequence[Value]]


@dataclass(frozen=True)
class Example:
    """One line of an I/O file: the input and the intended output, as the user wrote them."""
    tokens: list[Value]
    expected: list[str]
    line: int


@dataclass
class Agreement:
    """How often two computations gave the same output, with the first disagreements
    (input, what the first gave, what the second gave)."""
    what: str                     # "model == interpreter"
    compared: int = 0
    agreed: int = 0
    mismatches: list[tuple[list[Value], list[Value], object]] = field(default_factory=list)

    def add(self, tokens: list[Value], want: list[Value], got, equal: bool) -> None:
        self.compared += 1
        if equal:
            self.agreed += 1
        elif len(self.mismatches) < 10:
            self.mismatches.append((tokens, want, got))

    @property
    def ok(self) -> bool:
        return self.compared > 0 and self.agreed == self.compared

    def lines(self, first: str, second: str) -> list[str]:
        text = [f"{self.what}: {self.agreed}/{self.compared} agree"]
        for tokens, want, got in self.mismatches[:SHOWN]:
            shown = _show(got) if isinstance(got, list) else got
            text.append(f"  input {_show(tokens)}: {first} {_show(want) or '-'}, {second} {shown}")
        return text


@dataclass
class CheckReport:
    """What `check` compared: the model against the interpreter on every input of the domain (or a
    sample), the inputs it could not compare (the interpreter fails on them), and optionally the
    program against a reference (the intended behaviour)."""
    exhaustive: bool
    domain: str                                   # "all 363 inputs of length 1..5 over 3 tokens"
    model: Agreement = field(default_factory=lambda: Agreement("model == interpreter"))
    skipped: int = 0
    skipped_examples: list[tuple[list[Value], str]] = field(default_factory=list)
    reference: Agreement | None = None

    @property
    def inputs_checked(self) -> int:
        return self.model.compared

    @property
    def exact(self) -> int:
        return self.model.agreed

    @property
    def mismatches(self) -> list:
        return self.model.mismatches

    @property
    def exact_fraction(self) -> float:
        """Agreeing inputs among all inputs tried (skipped ones count against): 0 when none was."""
        tried = self.inputs_checked + self.skipped
        return self.exact / tried if tried else 0.0

    @property
    def passed(self) -> bool:
        """Every input was compared, at least one was, and every comparison agreed."""
        return self.model.ok and not self.skipped and (self.reference is None or self.reference.ok)

    def failures(self) -> list[str]:
        reasons = []
        if not self.inputs_checked:
            reasons.append("no input could be checked")
        elif self.exact != self.inputs_checked:
            reasons.append(f"the model differs from the interpreter on {self.inputs_checked - self.exact} inputs")
        if self.skipped:
            reasons.append(f"{self.skipped} inputs were skipped (the interpreter fails on them)")
        if self.reference is not None and not self.reference.ok:
            compared = self.reference.compared
            reasons.append(f"the program differs from the reference on {compared - self.reference.agreed} of "
                           f"{compared} inputs" if compared else "the reference was compared on no input")
        return reasons

    def __str__(self) -> str:
        lines = self.model.lines("interpreter", "model")
        lines[0] += f" on {self.domain}, {self.skipped} skipped"
        for tokens, message in self.skipped_examples[:SHOWN]:
            lines.append(f"  skipped input {_show(tokens)}: {message}")
        if self.reference is not None:
            lines += self.reference.lines("program", "reference")
        failures = self.failures()
        passed = "exact: the model equals the interpreter on every input checked"
        if self.reference is not None:
            passed += f", and the program the reference on all {self.reference.compared}"
        lines.append("FAILED: " + "; ".join(failures) if failures else passed)
        return "\n".join(lines)


def _show(tokens: Sequence[Value]) -> str:
    return " ".join(t if isinstance(t, str) else format_value(t) for t in tokens)


def count_inputs(vocab_size: int, max_len: int) -> int:
    return sum(vocab_size ** n for n in range(1, max_len + 1))


def inputs(vocab: tuple[Value, ...], max_len: int, limit: int, samples: int, seed: int) -> tuple[bool, Iterator]:
    """(exhaustive?, batches of same-length inputs)."""
    if count_inputs(len(vocab), max_len) <= limit:
        def every() -> Iterator[list[list[Value]]]:
            for n in range(1, max_len + 1):
                yield from _chunks(itertools.product(vocab, repeat=n))
        return True, every()
    rng = random.Random(seed)
    lengths = [rng.randint(1, max_len) for _ in range(samples)]

    def sampled() -> Iterator[list[list[Value]]]:
        for n in sorted(set(lengths)):
            yield from _chunks((tuple(rng.choice(vocab) for _ in range(n)) for _ in range(lengths.count(n))))
    return False, sampled()


def _chunks(items) -> Iterator[list[list[Value]]]:
    while chunk := [list(x) for x in itertools.islice(items, BATCH)]:
        yield chunk


def same(want: Value, got: Value, numerical: bool) -> bool:
    """Exact agreement: numbers by value (True == 1; the model's were decoded), others by identity."""
    if numerical:
        return is_number(want) and is_number(got) and want == got
    return identity_key(want) == identity_key(got)


def same_as_reference(program: Value, intended: Value) -> bool:
    """The program's value against a reference's: a float from a Python reference agrees within
    NUMERIC_TOLERANCE (relative beyond 1), everything else exactly."""
    if isinstance(intended, float) and is_number(program) and not isinstance(program, bool):
        return math.isfinite(intended) and abs(program - intended) <= NUMERIC_TOLERANCE * max(1.0, abs(intended))
    if is_number(intended) and is_number(program):
        return program == intended
    return identity_key(program) == identity_key(intended)


def same_as_text(program: Value, text: str) -> bool:
    """A value against an I/O file's token: numbers by value (`0.50` == 1/2), others as printed."""
    number = parse_number(text)
    if number is not None and is_number(program):
        return program == number
    return format_value(program) == text


def check(compiled: Compiled, program: ir.SOp, limit: int = EXHAUSTIVE_LIMIT, samples: int = 2000,
          seed: int = 0, progress=None, reference: Reference | list[Example] | None = None,
          path: str = "<rasp>") -> CheckReport:
    """Compare model and interpreter, and the program with `reference` when given (a function from
    tokens to the intended output, called on every input compared, or I/O examples, each run on
    the interpreter and the model); `progress` (a tqdm) is advanced per input.

        >>> from nesy.compiler import compile_rasp
        >>> from dsl.rasp import load
        >>> source = "aggregate(select(indices, length - indices - 1, ==), tokens);"
        >>> report = check(compile_rasp(source, "a,b", 3), load(source), reference=lambda t: t[::-1])
        >>> report.passed, report.inputs_checked, report.reference.agreed
        (True, 14, 14)
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # these models are small: threads only contend
    try:
        return _check(compiled, program, limit, samples, seed, progress, reference, path)
    finally:
        torch.set_num_threads(threads)


def _domain(compiled: Compiled, exhaustive: bool, limit: int, samples: int) -> str:
    total = count_inputs(len(compiled.vocab), compiled.max_len)
    where = f"of length 1..{compiled.max_len} over {len(compiled.vocab)} tokens"
    return f"all {total} inputs {where}" if exhaustive else f"{samples} sampled inputs {where} ({total} in all)"


def _check(compiled: Compiled, program: ir.SOp, limit: int, samples: int, seed: int, progress,
           reference: Reference | list[Example] | None, path: str) -> CheckReport:
    exhaustive, batches = inputs(compiled.vocab, compiled.max_len, limit, samples, seed)
    report = CheckReport(exhaustive, _domain(compiled, exhaustive, limit, samples))
    if reference is not None:
        report.reference = Agreement("program == reference")
    function = reference if callable(reference) else None
    numerical = compiled.readout.numerical
    for batch in batches:
        outputs = compiled.run(batch)
        for tokens, got in zip(batch, outputs):
            try:
                want = run(program, tokens, path)
            except NesyInputError as error:
                report.skipped += 1      # the program itself fails here: nothing to compare
                if len(report.skipped_examples) < SHOWN:
                    report.skipped_examples.append((tokens, str(error)))
                continue
            report.model.add(tokens, want, got, all(same(w, g, numerical) for w, g in zip(want, got)))
            if function is not None:
                _compare_reference(report.reference, function, tokens, want)
        if progress is not None:
            progress.update(len(batch))
    if reference is not None and function is None:
        _compare_examples(report, compiled, program, reference, path)
    return report


def _compare_examples(report: CheckReport, compiled: Compiled, program: ir.SOp, examples: list[Example],
                      path: str) -> None:
    """Each example on the interpreter (against the intended output) and, when the inputs were
    sampled, on the model too (against the interpreter)."""
    numerical = compiled.readout.numerical
    if not report.exhaustive:
        report.domain += f" and the reference's {len(examples)} inputs"
    for example in examples:
        try:
            want = run(program, example.tokens, path)
        except NesyInputError as error:
            report.reference.add(example.tokens, [], f"the interpreter fails: {error}", False)
            continue
        equal = len(want) == len(example.expected) and all(map(same_as_text, want, example.expected))
        report.reference.add(example.tokens, want, example.expected, equal)
        if not report.exhaustive:
            got = compiled.run([example.tokens])[0]
            report.model.add(example.tokens, want, got, all(same(w, g, numerical) for w, g in zip(want, got)))


def _compare_reference(agreement: Agreement, reference: Reference, tokens: list[Value], want: list[Value]) -> None:
    try:
        intended = list(reference(list(tokens)))
    except Exception as error:  # the user's own function: any failure is reported, not raised
        agreement.add(tokens, want, f"failed: {type(error).__name__}: {error}", False)
        return
    equal = len(intended) == len(want) and all(same_as_reference(w, i) for w, i in zip(want, intended))
    agreement.add(tokens, want, intended, equal)


def read_examples(path: str, compiled: Compiled) -> list[Example]:
    """An I/O file: one example a line, `input tokens -> output tokens` (as `nesy rasp run` takes
    and prints them), `#` comments; every input must be one the compiled model accepts."""
    from dsl.rasp.parser import decode_source
    try:
        data = open(path, "rb").read()
    except OSError as error:
        raise NesyInputError(f"cannot read the reference examples: {error.strerror}", path=path) from None
    examples = []
    for number, line in enumerate(decode_source(data, path).splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if text.count("->") != 1:
            raise NesyInputError("an example is 'input tokens -> output tokens'", path=path, line=number)
        left, right = (part.split() for part in text.split("->"))
        try:
            tokens = [parse_token(t) for t in left]
            if not tokens or len(right) != len(tokens):
                raise NesyInputError(f"{len(tokens)} input tokens but {len(right)} output tokens"
                                     if tokens else "the input is empty")
            compiled.encode([tokens])
        except NesyInputError as error:
            raise NesyInputError(str(error), path=path, line=number) from None
        examples.append(Example(tokens, right, number))
    if not examples:
        raise NesyInputError("no examples in the file", path=path)
    return examples


def load_function(spec: str) -> Reference:
    """`file.py:name` (or `file.py`, for a function named `reference`): the user's own Python file,
    run as a module, as `python file.py` would; its function maps a token list to the output list."""
    import importlib.util
    path, _, name = spec.partition(":")
    name = name or "reference"
    try:
        module_spec = importlib.util.spec_from_file_location("nesy_rasp_reference", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    except FileNotFoundError:
        raise NesyInputError("cannot read the reference file", path=path) from None
    except Exception as error:  # the user's file: a syntax error or a failing import, in one line
        raise NesyInputError(f"cannot load the reference: {type(error).__name__}: {error}", path=path) from None
    function = getattr(module, name, None)
    if not callable(function):
        raise NesyInputError(f"no function '{name}' in the reference file", path=path)
    return function


def load_reference(spec: str, compiled: Compiled) -> Reference | list[Example]:
    """`--reference`: a Python function (`file.py[:name]`) or an I/O file (anything else)."""
    if spec.partition(":")[0].endswith(".py"):
        return load_function(spec)
    return read_examples(spec, compiled)
