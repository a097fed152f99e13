"""The Python face of synthesis: `nesy.synthesize(examples, dsl="strings", timeout=10)`."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from dsl.core import Dsl, Example, Task, make_task
from dsl.errors import NesyInputError
from dsl.registry import get_dsl
from dsl.task_hints import with_hints
from solvers.search.enumeration import SearchConfig
from solvers.search.guide import Guide
from solvers.search.result import Result
from solvers.search.driver import SynthesisOptions, synthesize_task


def _as_example(item: Any, index: int) -> Example:
    if isinstance(item, Example):
        return item
    if isinstance(item, Mapping):
        if "inputs" not in item or "output" not in item:
            raise NesyInputError(f"example {index + 1}: a dict needs \"inputs\" and \"output\"")
        inputs, output = item["inputs"], item["output"]
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        inputs, output = item
    else:
        raise NesyInputError(f"example {index + 1}: expected (inputs, output) or "
                             f"{{\"inputs\": [...], \"output\": ...}}, got {item!r}")
    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    return Example(tuple(inputs), output)


def as_task(examples: Task | Iterable[Any], tests: Iterable[Any] = (), name: str = "task",
            input_names: Sequence[str] | None = None, dsl: Dsl | None = None, *,
            unlabelled: Iterable[Any] | None = None, constants: Iterable[Any] | None = None,
            ops: Iterable[str] | None = None) -> Task:
    """A Task from a Task, or from examples given as pairs or dicts, typed by `dsl` (default:
    strings, integers and booleans) and checked for mixed types; the hints are checked as a task
    file's are (`dsl.task_hints`).

    `unlabelled`: input rows with no output (the other rows of the column), which help tell apart
    programs that fit the examples; `constants`: values search should use; `ops`: the names of the
    only ops search may use.

    >>> task = as_task([("ada lovelace", "A.L.")], unlabelled=["grace hopper"], constants=["."],
    ...                ops=["str.++", "str.at", "str.to_upper"])
    >>> task.unlabelled, [c.value for c in task.constants], sorted(op.name for op in task.grammar.ops)
    ((('grace hopper',),), ['.'], ['str.++', 'str.at', 'str.to_upper'])
    """
    task = examples if isinstance(examples, Task) else _task_of_examples(examples, tests, name, input_names, dsl)
    try:
        return with_hints(task, dsl, unlabelled=unlabelled, constants=constants, ops=ops)
    except NesyInputError as error:
        raise NesyInputError(f"task {task.name!r}: {error}") from None


def _task_of_examples(examples: Iterable[Any], tests: Iterable[Any], name: str,
                      input_names: Sequence[str] | None, dsl: Dsl | None) -> Task:
    train = [_as_example(e, i) for i, e in enumerate(examples)]
    held_out = [_as_example(e, i) for i, e in enumerate(tests)]
    if input_names is not None:
        from dsl.task_files import input_names_problem

        problem = input_names_problem(list(input_names) if isinstance(input_names, tuple) else input_names, dsl)
        if problem is not None:
            raise NesyInputError(f"task {name!r}: {problem}")
    return make_task(name, train, held_out, input_names=input_names,
                     type_of=dsl.type_of if dsl is not None else None)


def synthesize(examples: Task | Iterable[Any], dsl: str = "strings", timeout: float = 10.0, *,
               tests: Iterable[Any] = (), input_names: Sequence[str] | None = None,
               max_candidates: int | None = None, max_memory_mb: float | None = 4096.0,
               guide: Guide | str | None = None, unify: bool = True, extract_constants: bool = True,
               unlabelled: Iterable[Any] | None = None, constants: Iterable[Any] | None = None,
               ops: Iterable[str] | None = None, noise: int = 0, ranker: Any = "default") -> Result:
    """Find a program that maps each example's inputs to its output.

    `noise` is how many examples may be wrong (typos): the result is the best program that fits
    all but at most that many, and `result.dropped` names the ones it treats as wrong. `ranker`
    picks among the programs that fit (`nesy.ranker_choice`): "default", "search-order", "off"
    (the first program found), a weights file, or a `solvers.search.ranking.Ranker`.

    `unlabelled`, `constants` and `ops` are hints (see `as_task`): the other input rows of the
    column, values search should use, and the only op names search may use.

    `guide` is a `solvers.search.guide.Guide`, or "shipped" for the shipped neural guide of the DSL,
    or a weights file; None (or "none", the default, as in `nesy synth`: measured side by side, plain
    search solves more, see BENCHMARKS.md) is plain enumeration.

    Example:
        >>> import nesy
        >>> result = nesy.synthesize([("john smith", "J.S."), ("ada lovelace", "A.L.")], timeout=10)
        >>> result.found, result.status    # no held-out tests: it fits the examples, nothing says more
        (True, <Status.FITS: 'fits-examples'>)
        >>> result("grace hopper")
        'G.H.'
        >>> print(result.program_text.splitlines()[-1])  # after a define-fun of each op SMT-LIB lacks  # doctest: +ELLIPSIS
        (define-fun f ((x0 String)) String ...)
    """
    language = get_dsl(dsl)
    task = as_task(examples, tests, input_names=input_names, dsl=language, unlabelled=unlabelled,
                   constants=constants, ops=ops)
    config = SearchConfig(timeout=timeout, max_candidates=max_candidates, max_memory_mb=max_memory_mb,
                          unify=unify)
    from nesy.ranker_choice import choose_ranker

    ranking, chosen = choose_ranker(ranker, language)
    options = SynthesisOptions(config=config, extract_constants=extract_constants, noise=noise, rank=ranking,
                               ranker=chosen)
    if isinstance(guide, str):
        from nesy.guides.neural import load_guide

        guide = load_guide(guide, language)
    return synthesize_task(task, language, options, guide)
