"""A program as a standalone Python function: paste it anywhere, no nesy needed.

The op semantics are the ones search ran (`Op.semantics`): builtins and `operator` functions are
called by name, module functions are copied with their source and the module-level names they
use (constants, helper functions, imported modules), so the exported function computes exactly
what nesy checked.
"""
from __future__ import annotations

import builtins
import dis
import inspect
import keyword
import operator
import types
from typing import Any, Callable, Sequence

from dsl.core import Const, Program, Var


def to_python(program: Program, input_names: Sequence[str], function_name: str = "f") -> str:
    """Python source of `def f(<inputs>): return <program>`, with every helper it needs.

    >>> from dsl.strings import parse_program
    >>> from dsl.core import STRING
    >>> source = to_python(parse_program('(str.++ (str.at x0 0) ".")', {"x0": STRING}), ["x0"])
    >>> namespace = {}
    >>> exec(source, namespace)
    >>> namespace["f"]("ada")
    'a.'
    """
    parameters = [_identifier(name, i) for i, name in enumerate(input_names)]
    names = dict(zip(input_names, parameters))
    collector = _Collector()
    body = _expression(program, names, collector)
    header = ", ".join(parameters)
    lines = [*sorted(collector.imports), *([""] if collector.imports else []), *collector.definitions,
             f"def {_identifier(function_name, 0)}({header}):", f"    return {body}", ""]
    return "\n".join(lines)


class _Collector:
    """Imports and definitions the exported function needs, each once, dependencies first."""

    def __init__(self) -> None:
        self.imports: set[str] = set()
        self.definitions: list[str] = []
        self.defined: set[str] = set()

    def callable_name(self, fn: Callable[..., Any]) -> str:
        if getattr(fn, "__module__", None) == "_operator" or getattr(operator, getattr(fn, "__name__", ""), None) is fn:
            self.imports.add("import operator")
            return f"operator.{fn.__name__}"
        if getattr(builtins, getattr(fn, "__name__", ""), None) is fn:
            return fn.__name__
        if isinstance(fn, types.FunctionType) and fn.__name__ != "<lambda>":
            self._define_function(fn)
            return fn.__name__
        raise ValueError(f"cannot export {fn!r} to Python: not a named function")

    def _define_function(self, fn: types.FunctionType) -> None:
        if fn.__name__ in self.defined:
            return
        self.defined.add(fn.__name__)
        module_globals = fn.__globals__
        for name in _global_names(fn):
            if name not in module_globals or name in self.defined:
                continue
            value = module_globals[name]
            if isinstance(value, types.ModuleType):
                self.imports.add(f"import {value.__name__}" if value.__name__ == name
                                 else f"import {value.__name__} as {name}")
            elif isinstance(value, types.FunctionType):
                self._define_function(value)
            elif isinstance(value, (int, float, str, bytes, tuple, frozenset, dict, bool)) or hasattr(value, "pattern"):
                self.defined.add(name)
                if hasattr(value, "pattern"):
                    self.imports.add("import re")
                self.definitions.append(f"{name} = {value!r}\n")
        self.definitions.append(inspect.getsource(fn).rstrip() + "\n\n")


def _global_names(fn: types.FunctionType) -> list[str]:
    """Names `fn` reads as globals (not attribute names, which share `co_names`), nested code too."""
    found: list[str] = []
    codes = [fn.__code__]
    while codes:
        code = codes.pop()
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and instruction.argval not in found:
                found.append(instruction.argval)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return found


def _expression(program: Program, names: dict[str, str], collector: _Collector) -> str:
    head = program.head
    if isinstance(head, Var):
        return names[head.name]
    if isinstance(head, Const):
        return repr(head.value)
    function = collector.callable_name(head.semantics)
    arguments = ", ".join(_expression(child, names, collector) for child in program.children)
    return f"{function}({arguments})"


def _identifier(name: str, index: int) -> str:
    """`name` if it is a Python identifier (and no keyword), else `x<index>`."""
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"x{index}"
