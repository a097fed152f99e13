"""The executors behind every many-task command (nesy.executors): the process pool and Ray keep one
contract. Budgets hold (time and memory, inside the task and at the driver's hard limit), a task
that overruns, raises or loses its worker is reported alone, stopping a run keeps what finished,
and a suite gives the same statuses and programs on either executor.

One local Ray serves the whole test session (2 CPUs, a 100 MB object store, no dashboard,
RAY_ADDRESS unset); the Ray cases are skipped, with the reason, where Ray is not installed.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsl.errors import NesyInputError
from nesy.executors import Executor, open_executor
from nesy.executors.process import ProcessExecutor

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "strings" / "demo.jsonl"
KINDS = ("process", "ray")


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray for the session, shut down at its end."""
    try:
        import ray
    except ImportError:
        pytest.skip("Ray is not installed (pip install 'nesy[ray]'): the Ray executor is not tested")
    from ray import cloudpickle

    address = os.environ.pop("RAY_ADDRESS", None)
    ray.init(address="local", num_cpus=2, object_store_memory=100 * 2**20, include_dashboard=False,
             log_to_driver=False, configure_logging=False)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # workers cannot import this module
    try:
        yield ray
    finally:
        ray.shutdown()
        if address is not None:
            os.environ["RAY_ADDRESS"] = address


def make_executor(kind: str, request: pytest.FixtureRequest, grace_seconds: float = 0.5) -> Executor:
    if kind == "process":
        return ProcessExecutor(2, grace_seconds=grace_seconds)
    request.getfixturevalue("ray_session")
    from nesy.executors.ray_executor import RayExecutor

    return RayExecutor(grace_seconds=grace_seconds)


# --- work functions (module level: the process pool forks them, Ray ships them by value) --------

def behave(item: tuple) -> str:
    """What a test task does: finish, ignore its budget, hold memory, raise or kill its worker."""
    what = item[0]
    if what == "ok":
        return f"done {item[1]}"
    if what == "sleep":                    # ignores every budget: only the driver can stop it
        time.sleep(item[1])
        if len(item) > 2:
            Path(item[2]).write_text("still ran")
        return f"slept {item[1]}"
    if what == "spin":                     # respects its own time budget, as search does
        return _spin(item[1])
    if what == "hog":                      # memory piles up: the budget's resident-size check stops it
        return _hog(item[1])
    if what == "big":                      # one huge allocation: the address-space cap refuses it
        return _big(item[1])
    if what == "raise":
        raise ValueError("a bad task")
    if what == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if what == "kill-parent":              # on Ray: the worker process the task's process was forked from
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(2.0)
        Path(item[1]).write_text("the orphan ran on")
    if what == "count":                    # state one task leaves behind: none may reach the next
        _SEEN.append(item[1])
        return f"seen {len(_SEEN)}"
    raise AssertionError(what)


_SEEN: list = []


def _spin(seconds: float) -> str:
    from solvers.search.budget import BudgetExhausted, checkpoint, task_budget

    with task_budget(seconds, None, None):
        try:
            while True:
                checkpoint()
        except BudgetExhausted as stop:
            return f"stopped: {stop.which}"


def _hog(memory_mb: float) -> str:
    from solvers.search.budget import BudgetExhausted, task_budget

    with task_budget(30.0, None, memory_mb) as budget:
        blocks = []
        try:
            while True:
                blocks.append(b"\x01" * (8 * 2**20))     # touched pages: resident memory grows
                budget.check()
        except BudgetExhausted as stop:
            return f"stopped: {stop.which}"


def _big(memory_mb: float) -> str:
    from solvers.search.budget import task_budget

    with task_budget(30.0, None, memory_mb):
        try:
            bytearray(8 * 2**30)      # untouched: without the cap it would simply succeed
        except MemoryError:
            return "stopped: MemoryError"
    return "allocated 8 GB"


def overrun(item: tuple, why: str) -> str:
    return f"overrun: {why}"


