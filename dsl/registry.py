"""Finding DSLs: the packages under `dsl/` that expose a `DSL`, and installed plugins.

A plugin is any installed distribution that declares an entry point in the group `nesy.dsls`
(`name = "package.module:ATTRIBUTE"` or `name = "package.module"`, whose `DSL` is then used), the
way pytest finds its plugins. Nothing is imported until a DSL is asked for, so `nesy --help` loads
none of them; a DSL named on the command line is looked for first where its name says.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from importlib import metadata
from types import ModuleType
from typing import Any

import dsl
from dsl.core import Dsl
from dsl.errors import NesyInputError

ENTRY_POINT_GROUP = "nesy.dsls"
DSL_ATTRIBUTE = "DSL"


def get_dsl(name: str) -> Dsl:
    """The DSL called `name`: a shipped package `dsl.<name>` first, then plugins, then a scan."""
    if not isinstance(name, str) or not name:
        raise NesyInputError(f"a DSL name must be a non-empty string, got {name!r}")
    shipped = _shipped_package(name.replace("-", "_"))
    if shipped is not None:
        found = _dsl_of(shipped)
        if found is not None and found.name == name:
            return found
    found = discover().get(name)
    if found is None:
        raise NesyInputError(f"unknown DSL {name!r} (known: {', '.join(dsl_names())})")
    return found


def dsl_names() -> list[str]:
    """Names of every DSL found, sorted."""
    return sorted(discover())


@lru_cache(maxsize=1)
def discover() -> dict[str, Dsl]:
    """Every DSL: shipped packages under `dsl/` with a `DSL` attribute, then entry-point plugins.

    A plugin that fails to load is an input error naming the plugin (a broken install should
    not look like an unknown DSL)."""
    found: dict[str, Dsl] = {}
    for info in sorted(pkgutil.iter_modules(dsl.__path__), key=lambda m: m.name):
        if info.ispkg:
            language = _dsl_of(importlib.import_module(f"dsl.{info.name}"))
            if language is not None:
                found[language.name] = language
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded: Any = entry.load()
        except Exception as error:  # a plugin's own import error, named with the plugin
            raise NesyInputError(f"DSL plugin {entry.name!r} ({entry.value}) failed to load: "
                                 f"{type(error).__name__}: {error}") from None
        language = loaded if isinstance(loaded, Dsl) else _dsl_of(loaded)
        if language is None:
            raise NesyInputError(f"DSL plugin {entry.name!r} ({entry.value}) is not a Dsl and has no "
                                 f"{DSL_ATTRIBUTE} attribute")
        if language.name != entry.name:
            raise NesyInputError(f"DSL plugin {entry.name!r} ({entry.value}) is named {language.name!r}: "
                                 "the entry point's name must be the DSL's name")
        found.setdefault(language.name, language)
    return found


def _shipped_package(name: str) -> ModuleType | None:
    if not name.isidentifier() or not any(m.name == name and m.ispkg for m in pkgutil.iter_modules(dsl.__path__)):
        return None
    return importlib.import_module(f"dsl.{name}")


def _dsl_of(module: Any) -> Dsl | None:
    language = getattr(module, DSL_ATTRIBUTE, None)
    return language if isinstance(language, Dsl) else None
