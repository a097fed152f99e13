"""AST -> IR: resolve names, inline `def` functions and lambdas, and check kinds (sequence,
selector, single value) and encodings, so a bad program fails here with its line and column."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from dsl.errors import NesyInputError
from dsl.rasp import ast, ir
from dsl.rasp.values import Value, apply_op, format_value

MAX_CALL_DEPTH = 50
MAX_SCALAR_DEPTH = 200   # operations nested in one elementwise expression (evaluation recurses)


@dataclass(frozen=True)
class ScalarValue:
    """A single value (outside a lambda: a constant; inside: an expression of its parameters)."""
    expr: ir.Scalar


@dataclass(frozen=True)
class Function:
    definition: ast.FuncDef
    env: "Env"


@dataclass(frozen=True)
class LambdaValue:
    node: ast.Lambda
    env: "Env"


Meaning = Union[ir.SOp, ir.Selector, ScalarValue, Function, LambdaValue]
Env = dict  # name -> Meaning


def _kind(value: Meaning) -> str:
    if isinstance(value, ir.SOp):
        return "a sequence"
    if isinstance(value, ir.Selector):
        return "a selector"
    if isinstance(value, ScalarValue):
        return "a single value"
    return "a function"


class Elaborator:
    """Turns one parsed module into the IR node of its output."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.depth = 0
        tokens = ir.Tokens(ast.Pos(0, 0), label="tokens")
        all_pairs = ir.Select(ast.Pos(0, 0), keys=tokens, queries=tokens, predicate="TRUE", label="select_all")
        self.builtins: Env = {
            "tokens": tokens,
            "indices": ir.Indices(ast.Pos(0, 0), label="indices"),
            "length": ir.SelectorWidth(ast.Pos(0, 0), selector=all_pairs, label="length"),
        }

    def error(self, message: str, pos: ast.Pos) -> NesyInputError:
        return NesyInputError(message, path=self.path, line=pos.line, column=pos.column)

    # statements

    def module(self, module: ast.Module) -> ir.SOp:
        env: Env = dict(self.builtins)
        result: Meaning | None = None
        last_pos = ast.Pos(1, 1)
        for statement in module.statements:
            if isinstance(statement, ast.FuncDef):
                env[statement.name] = Function(statement, env)
                continue
            last_pos = statement.pos
            if isinstance(statement, ast.Assign):
                result = self.assign(statement, env)
            else:
                result = self.expr(statement.expr, env)
        if result is None:
            raise self.error("the program has no statement outside function definitions", last_pos)
        return self.as_sop(result, last_pos, "the program's output")

    def assign(self, statement: ast.Assign, env: Env) -> Meaning:
        if statement.name in ("tokens", "indices"):
            raise self.error(f"cannot redefine the built-in '{statement.name}'", statement.pos)
        value = self.expr(statement.expr, env)
        if isinstance(value, (ir.SOp, ir.Selector)) and not value.label:
            value.label = statement.name
        env[statement.name] = value
        return value

    # expressions

    def expr(self, node: ast.Expr, env: Env) -> Meaning:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, env)

    def _literal(self, node: ast.Literal, env: Env) -> Meaning:
        return ScalarValue(ir.Const(node.value))

    def _predicate(self, node: ast.Predicate, env: Env) -> Meaning:
        raise self.error(f"'{node.op}' is a comparison: it can only be the third argument of select", node.pos)

    def _name(self, node: ast.Name, env: Env) -> Meaning:
        if node.id not in env:
            raise self.error(f"unknown name '{node.id}'", node.pos)
        return env[node.id]

    def _lambda(self, node: ast.Lambda, env: Env) -> Meaning:
        return LambdaValue(node, env)

    def _annotated(self, node: ast.Annotated, env: Env) -> Meaning:
        value = self.expr(node.expr, env)
        if isinstance(value, ScalarValue):
            return value
        sop = self.as_sop(value, node.pos, f"'{node.encoding}'")
        if sop.encoding == node.encoding:
            return sop
        if isinstance(sop, ir.Map) and not sop.label:
            return ir.Map(sop.pos, body=sop.body, inputs=sop.inputs, encoding=node.encoding)
        if isinstance(sop, ir.Aggregate) and not sop.label:
            default = 0 if sop.default is None and node.encoding == ir.NUMERICAL else sop.default
            return ir.Aggregate(sop.pos, selector=sop.selector, values=sop.values, default=default,
                                encoding=node.encoding)
        return ir.Map(node.pos, body=ir.Arg(0), inputs=(sop,), encoding=node.encoding)

    def _unary(self, node: ast.Unary, env: Env) -> Meaning:
        operand = self.expr(node.operand, env)
        if isinstance(operand, ir.Selector):
            if node.op != "not":
                raise self.error("type mismatch: '-' needs a sequence or a value, got a selector", node.pos)
            return ir.SelectorNot(node.pos, operand=operand)
        return self.elementwise("neg" if node.op == "-" else "not", (operand,), node.pos)

    def _binary(self, node: ast.Binary, env: Env) -> Meaning:
        left, right = self.expr(node.left, env), self.expr(node.right, env)
        selectors = isinstance(left, ir.Selector), isinstance(right, ir.Selector)
        if any(selectors):
            if not all(selectors) or node.op not in ("and", "or"):
                raise self.error(f"type mismatch: '{node.op}' of {_kind(left)} and {_kind(right)} "
                                 "(selectors combine only with and/or/not)", node.pos)
            kind = ir.SelectorAnd if node.op == "and" else ir.SelectorOr
            return kind(node.pos, left=left, right=right)
        return self.elementwise(node.op, (left, right), node.pos)

    def _conditional(self, node: ast.Conditional, env: Env) -> Meaning:
        parts = (self.expr(node.test, env), self.expr(node.then, env), self.expr(node.orelse, env))
        return self.elementwise("if", parts, node.pos)

    def _call(self, node: ast.Call, env: Env) -> Meaning:
        builtin = getattr(self, "call_" + node.func, None)
        if node.func in env:
            function = env[node.func]
            if isinstance(function, Function):
                return self.call_function(function, node, env)
            raise self.error(f"'{node.func}' is {_kind(function)}, not a function", node.pos)
        if builtin is None:
            raise self.error(f"unknown function '{node.func}'", node.pos)
        return builtin(node, env)

    def call_function(self, function: Function, node: ast.Call, env: Env) -> Meaning:
        definition = function.definition
        if len(node.args) != len(definition.params):
            raise self.error(f"{definition.name} takes {len(definition.params)} arguments, "
                             f"got {len(node.args)}", node.pos)
        if self.depth >= MAX_CALL_DEPTH:
            raise self.error(f"calls nested deeper than {MAX_CALL_DEPTH} (recursion in {definition.name}?)",
                             node.pos)
        local: Env = dict(function.env)
        local[definition.name] = function  # visible to itself, so recursion is caught by depth
        for param, arg in zip(definition.params, node.args):
            local[param] = self.expr(arg, env)
        self.depth += 1
        try:
            for statement in definition.body:
                self.assign(statement, local)
            return self.expr(definition.result, local)
        finally:
            self.depth -= 1

    def check_arity(self, node: ast.Call, low: int, high: int) -> None:
        if not low <= len(node.args) <= high:
            wanted = str(low) if low == high else f"{low} or {high}"
            raise self.error(f"{node.func} takes {wanted} arguments, got {len(node.args)}", node.pos)

    def call_select(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 3, 3)
        keys = self.as_sop(self.expr(node.args[0], env), node.args[0].pos, "select's keys")
        queries = self.as_sop(self.expr(node.args[1], env), node.args[1].pos, "select's queries")
        predicate = self.predicate(node.args[2], env)
        return ir.Select(node.pos, keys=keys, queries=queries, predicate=predicate)

    def predicate(self, node: ast.Expr, env: Env) -> str:
        if isinstance(node, ast.Predicate):
            return node.op
        if isinstance(node, ast.Literal) and isinstance(node.value, bool):
            return "TRUE" if node.value else "FALSE"
        raise self.error("select's third argument must be a comparison: ==, !=, <, <=, >, >=, true or false",
                         getattr(node, "pos", ast.Pos(0, 0)))

    def call_aggregate(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 2, 3)
        selector = self.expr(node.args[0], env)
        if not isinstance(selector, ir.Selector):
            raise self.error(f"type mismatch: aggregate's first argument must be a selector, "
                             f"got {_kind(selector)}", node.args[0].pos)
        values = self.as_sop(self.expr(node.args[1], env), node.args[1].pos, "aggregate's values")
        default: Value = None
        if len(node.args) == 3:
            default = self.constant(self.expr(node.args[2], env), node.args[2].pos, "aggregate's default")
        if values.encoding == ir.NUMERICAL and default is None:
            default = 0
        return ir.Aggregate(node.pos, selector=selector, values=values, default=default, encoding=values.encoding)

    def call_selector_width(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 1, 1)
        selector = self.expr(node.args[0], env)
        if not isinstance(selector, ir.Selector):
            raise self.error(f"type mismatch: selector_width needs a selector, got {_kind(selector)}",
                             node.args[0].pos)
        return ir.SelectorWidth(node.pos, selector=selector)

    def call_map(self, node: ast.Call, env: Env) -> Meaning:
        return self.lambda_map(node, env, 1)

    def call_zipmap(self, node: ast.Call, env: Env) -> Meaning:
        return self.lambda_map(node, env, 2)

    def lambda_map(self, node: ast.Call, env: Env, arity: int) -> Meaning:
        self.check_arity(node, arity + 1, arity + 1)
        function = self.expr(node.args[0], env)
        if not isinstance(function, LambdaValue) or len(function.node.params) != arity:
            raise self.error(f"{node.func}'s first argument must be a lambda of {arity} parameter"
                             f"{'s' if arity > 1 else ''}", node.args[0].pos)
        inner: Env = dict(function.env)
        for index, param in enumerate(function.node.params):
            inner[param] = ScalarValue(ir.Arg(index))
        body = self.expr(function.node.body, inner)
        if not isinstance(body, ScalarValue):
            raise self.error(f"a lambda computes one value from single values; its body is {_kind(body)}",
                             function.node.body.pos)
        sops = tuple(self.as_sop(self.expr(a, env), a.pos, f"{node.func}'s argument") for a in node.args[1:])
        return ir.Map(node.pos, body=body.expr, inputs=sops)

    def call_abs(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 1, 1)
        return self.elementwise("abs", (self.expr(node.args[0], env),), node.pos)

    def call_min(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 2, 2)
        return self.elementwise("min", tuple(self.expr(a, env) for a in node.args), node.pos)

    def call_max(self, node: ast.Call, env: Env) -> Meaning:
        self.check_arity(node, 2, 2)
        return self.elementwise("max", tuple(self.expr(a, env) for a in node.args), node.pos)

    # helpers

    def elementwise(self, op: str, operands: tuple[Meaning, ...], pos: ast.Pos) -> Meaning:
        """An operation on sequences and single values: a Map over the sequence operands, or a
        single value when none is a sequence (folded at once when it is a constant)."""
        sops: list[ir.SOp] = []
        parts: list[ir.Scalar] = []
        for operand in operands:
            if isinstance(operand, ir.SOp):
                parts.append(ir.Arg(len(sops)))
                sops.append(operand)
            elif isinstance(operand, ScalarValue):
                parts.append(operand.expr)
            else:
                raise self.error(f"type mismatch: '{op}' needs sequences or values, got {_kind(operand)}", pos)
        expr: ir.Scalar = ir.Apply(op, tuple(parts))
        if expr.depth > MAX_SCALAR_DEPTH:
            raise self.error(f"expression nested deeper than {MAX_SCALAR_DEPTH} operations", pos)
        if not sops:
            if all(isinstance(p, ir.Const) for p in parts):
                return ScalarValue(ir.Const(self.fold(op, tuple(p.value for p in parts), pos)))
            return ScalarValue(expr)
        numerical = op in ir.ARITHMETIC_OPS and any(s.encoding == ir.NUMERICAL for s in sops)
        return ir.Map(pos, body=expr, inputs=tuple(sops), encoding=ir.NUMERICAL if numerical else ir.CATEGORICAL)

    def fold(self, op: str, values: tuple[Value, ...], pos: ast.Pos) -> Value:
        try:
            return apply_op(op, values)
        except (TypeError, ArithmeticError) as error:
            shown = ", ".join(format_value(v) for v in values)
            raise self.error(f"cannot compute {op} of {shown}: {error}", pos) from None

    def constant(self, value: Meaning, pos: ast.Pos, what: str) -> Value:
        if isinstance(value, ScalarValue) and isinstance(value.expr, ir.Const):
            return value.expr.value
        raise self.error(f"{what} must be a constant value, got {_kind(value)}", pos)

    def as_sop(self, value: Meaning, pos: ast.Pos, what: str) -> ir.SOp:
        """A sequence, broadcasting a constant to every position (`select(tokens, "a", ==)`)."""
        if isinstance(value, ir.SOp):
            return value
        if isinstance(value, ScalarValue) and isinstance(value.expr, ir.Const):
            return ir.Map(pos, body=value.expr, inputs=())
        raise self.error(f"type mismatch: {what} must be a sequence, got {_kind(value)}", pos)


def elaborate(module: ast.Module) -> ir.SOp:
    """The output SOp of a parsed module."""
    try:
        return Elaborator(module.path).module(module)
    except RecursionError:
        # the parser bounds nesting; calls inlined inside deep expressions can still multiply it
        raise NesyInputError("the program nests too deeply (function calls inside deep expressions)",
                             path=module.path) from None