def run_all(executor: Executor, items: list, limit: float) -> list:
    with executor:
        done = dict(executor.run(behave, items, limit, overrun))
    return [done[i] for i in range(len(items))]


# --- the contract, on both executors ------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_task_comes_back_once_in_any_order(kind, request):
    executor = make_executor(kind, request)
    assert run_all(executor, [("ok", i) for i in range(6)], 10.0) == [f"done {i}" for i in range(6)]
    assert sorted(t.index for t in executor.timings) == list(range(6))
    assert executor.overhead_ms()["tasks"] == 6


@pytest.mark.parametrize("kind", KINDS)
def test_time_budgets_in_the_task_and_at_the_driver(kind, request):
    """A task that keeps its own budget stops itself; one that ignores it is killed at the limit
    plus grace and reported as a time-limit overrun; the others are unaffected."""
    executor = make_executor(kind, request)
    results = run_all(executor, [("ok", 0), ("spin", 0.3), ("sleep", 60), ("ok", 3)], 0.5)
    assert results[0] == "done 0" and results[3] == "done 3"
    assert results[1] == "stopped: time limit of 0.3 s"
    assert results[2] == "overrun: killed at the hard time limit"


@pytest.mark.parametrize("kind", KINDS)
def test_memory_budget_stops_a_task_and_spares_the_others(kind, request):
    results = run_all(make_executor(kind, request), [("hog", 64), ("ok", 1), ("big", 64), ("ok", 3)], 30.0)
    assert results == ["stopped: memory limit of 64 MB", "done 1", "stopped: MemoryError", "done 3"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_killed_worker_or_a_raising_task_is_an_error_for_that_task_only(kind, request):
    results = run_all(make_executor(kind, request), [("ok", 0), ("kill",), ("raise",), ("ok", 3)], 30.0)
    assert results[0] == "done 0" and results[3] == "done 3"
    assert results[1].startswith("overrun:") and "time limit" not in results[1]
    assert results[2] == "overrun: ValueError: a bad task"


def test_a_ray_worker_killed_mid_task_is_an_error_for_that_task_only(request, tmp_path):
    marker = tmp_path / "orphan"
    results = run_all(make_executor("ray", request), [("ok", 0), ("kill-parent", str(marker)), ("ok", 2)], 30.0)
    assert results[0] == "done 0" and results[2] == "done 2"
    assert results[1].startswith("overrun: worker died:") and "time limit" not in results[1]
    time.sleep(2.5)
    assert not marker.exists()                  # the task's own process died with its worker


@pytest.mark.parametrize("kind", KINDS)
def test_no_state_passes_from_one_task_to_the_next(kind, request):
    """Each task runs in a process of its own (on Ray, forked by a worker that runs no task
    itself), so what one leaves in memory (Z3's context, a cache) cannot change the next one."""
    assert run_all(make_executor(kind, request), [("count", i) for i in range(5)], 10.0) == ["seen 1"] * 5


@pytest.mark.parametrize("kind", KINDS)
def test_stopping_the_run_kills_the_running_tasks_and_keeps_what_finished(kind, request, tmp_path):
    markers = [tmp_path / f"ran{i}" for i in range(2)]
    items = [("ok", 0)] + [("sleep", 1.0, str(m)) for m in markers]
    executor = make_executor(kind, request)
    kept = []
    with executor, contextlib.closing(executor.run(behave, items, 30.0, overrun)) as arriving:
        for index, result in arriving:
            kept.append((index, result))
            break                                # the caller stops: Ctrl-C does the same
    assert kept == [(0, "done 0")]
    time.sleep(1.5)
    assert not any(m.exists() for m in markers)  # the sleeping tasks were killed, not left to run


def test_ray_times_a_task_from_its_start_not_its_submission(request):
    """Six tasks of 0.6 s on 2 CPUs, all submitted at once: the last pair waits 1.2 s in Ray's
    queue, past its 0.9 s limit + grace, yet runs to the end because its clock starts when it does."""
    executor = make_executor("ray", request, grace_seconds=0.6)
    executor.slots = 6
    assert run_all(executor, [("sleep", 0.6)] * 6, 0.3) == ["slept 0.6"] * 6


class SlowToLoad:
    """A work function that takes a while to unpickle, as a guide does in a fresh worker (torch)."""

    def __call__(self, item: tuple) -> str:
        return behave(item)

    def __reduce__(self):
        return (_load_slowly, ())


def _load_slowly() -> SlowToLoad:
    time.sleep(1.5)
    return SlowToLoad()


def test_ray_starts_a_tasks_clock_after_the_worker_has_loaded_the_work(request):
    """Loading the work (1.5 s here) is not the task's time: a 0.2 s limit + 2 x 0.3 s backstop
    would otherwise kill the task before it began."""
    executor = make_executor("ray", request, grace_seconds=0.3)
    with executor:
        done = dict(executor.run(SlowToLoad(), [("ok", 0), ("ok", 1)], 0.2, overrun))
    assert done == {0: "done 0", 1: "done 1"}


# --- a suite: the same answers on either executor -----------------------------------------------

def _suite(executor: Executor | None, **run_options):
    from dsl.registry import get_dsl
    from dsl.task_files import load_tasks
    from nesy.benchmark import SuiteRun, run_suite
    from solvers.search.driver import SynthesisOptions
    from solvers.search.enumeration import SearchConfig

    dsl = get_dsl("strings")
    tasks = load_tasks(DEMO, dsl="strings")[:6]
    options = SynthesisOptions(config=SearchConfig(timeout=60.0, max_candidates=10_000))
    return tasks, run_suite(tasks, SuiteRun(dsl, options, jobs=2, executor=executor), progress=False, **run_options)


def _answers(results) -> list:
    return [(r.task, r.status, r.program_text, r.test_correct, r.stats.candidates) for r in results]


def test_a_suite_gives_the_same_answers_on_both_executors(request):
    """A candidate budget (not a clock) ends each task, so the answers must match exactly."""
    _, default = _suite(None)
    _, process = _suite(make_executor("process", request))
    with make_executor("ray", request) as executor:
        _, on_ray = _suite(executor)
    assert _answers(on_ray) == _answers(process) == _answers(default)
    assert sum(r.solved for r in default) >= 3


@pytest.mark.parametrize("kind", KINDS)
def test_ctrl_c_in_a_suite_keeps_the_finished_results(kind, request):
    from nesy.benchmark import SuiteInterrupted
    from solvers.search.result import Status

    def press_ctrl_c(done):
        raise KeyboardInterrupt

    with make_executor(kind, request) as executor, pytest.raises(SuiteInterrupted) as stop:
        _suite(executor, on_result=press_ctrl_c)
    results = stop.value.results
    assert len(results) == 6
    assert sum(r.status is not Status.INTERRUPTED for r in results) == 1


# --- choosing an executor ------------------------------------------------------------------------

def test_missing_ray_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)      # import ray now raises ImportError
    with pytest.raises(NesyInputError, match=r"pip install 'nesy\[ray\]'") as error:
        open_executor("ray", jobs=1)
    assert "\n" not in str(error.value)


