"""Every phase of a task runs inside its budget: literals, set-up, search, checks.

Each of these tasks ran for minutes on the old code (or forever), or far past its memory budget;
here each must come back within a few times its timeout. The bounds are loose on purpose (a
loaded two-core machine), the old code misses them by orders of magnitude.
"""
from __future__ import annotations

import json
import math
import random
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dsl.core import Example, make_task
from dsl.errors import NesyInputError
from dsl.registry import get_dsl
from solvers.search.budget import Budget, BudgetExhausted, active_budget, checkpoint, task_budget, z3_timeout_ms
from solvers.search.driver import SynthesisOptions, synthesize_task
from solvers.search.enumeration import SearchConfig
from solvers.search.result import Status

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 2.0
SLACK = 4            # a task may take this many times its timeout (the old code took 100x and more)


def _text(rng: random.Random, length: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz ,.-") -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _solve(task, dsl: str = "strings", **config) -> tuple:
    options = SynthesisOptions(config=SearchConfig(timeout=TIMEOUT, **config))
    started = time.monotonic()
    result = synthesize_task(task, get_dsl(dsl), options)
    return result, time.monotonic() - started


@pytest.mark.parametrize("field, value", [
    ("timeout", math.nan), ("timeout", math.inf), ("timeout", 0), ("timeout", -1.0), ("timeout", "5"),
    ("timeout", True), ("max_candidates", 0), ("max_candidates", 2.5), ("max_memory_mb", math.nan),
    ("max_memory_mb", 0.0), ("max_memory_mb", -4096), ("max_memory_mb", math.inf), ("max_cost", 0),
    ("improve_factor", math.nan),
])
def test_search_config_refuses_budgets_that_turn_a_limit_off(field: str, value: object) -> None:
    with pytest.raises(NesyInputError, match=field) as raised:
        SearchConfig(**{field: value})
    assert "\n" not in str(raised.value)


def test_search_config_keeps_valid_budgets() -> None:
    config = SearchConfig(timeout=0.5, max_candidates=1, max_memory_mb=None, max_cost=1)
    assert (config.timeout, config.max_candidates, config.max_memory_mb) == (0.5, 1, None)


def test_twenty_thousand_examples_stay_inside_the_budget() -> None:
    """Literals were read off every example before any budget started (300 s under --timeout 5)."""
    rng = random.Random(1)
    examples = []
    for i in range(20_000):
        text = _text(rng, 10)
        examples.append(Example((text,), f"{text.upper()}#{i % 7}"))
    result, seconds = _solve(make_task("many", examples))
    assert result.status is Status.TIMEOUT
    assert seconds < SLACK * TIMEOUT


def test_megabyte_input_times_out_within_its_memory_budget() -> None:
    """A 1 MB input went to 7 GB against a 4,096 MB budget and ran 38 s under --timeout 5: ops on
    megabyte values between two budget checks (and one op call making gigabytes at once)."""
    script = textwrap.dedent(f"""
        import json, random, resource, sys, time
        from dsl.core import Example, make_task
        from dsl.registry import get_dsl
        from solvers.search.budget import current_rss_mb
        from solvers.search.driver import SynthesisOptions, synthesize_task
        from solvers.search.enumeration import SearchConfig
        rng = random.Random(2)
        big = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ,.-") for _ in range(1_000_000))
        task = make_task("big", [Example((big,), "no program makes this"), Example(("ab cd",), "x")])
        start = current_rss_mb()
        options = SynthesisOptions(config=SearchConfig(timeout={TIMEOUT}, max_memory_mb=512))
        began = time.monotonic()
        result = synthesize_task(task, get_dsl("strings"), options)
        seconds = time.monotonic() - began
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
        print(json.dumps({{"status": str(result.status), "seconds": seconds, "grew_mb": grew}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["status"] == "timeout"
    assert report["seconds"] < SLACK * TIMEOUT
    assert report["grew_mb"] < 512 * 1.25 + 100


def test_regex_task_with_ten_thousand_character_strings_returns() -> None:
    """Span matrices of 10k-character strings need a terabyte; set-up hung building them."""
    rng = random.Random(3)
    examples = [Example((_text(rng, 10_000, "ab") + "ab",), True), Example((_text(rng, 10_000, "ab") + "ab",), True),
                Example(("ab",), True), Example((_text(rng, 10_000, "ab") + "ba",), False),
                Example(("b",), False), Example(("a",), False)]
    result, seconds = _solve(make_task("long", examples), dsl="regex")
    assert result.status is Status.TIMEOUT and "memory limit" in result.message
    assert seconds < SLACK * TIMEOUT


def test_z3_timeouts_end_by_the_deadline() -> None:
    assert z3_timeout_ms(10_000) == 10_000            # no task: the caller's own timeout
    with Budget(0.5, None, None).active():
        assert 0 < z3_timeout_ms(10_000) <= 500


def test_checkpoint_raises_once_the_active_budget_is_spent() -> None:
    checkpoint()                                       # no budget active: nothing to check
    with Budget(0.01, None, None).active():
        time.sleep(0.02)
        with pytest.raises(BudgetExhausted, match="time limit"):
            checkpoint()
    assert active_budget() is None


def test_a_round_ends_by_the_task_deadline_and_shortening_it_leaves_the_task_alone() -> None:
    with task_budget(5.0, None, None) as task:
        one = task.round(60)
        assert one.deadline <= task.deadline
        one.shorten(0.0)
        assert task.remaining() > 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_task_budget_caps_the_address_space_and_restores_it() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with task_budget(5.0, None, 256):
        with pytest.raises(MemoryError):
            bytearray(4 * 2**30)                       # one allocation far past the budget fails at once
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_synthesis_options_refuse_an_empty_subset() -> None:
    with pytest.raises(NesyInputError, match="subset_size"):
        SynthesisOptions(subset_size=0)
