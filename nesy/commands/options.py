"""What every command shares: budget argument types, output-file checks, atomic writes, Ctrl-C and
exit statuses, and a parser whose errors are one line.

Not a command itself (it has no `register`); `nesy.cli` skips it.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator, NoReturn

from dsl.errors import NesyInputError

EXIT_SOLVED, EXIT_UNSOLVED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141

EXIT_STATUSES = ("exit status: 0 every task solved, 1 some task not solved, 2 bad input or options, "
                 "130 interrupted (Ctrl-C; what finished is printed and written).")


class NesyArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error (`nesy synth: error: argument --timeout: ...`), exit status 2.

    Sub-commands inherit the class: `add_subparsers` builds them with the parent's class.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


# --- argument types: a bad value is refused before any work starts ----------------------------

def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_seconds(text: str) -> float:
    """A time budget: a finite number of seconds above zero (`-5`, `0`, `nan`, `inf` are refused)."""
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def positive_number(text: str) -> float:
    """A size budget such as megabytes: finite and above zero."""
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """A count (jobs, candidates, tasks, epochs): a whole number of at least 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """A seed: a whole number of at least 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {text!r}")
    return value


def add_generalization_options(parser: argparse.ArgumentParser, compare: bool) -> None:
    """--ranker and --noise, the same for `nesy synth` and `nesy bench`."""
    extra = (", 'both' (off and default side by side, one table), several of these separated by commas "
             "(side by side)") if compare else ""
    parser.add_argument("--ranker", default="default", metavar="RANKER",
                        help="which of the programs that fit to return: 'default' (what solved the most when "
                        "measured: search-order), 'search-order' (fewest leave-one-out errors, then smallest), "
                        "'learned' (the shipped learned ranker), 'off' "
                        f"(the first program search finds){extra}, or a ranker weights file")
    parser.add_argument("--noise", type=nonnegative_int, default=0, metavar="K",
                        help="up to K examples may be wrong (typos): the best program that fits all but at "
                        "most K; the result names the examples it treats as wrong (default 0: exact)")


def add_executor_options(parser: argparse.ArgumentParser, default: str | None = "process",
                         default_help: str = "process") -> None:
    """--executor and --address, the same for every command that runs many tasks (nesy.executors)."""
    parser.add_argument("--executor", choices=("process", "ray"), default=default,
                        help="what runs the tasks: 'process' (worker processes on this machine, --jobs at a time) "
                        "or 'ray' (a local Ray with --jobs CPUs, started and stopped by nesy, or the cluster "
                        f"--address names; needs pip install 'nesy[ray]'); default: {default_help}. "
                        "See docs/scaling.md")
    parser.add_argument("--address", default=None, metavar="HOST:PORT",
                        help="with --executor ray: join the running Ray cluster here ('auto': the one on this "
                        "machine); default: $RAY_ADDRESS if set, else a local Ray")


# --- help that names the DSLs, looked up only when help is printed ---------------------------

class LazyHelp(str):
    """A help string whose text is computed when argparse formats it (`help % params`), so that
    building the parser (every `nesy` call) does not discover DSLs."""

    def __new__(cls, text: Callable[[], str]) -> "LazyHelp":
        self = super().__new__(cls, "(computed when help is printed)")
        self._text = text
        return self

    def __mod__(self, params: object) -> str:
        return self._text().replace("%", "%%") % params


def dsl_help(default: str | None) -> LazyHelp:
    """`--dsl` help: the known DSL names, and the default if there is one."""
    def text() -> str:
        default_part = f"default: {default}; " if default else ""
        from dsl.registry import dsl_names

        try:
            known = ", ".join(dsl_names()) or "none found"
        except NesyInputError as error:  # a broken plugin: say so in the help rather than fail it
            known = f"not listed: {error}"
        return f"DSL name ({default_part}known: {known})"
    return LazyHelp(text)


# --- output files: checked before the run, written atomically as results arrive ---------------

def output_file(path: str | Path, option: str, force: bool = True) -> Path:
    """Check that `path` can be written as a file before any work starts; make missing folders.

    Refuses a folder, a path under a file, a folder that cannot be made or written, and (unless
    `force`) an existing file.
    """
    path = Path(path)
    if path.is_dir():
        raise NesyInputError(f"{option} names a folder; give a file name", path=str(path))
    if path.exists() and not force:
        raise NesyInputError(f"{option}: the file exists; pass --force to overwrite it", path=str(path))
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NesyInputError(f"{option}: a part of the folder path is a file", path=str(path)) from None
    except OSError as error:
        raise NesyInputError(f"{option}: cannot make the folder ({error.strerror})", path=str(path)) from None
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise NesyInputError(f"{option}: not writable", path=str(path))
    return path


def write_atomically(path: str | Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`: a reader (or a
    crash) sees the old file or the new one, never half of one."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --- Ctrl-C ----------------------------------------------------------------------------------

class InterruptFlag:
    """Remembers that Ctrl-C was pressed even where a search catches the KeyboardInterrupt and
    returns a partial result, so that a command's loop can stop the whole run."""

    def __init__(self) -> None:
        self.raised = False

    def _handler(self, signum: int, frame: object) -> None:
        self.raised = True
        signal.default_int_handler(signum, frame)


@contextlib.contextmanager
def watching_interrupts() -> Iterator[InterruptFlag]:
    """Install the flag's SIGINT handler for the block (main thread only; elsewhere it stays unset)."""
    flag = InterruptFlag()
    try:
        previous = signal.signal(signal.SIGINT, flag._handler)
    except ValueError:  # not the main thread: signals cannot be caught here
        yield flag
        return
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def note_interrupted(finished: int, total: int) -> None:
    print(f"nesy: interrupted after {finished} of {total} tasks; the rest are marked interrupted",
          file=sys.stderr)