def test_an_address_needs_the_ray_executor_and_a_known_kind_is_required():
    with pytest.raises(NesyInputError, match="--address"):
        open_executor("process", jobs=1, address="127.0.0.1:6379")
    with pytest.raises(NesyInputError, match="--executor"):
        open_executor("dask", jobs=1)


def nesy(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    return subprocess.run([sys.executable, "-m", "nesy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_cli_refuses_an_address_without_ray():
    run = nesy("bench", "strings", "--suite", str(DEMO), "--executor", "process", "--address", "127.0.0.1:1",
               "--guide", "none", "--quiet")
    assert run.returncode == 2 and "--address" in run.stderr and "Traceback" not in run.stderr


def test_synth_on_the_process_pool_answers_as_one_after_another(tmp_path):
    few = tmp_path / "few.jsonl"
    few.write_text("".join(DEMO.read_text().splitlines(keepends=True)[:4]))
    budget = ("--guide", "none", "--max-candidates", "20000", "--timeout", "60")
    inline = nesy("synth", str(few), *budget, "--json", str(tmp_path / "inline.json"))
    pooled = nesy("synth", str(few), *budget, "--jobs", "2", "--json", str(tmp_path / "pool.json"))
    assert inline.returncode == pooled.returncode, pooled.stderr

    def answers(name: str) -> list:
        document = json.loads((tmp_path / name).read_text())
        assert document["state"] == "finished"
        return [(r["task"], r["status"], r["program"], r["candidates"]) for r in document["results"]]

    assert answers("pool.json") == answers("inline.json")
    printed = [line.split()[1].rstrip(":") for line in pooled.stdout.splitlines() if line.startswith("task ")]
    assert printed == [a[0] for a in answers("inline.json")]      # printed in task order


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_cli_ctrl_c_on_ray_keeps_the_finished_results_in_the_json(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'nesy[ray]')")
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    child = subprocess.Popen([sys.executable, "-m", "nesy", "bench", "strings", "--suite", str(DEMO),
                              "--timeout", "30", "--jobs", "2", "--guide", "none", "--quiet", "--executor", "ray",
                              "--json", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (out.exists() and json.loads(out.read_text())["results"]):
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr
    document = json.loads(out.read_text())
    assert document["state"] == "interrupted"
    assert any(r["status"] != "interrupted" for r in document["results"])
    assert document["config"]["executor"] == "ray"


# --- the other many-task runs ---------------------------------------------------------------------

@pytest.mark.slow
def test_csg_shapes_on_ray_come_back_in_task_order(request, tmp_path):
    import argparse

    from dsl.task_files import load_tasks
    from nesy.csg.bench import rows_on_executor
    from solvers.csg.search import CsgSearchConfig, synthesize_shape

    request.getfixturevalue("ray_session")
    tasks = load_tasks(ROOT / "datasets" / "csg" / "synthetic_test.txt", dsl="csg")[:3]
    args = argparse.Namespace(executor="ray", address=None, jobs=2, timeout=0.3)
    out = tmp_path / "csg.json"
    rows, state = rows_on_executor(args, tasks, CsgSearchConfig(seconds=0.2, clock="cpu"), synthesize_shape,
                                   False, out, {})
    assert state == "finished" and [r["task"] for r in rows] == [t.name for t in tasks]
    assert all(0.0 <= r["iou"] <= 1.0 and r["program"] for r in rows)
    assert json.loads(out.read_text())["results"] == rows


def test_an_unreachable_cluster_is_one_line():
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'nesy[ray]')")
    run = nesy("bench", "strings", "--suite", str(DEMO), "--executor", "ray", "--address", "127.0.0.1:9",
               "--guide", "none", "--quiet", timeout=120)
    assert run.returncode == 2, run.stderr
    assert "cannot join the Ray cluster" in run.stderr and "Traceback" not in run.stderr


# --- the commands wired last: VNN-COMP suites, guide and ranker training data -----------------------

def _vnncomp_suite(tmp_path: Path) -> Path:
    """Three small instances (a robust box that holds, a big box with a counterexample, and the
    robust one again) of a random 5-12-12-4 network; the instances CSV's path."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from test_vnncomp import write_small_and_big_instances

    write_small_and_big_instances(tmp_path)
    csv = tmp_path / "instances.csv"
    csv.write_text("net.onnx,small.vnnlib,20\nnet.onnx,big.vnnlib,20\nnet.onnx,small.vnnlib,20\n")
    return csv


@pytest.mark.parametrize("kind", KINDS)
def test_vnncomp_gives_the_same_verdicts_on_both_executors(kind, request, tmp_path):
    from nesy.nap.vnncomp import read_instances, run_instances

    csv = _vnncomp_suite(tmp_path)
    executor = make_executor(kind, request)
    executor.slots = 1          # Ray: one worker imports the verifier (torch, onnxruntime), not two
    with executor:
        rows = run_instances(read_instances(csv, tmp_path), tmp_path, clock="cpu", results_dir=tmp_path,
                             executor=executor)
    assert [(r["property"], r["verdict"]) for r in rows] == [("small.vnnlib", "holds"), ("big.vnnlib", "violated"),
                                                             ("small.vnnlib", "holds")]
    assert rows[1]["replayed"] is True and (tmp_path / "net_big.txt").read_text().startswith("sat\n")
    assert all(r["cpu_seconds"] < 1.0 for r in rows)   # no instance pays for importing the verifier (~1.6 s)


@pytest.mark.parametrize("kind", KINDS)
def test_vnncomp_ctrl_c_keeps_the_finished_instances(kind, request, tmp_path, monkeypatch, capsys):
    """Ctrl-C as the first instance's result is written: the run stops, the rest are killed, and
    the JSON holds the one that finished; exit status 130."""
    import nesy.nap.vnncomp as vnncomp
    from nesy.cli import main

    csv = _vnncomp_suite(tmp_path)
    if kind == "ray":
        request.getfixturevalue("ray_session")
    write_json, pressed = vnncomp.write_json, []

    def write_then_ctrl_c(path, results):
        write_json(path, results)
        if not pressed:
            pressed.append(len(results))
            raise KeyboardInterrupt

    monkeypatch.setattr(vnncomp, "write_json", write_then_ctrl_c)
    out = tmp_path / "out.json"
    assert main(["nap", "vnncomp", str(csv), "--json", str(out), "--jobs", "1", "--executor", kind]) == 130
    assert pressed == [1] and len(json.loads(out.read_text())) == 1
    printed = capsys.readouterr().err
    assert "interrupted after 1 of 3 instances" in printed and f"executor {kind}" in printed


def _guide_data(executor: Executor | None, jobs: int = 2):
    from nesy.guides.data import DataConfig, generate_parallel

    return generate_parallel("strings", 60, 1, jobs, DataConfig(pool_candidates=2_000), executor=executor)


@pytest.mark.parametrize("kind", KINDS)
def test_guide_data_is_the_same_on_either_executor(kind, request):
    import numpy as np

    default = _guide_data(None)
    with make_executor(kind, request) as executor:
        made = _guide_data(executor)
    assert len(default) > 60
    for field in ("value_x", "value_y", "task_x", "op_y"):
        assert np.array_equal(getattr(default, field), getattr(made, field)), field
    assert np.array_equal(_guide_data(None, jobs=1).value_x, _guide_data(ProcessExecutor(1), jobs=1).value_x)


def test_a_failed_data_part_fails_the_whole():
    from nesy.executors import run_parts

    with pytest.raises(RuntimeError, match="guide data: a part failed .*ValueError: a bad task"):
        run_parts(ProcessExecutor(2), behave, [("ok", 0), ("raise",)], "guide data")


def _ranker_data(executor: Executor | None, monkeypatch) -> list:
    import nesy.ranking.data as ranking

    monkeypatch.setattr(ranking, "CHUNK", 2)      # four tasks in two parts
    groups = ranking.generate_parallel("strings", 4, 1, 2, ranking.RankingDataConfig(
        pool_candidates=2_000, search_candidates=5_000), executor=executor)
    return [(g.task, g.target, g.probes, [c.program for c in g.candidates], g.labels) for g in groups]


@pytest.mark.parametrize("kind", KINDS)
def test_ranker_data_is_the_same_on_either_executor(kind, request, monkeypatch):
    default = _ranker_data(None, monkeypatch)
    with make_executor(kind, request) as executor:
        assert _ranker_data(executor, monkeypatch) == default
    assert default


def test_train_guide_makes_its_data_on_ray(request, tmp_path):
    """The command's wiring (tests/test_guide_model.py runs it on the default process pool)."""
    from nesy.cli import main

    request.getfixturevalue("ray_session")
    out = tmp_path / "guide.pt"
    assert main(["train", "guide", "--out", str(out), "--values", "60", "--pool-candidates", "2000", "--epochs", "1",
                 "--seed", "1", "--executor", "ray"]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["data_executor"]["executor"] == "ray"
    assert card["data"]["values"] == len(_guide_data(None))
