"""DSLs by name, imported on first use (so `nesy --help` loads none of them)."""
from __future__ import annotations

import importlib

from dsl.core import Dsl
from dsl.errors import NesyInputError

# name -> (module, attribute) of the Dsl object
DSLS: dict[str, tuple[str, str]] = {
    "strings": ("dsl.strings", "STRINGS"),
    "regex": ("dsl.regex", "REGEX_DSL"),
}
# DSLs with task files of their own (name -> (module, function taking a path -> list of Tasks));
# the others read the common formats of `dsl.task_files`.
TASK_READERS: dict[str, tuple[str, str]] = {
    "regex": ("dsl.regex.task_files", "load_regex_tasks"),
}


def get_dsl(name: str) -> Dsl:
    """The DSL registered under `name`."""
    if name not in DSLS:
        raise NesyInputError(f"unknown DSL {name!r} (known: {', '.join(sorted(DSLS))})")
    module, attribute = DSLS[name]
    return getattr(importlib.import_module(module), attribute)
