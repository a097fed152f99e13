"""A found RASP program, compiled to weights and proven: the model against the program on every
input up to the task's max_len (a seeded sample beyond `limit` inputs, and said so), the program
against the task's reference program on the same inputs, and the model on the task's examples.

    >>> from dsl.rasp.tasks import task_from_record
    >>> task = task_from_record({"name": "flip", "vocab": ["a", "b"], "max_len": 3,
    ...     "examples": [{"input": ["a", "b"], "output": ["b", "a"]}],
    ...     "reference": "aggregate(select(indices, length - indices - 1, ==), tokens);"})
    >>> proof = prove(task, "aggregate(select(indices, length - indices - 1, ==), tokens);")
    >>> proof.passed, proof.exhaustive, proof.inputs, proof.layers
    (True, True, 14, 2)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from dsl.errors import NesyInputError
from dsl.rasp import ir, load, run
from dsl.rasp.tasks import SequenceTask
from dsl.rasp.values import identity_key

EXHAUSTIVE_LIMIT = 200_000   # every input when there are at most this many, else a sample
SAMPLES = 2000


@dataclass(frozen=True)
class Proof:
    """What compiling and checking one program showed; `error` is set when it did not compile."""

    compiled: bool
    layers: int = 0
    heads: int = 0
    d_model: int = 0
    params: int = 0
    exhaustive: bool = False           # every input up to max_len (else `inputs` sampled ones)
    inputs: int = 0                    # inputs compared
    model_equals_program: bool = False
    program_equals_reference: bool | None = None   # None: the task has no reference
    reference_disagreements: int = 0
    model_on_examples: bool = False    # the compiled model gives every example's and test's output
    first_difference: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return (self.compiled and self.model_equals_program and self.model_on_examples
                and self.program_equals_reference is not False)

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}

    def __str__(self) -> str:
        if not self.compiled:
            return f"not compiled: {self.error}"
        domain = f"all {self.inputs} inputs up to the max length" if self.exhaustive else \
            f"{self.inputs} sampled inputs (more than {EXHAUSTIVE_LIMIT:,} exist)"
        lines = [f"compiled: {self.layers} layers, {self.heads} heads, d_model {self.d_model}, {self.params} params",
                 f"model == program on {domain}: {self.model_equals_program}",
                 f"model on the task's examples and tests: {self.model_on_examples}"]
        if self.program_equals_reference is not None:
            lines.append(f"program == reference on the same inputs: {self.program_equals_reference}"
                         + (f" ({self.reference_disagreements} differ)" if self.reference_disagreements else ""))
        if self.first_difference:
            lines.append(self.first_difference)
        return "\n".join(lines)


def ir_size(program: ir.SOp) -> int:
    """Operations in a program's IR (built-ins included): how big a program is, hand-written or found."""
    return sum(1 for _ in ir.walk(program))


def prove(task: SequenceTask, source: str, limit: int = EXHAUSTIVE_LIMIT, samples: int = SAMPLES,
          seed: int = 0) -> Proof:
    """Compile `source` for the task's vocabulary and max_len and check it every way the task allows."""
    from nesy.compiler import compile_program
    from nesy.compiler.check import check
    from nesy.compiler.stats import model_stats

    program = load(source, f"<{task.name}>")
    try:
        compiled = compile_program(program, list(task.vocab), task.max_len, f"<{task.name}>")
    except NesyInputError as error:
        return Proof(False, error=str(error))
    stats = model_stats(compiled)
    reference = None
    if task.reference:
        intended = load(task.reference, f"<{task.name} reference>")
        reference = lambda tokens: run(intended, tokens)   # noqa: E731
    report = check(compiled, program, limit, samples, seed, reference=reference)
    examples = [*task.examples, *task.tests]
    wrong = [e for e in examples
             if [identity_key(v) for v in compiled.run([list(e.inputs[0])])[0]] != [identity_key(v) for v in e.output]]
    difference = ""
    if report.model.mismatches:
        tokens, want, got = report.model.mismatches[0]
        difference = f"model and program differ on {tokens}: program {want}, model {got}"
    elif reference is not None and report.reference.mismatches:
        tokens, want, got = report.reference.mismatches[0]
        difference = f"program and reference differ on {tokens}: program {want}, reference {got}"
    return Proof(True, stats.layers, stats.heads, stats.d_model, stats.params, report.exhaustive,
                 report.inputs_checked, report.model.ok and not report.skipped,
                 None if reference is None else report.reference.ok,
                 0 if reference is None else report.reference.compared - report.reference.agreed,
                 not wrong, difference)
