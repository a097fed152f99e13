"""Reading SyGuS-IF programming-by-example problems (v2, and the v1 layout of SyGuS-Comp PBE files)
into a `Task`, and solvers' `define-fun` answers into programs.

Stages, one module each: `commands` (Lark: text -> command records), `problem` (commands -> Task),
`grammar` (synth-fun grammar -> the ops and literals a solution may use), `spec` (non-example
constraints), `solutions` (define-fun -> program).

>>> task = parse_sygus('''(set-logic SLIA)
... (synth-fun f ((x String)) String ((Start String (x " " (str.++ Start Start)))))
... (constraint (= (f "a") "a a"))
... (check-synth)''')
>>> task.examples[0], sorted(op.name for op in task.grammar.ops)
(Example(inputs=('a',), output='a a'), ['str.++'])
"""
from __future__ import annotations

from dsl.sygus.commands import read_commands
from dsl.sygus.problem import SUPPORTED_LOGICS, load_sygus, parse_sygus
from dsl.sygus.solutions import FunctionDefinition, parse_define_fun

__all__ = ["load_sygus", "parse_sygus", "parse_define_fun", "FunctionDefinition", "read_commands",
           "SUPPORTED_LOGICS"]
