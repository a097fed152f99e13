"""Count what the readers do with mutated inputs: accepted, refused with a clean error, traceback, hang.

Each `tests/fuzz/test_fuzz_*.py` module names its area, its valid seeds and `read_bytes(data, dir)`.
The census feeds every area the same number of mutated inputs (hypothesis, seeded) and prints one
row per area. Run it on the code under test, or on another checkout through PYTHONPATH, to compare:

    python tests/fuzz/census.py --examples 500
    PYTHONPATH=/path/to/old/checkout python tests/fuzz/census.py --examples 500
"""
from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path
from types import ModuleType

from hypothesis import HealthCheck, given, seed, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # `fuzz.mutate`, as the tests import it

from dsl.errors import NesyInputError  # noqa: E402
from fuzz.mutate import mutated_bytes  # noqa: E402


class _Hang(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Hang()


def census(module: ModuleType, examples: int, seconds: int) -> tuple[Counter, list[str]]:
    """Outcomes of `examples` mutated inputs, and the first line of each distinct traceback."""
    outcomes: Counter = Counter()
    kinds: list[str] = []

    @seed(20261202)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated_bytes(module.SEEDS))
    def feed(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            signal.alarm(seconds)
            try:
                module.read_bytes(data, Path(folder))
                outcomes["accepted"] += 1
            except NesyInputError as error:
                clean = str(error) and "\n" not in str(error).strip()
                outcomes["refused" if clean else "multi-line error"] += 1
            except _Hang:
                outcomes["hang"] += 1
            except (Exception, RecursionError) as error:  # what the census is for
                outcomes["traceback"] += 1
                kind = f"{type(error).__name__}: {str(error)[:80]}"
                where = traceback.extract_tb(error.__traceback__)[-1]
                kind += f" ({Path(where.filename).name}:{where.lineno})"
                if kind not in kinds:
                    kinds.append(kind)
            finally:
                signal.alarm(0)

    signal.signal(signal.SIGALRM, _on_alarm)
    feed()
    return outcomes, kinds


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fuzz.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="mutated inputs per area (default 300)")
    parser.add_argument("--seconds", type=int, default=10, help="an input taking longer is a hang (default 10)")
    parser.add_argument("--area", action="append", help="only these areas (default: all)")
    parser.add_argument("--show", action="store_true", help="print the distinct tracebacks")
    args = parser.parse_args()
    print(f"{'area':<12} {'tried':>6} {'refused':>8} {'accepted':>9} {'traceback':>10} {'hang':>5}")
    for path in sorted(HERE.glob("test_fuzz_*.py")):
        module = load(path)
        if args.area and module.AREA not in args.area:
            continue
        outcomes, kinds = census(module, args.examples, args.seconds)
        tried = sum(outcomes.values())
        print(f"{module.AREA:<12} {tried:>6} {outcomes['refused']:>8} {outcomes['accepted']:>9} "
              f"{outcomes['traceback'] + outcomes['multi-line error']:>10} {outcomes['hang']:>5}", flush=True)
        if args.show:
            for kind in kinds:
                print(f"    {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
