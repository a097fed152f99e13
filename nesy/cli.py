"""The `nesy` command line: sub-commands live in `nesy.commands.*`, each with `register(subparsers)`.

Bad input (`NesyInputError`) becomes a one-line message and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from dsl.errors import NesyInputError
import nesy.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nesy", description="Neuro-symbolic program synthesis, "
                                     "RASP compilation and neural-network verification.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_info in sorted(pkgutil.iter_modules(nesy.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"nesy.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NesyInputError as error:
        print(f"nesy: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nesy: interrupted", file=sys.stderr)
        return 130
