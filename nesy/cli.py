"""The `nesy` command line: sub-commands live in `nesy.commands.*`, each with `register(subparsers)`.

Bad input (`NesyInputError`) and bad options become a one-line message and exit status 2, never a
traceback; Ctrl-C is exit status 130, and a closed output pipe (`nesy ... | head`) ends quietly.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
from typing import Sequence

from dsl.errors import NesyInputError
import nesy.commands
from nesy.commands.options import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, NesyArgumentParser


def build_parser() -> argparse.ArgumentParser:
    from nesy import __version__

    parser = NesyArgumentParser(prog="nesy", description="Neuro-symbolic program synthesis, "
                                "RASP compilation and neural-network verification.",
                                epilog="'nesy COMMAND --help' describes a command; docs/cli.md describes them all.")
    parser.add_argument("--version", action="version", version=f"nesy {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_info in sorted(pkgutil.iter_modules(nesy.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"nesy.commands.{module_info.name}")
        if hasattr(module, "register"):  # `options` holds shared helpers, not a command
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is returned (the `nesy` script passes it to sys.exit)."""
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help, --version, or a bad option (already reported)
            sys.stdout.flush()
            return done.code if isinstance(done.code, int) else int(done.code is not None)
        status = int(args.func(args) or 0)
        sys.stdout.flush()
        return status
    except NesyInputError as error:
        print(f"nesy: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nesy: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """The reader of our output has gone (`| head`): point stdout at /dev/null so that Python's
    final flush does not report the closed pipe a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
