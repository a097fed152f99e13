"""RASP -> PyTorch transformer weights, as a pipeline of small stages (Tracr's shape):

    lower (IR -> graph with value sets) -> allocate_layers -> build_residual
    -> build_head / build_mlp per sublayer -> assemble (torch module + metadata)

    >>> from nesy.compiler import compile_rasp
    >>> compiled = compile_rasp("aggregate(select(indices, indices - 1, ==), tokens);", ["a", "b"], 4)
    >>> compiled.run([["a", "b", "b"]])
    [[None, 'a', 'b']]
"""
from __future__ import annotations

from typing import Sequence

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.elaborate import elaborate
from dsl.rasp.parser import parse
from dsl.rasp.values import Value, parse_token
from nesy.compiler.assemble import Compiled, assemble
from nesy.compiler.blocks import build_head, build_mlp, is_head
from nesy.compiler.graph import to_networkx
from nesy.compiler.layers import allocate_layers
from nesy.compiler.lower import lower
from nesy.compiler.residual import build_residual


def compile_program(program: ir.SOp, vocab: Sequence[Value], max_len: int, path: str = "<rasp>",
                    recycle: bool = True) -> Compiled:
    """Compile a loaded RASP program (its output IR node) for this vocabulary and max length;
    `recycle` reuses the residual directions of dead values."""
    try:
        return _compile(program, vocab, max_len, path, recycle)
    except RecursionError:
        # parsing bounds expressions, lowering walks nodes in order; this is the backstop
        raise NesyInputError("cannot compile: the program is nested too deeply", path=path) from None


def _compile(program: ir.SOp, vocab: Sequence[Value], max_len: int, path: str, recycle: bool) -> Compiled:
    lowered = lower(program, vocab, max_len, path)
    graph = to_networkx(lowered.output)
    allocation = allocate_layers(graph)
    space = build_residual(graph, allocation, lowered.output, recycle)
    heads, mlps, layer_map = [], [], []
    for layer in range(allocation.n_layers):
        attention, mlp = allocation.at(2 * layer), allocation.at(2 * layer + 1)
        heads.append([build_head(node, space) for node in attention if is_head(node)])
        mlps.append(build_mlp(mlp, space, space.cleanups_at(2 * layer + 1)))
        layer_map.append({"attention": [n.label for n in attention], "mlp": [n.label for n in mlp]})
    return assemble(space, heads, mlps, lowered.output, lowered.vocab, max_len, layer_map)


def compile_rasp(source: str, vocab: Sequence[Value] | str, max_len: int, path: str = "<rasp>") -> Compiled:
    """Compile RASP source text into a `torch.nn.Module` plus metadata.

    `vocab` is a list of tokens or a comma-separated string ("1,2,3": numbers become ints).
    Raises NesyInputError with the line and the reason for anything that cannot be compiled exactly.

        >>> compiled = compile_rasp("hist = selector_width(select(tokens, tokens, ==));", "a,b", 5)
        >>> compiled.run([["a", "b", "a"]])
        [[2, 1, 2]]
    """
    if isinstance(vocab, str):
        vocab = [parse_token(t) for t in vocab.split(",") if t != ""]
    return compile_program(elaborate(parse(source, path)), vocab, max_len, path)


__all__ = ["Compiled", "compile_program", "compile_rasp"]
