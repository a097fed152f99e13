"""The string-edit DSL: SMT-LIB string ops (SyGuS PBE) plus optional spreadsheet ops (FlashFill,
BUSTLE), a Lark grammar for SyGuS-IF terms, a typing parser and a printer.

>>> from dsl.core import STRING, evaluate
>>> p = STRINGS.parse('(str.++ (str.to_upper x) "!")', {"x": STRING})
>>> evaluate(p, {"x": "hi"}), STRINGS.print(p)
('HI!', '(str.++ (str.to_upper x) "!")')
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from dsl.core import INT, STRING, Const, Dsl, Op, Program, Task, Type
from dsl.strings.ops import ALL_OPS, SMT_OPS, SPREADSHEET_OPS
from dsl.strings.parser import parse_program
from dsl.strings.printer import define_fun, print_program, solution_text

DEFAULT_CONSTANTS: tuple[Const, ...] = (
    Const("", STRING), Const(" ", STRING), Const(0, INT), Const(1, INT), Const(-1, INT),
)


def sygus_solution(task: Task, program: Program) -> str:
    """The solution of `task` as SyGuS tools read it: `(define-fun f ((x String)) String body)`, after
    a `define-fun` of each op SMT-LIB lacks that the body uses."""
    return solution_text(task.function_name, task.inputs, task.output_type, program)


# Free-form tasks (no SyGuS grammar) search a curated set: every op the parser knows, minus the
# ones another op already expresses at the same cost (`>` is `<` with its arguments swapped, and
# `<=`/`>=` are `<` with the branches of the `ite` swapped; `excel.mid` and `excel.find` are
# `str.substr`/`str.indexof` shifted by one) and the Boolean plumbing spreadsheet formulas rarely
# need. Each dropped op multiplies enumeration for nothing. `<` stays: "the longer of", "more than
# 15 characters" are conditions on lengths.
_NOT_SEARCHED = {"excel.mid", "excel.find", ">", ">=", "<=", "and", "or", "not"}
# Ops of our own (a field by delimiter, the last index of, FlashFill's token positions): searched
# after the others, as measured (scripts/op_ablation.py, BENCHMARKS.md: at 1M candidates a task,
# spreadsheet 35 -> 46 of 55, BUSTLE new 27 -> 30 of 38). The number formats (`nesy.thousands`,
# `nesy.fixed`) did not pay (45 and 29 with them: they fit examples by tricks such as
# `(nesy.fixed (str.to.int x0) (str.to.int x0))`), so they are parsed, checked and printed, and
# searched only when a task or grammar names them.
_OWN_OPS = ("nesy.last_indexof", "nesy.field", "nesy.digits_start", "nesy.digits_end", "nesy.letters_start",
            "nesy.letters_end", "nesy.spaces_start", "nesy.spaces_end")
_NOT_SEARCHED |= set(_OWN_OPS) | {"nesy.thousands", "nesy.fixed"}
# Equality first among the predicates: when `(= a b)` and `(str.prefixof a b)` split the examples
# alike, observational equivalence keeps the one built first, and spreadsheet conditions are
# usually equalities (EXACT, IF(A1="x", ...)).
_PREDICATE_ORDER = ("=", "<", "str.prefixof", "str.suffixof", "str.contains")
SEARCH_OPS: tuple[Op, ...] = tuple(sorted(
    (op for op in ALL_OPS
     if op.name not in _NOT_SEARCHED and not (op.name == "ite" and op.return_type != STRING)
     and not (op.name == "=" and op.arg_types == (INT, INT))),
    key=lambda op: _PREDICATE_ORDER.index(op.name) if op.name in _PREDICATE_ORDER else -1)) + \
    tuple(op for op in ALL_OPS if op.name in _OWN_OPS)

def string_length_cap(task: Task) -> dict[Type, Callable[[tuple[Any, ...]], bool]]:
    """Search keeps no string far longer than anything in the examples: such values only feed
    blow-ups (a repeat of a repeat, int conversion of thousand-digit strings) that make single op
    calls slow."""
    lengths = [len(x) for e in task.examples for x in (*e.inputs, e.output) if isinstance(x, str)]
    cap = max(100, 3 * max(lengths, default=0))

    def short_enough(vector: tuple[Any, ...]) -> bool:
        for x in vector:
            if len(x) > cap:
                return False
        return True

    return {STRING: short_enough}


# A task no small program solves: the enumerator-throughput line of `nesy bench` runs on it.
THROUGHPUT_TASK = ((("John Smith", "12-03-2024"), "no program yields this: J.S. 2024/03/12 #1"),
                   (("Ada Lovelace", "01-11-1815"), "no program yields this: A.L. 1815/11/01 #2"),
                   (("Alan Turing", "23-06-1912"), "no program yields this: A.T. 1912/06/23 #3"))

_SEARCH_POLICY = dict(
    value_filters=string_length_cap,
    front_end="solvers.strings.front_end:synthesize_strings_task",
    joins="solvers.strings.joins:string_joins",
    literal_extractor="solvers.strings.literals:extract_constants",
    checker="solvers.strings.smt_check:z3_verified",
    probe_maker="solvers.strings.probes:probe_rows",
    throughput_task=THROUGHPUT_TASK,
)
STRINGS = Dsl("strings", ALL_OPS, DEFAULT_CONSTANTS, partial(parse_program, ops=ALL_OPS), print_program,
              solution_printer=sygus_solution, search_ops=SEARCH_OPS,
              description="string edits from examples: SyGuS PBE strings plus spreadsheet ops (FlashFill, "
              "BUSTLE); task files .sl, .jsonl, BUSTLE .json", **_SEARCH_POLICY)
SMT_STRINGS = Dsl("smt-strings", SMT_OPS, DEFAULT_CONSTANTS, partial(parse_program, ops=SMT_OPS), print_program,
                  solution_printer=sygus_solution, description="SMT-LIB string ops only", **_SEARCH_POLICY)
DSL = STRINGS

__all__ = ["DSL", "STRINGS", "SMT_STRINGS", "THROUGHPUT_TASK", "string_length_cap", "SEARCH_OPS", "ALL_OPS", "SMT_OPS", "SPREADSHEET_OPS", "DEFAULT_CONSTANTS",
           "parse_program", "print_program", "define_fun", "solution_text", "sygus_solution"]
