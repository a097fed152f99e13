"""AST -> RASP source text, fully parenthesised, so that `parse(to_source(m)) == m`."""
from __future__ import annotations

from fractions import Fraction

from dsl.rasp import ast
from dsl.rasp.values import format_value


def _literal(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if '"' in value else f'"{value}"'
    if isinstance(value, Fraction):
        return format_value(value)  # parsed literals are decimals: 0.25, never 1/3
    return repr(value)


def expr_source(node: ast.Expr) -> str:
    if isinstance(node, ast.Literal):
        return _literal(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Predicate):
        return node.op
    if isinstance(node, ast.Binary):
        return f"({expr_source(node.left)} {node.op} {expr_source(node.right)})"
    if isinstance(node, ast.Unary):
        space = " " if node.op == "not" else ""
        return f"({node.op}{space}{expr_source(node.operand)})"
    if isinstance(node, ast.Conditional):
        return f"({expr_source(node.then)} if {expr_source(node.test)} else {expr_source(node.orelse)})"
    if isinstance(node, ast.Annotated):
        return f"({node.encoding} {expr_source(node.expr)})"
    if isinstance(node, ast.Call):
        return f"{node.func}({', '.join(expr_source(a) for a in node.args)})"
    if isinstance(node, ast.Lambda):
        return f"(lambda {', '.join(node.params)}: {expr_source(node.body)})"
    raise TypeError(f"not a RASP expression: {node!r}")


def statement_source(node: ast.Statement) -> str:
    if isinstance(node, ast.Assign):
        return f"{node.name} = {expr_source(node.expr)};"
    if isinstance(node, ast.ExprStatement):
        return f"{expr_source(node.expr)};"
    body = "".join(f"    {statement_source(s)}\n" for s in node.body)
    return f"def {node.name}({', '.join(node.params)}) {{\n{body}    return {expr_source(node.result)};\n}}"


def to_source(module: ast.Module) -> str:
    return "\n".join(statement_source(s) for s in module.statements) + "\n"
