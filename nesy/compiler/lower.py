"""Stage 1: RASP IR -> compiler graph, with the value set of every node (basis inference).

Consecutive maps merge into one MLP when the merged function still has an exact, small plan;
maps of one categorical value fold into the attention that reads them; composite selectors become
sums of per-conjunct scores (and) or a joint key built by one MLP (or). Anything that cannot be
compiled exactly is rejected here with the program line and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.ast import Pos
from dsl.rasp.values import Value, canon, format_value, is_number, unique_sorted
from nesy.compiler import analysis
from nesy.compiler.graph import AggregateHead, CNode, Embedded, FusedMap, Term, View, WidthHead, to_networkx
from nesy.compiler.plans import AffinePlan, PlanError, make_plan, most_common, plan_outputs, z_values


MAX_FUSED_DEPTH = 100   # operations nested in one merged map (its table is evaluated recursively)


@dataclass
class Lowered:
    output: CNode
    vocab: tuple[Value, ...]
    max_len: int


class Lowering:
    """Lowers IR nodes one at a time (each once), remembering labels already given out."""

    def __init__(self, vocab: Sequence[Value], max_len: int, path: str) -> None:
        self.vocab = unique_sorted(canon(v) for v in vocab)
        self.max_len = max_len
        self.path = path
        self.memo: dict[int, CNode] = {}
        self.taken: set[str] = {"one", "bos", "tokens", "indices"}  # the fixed directions' names
        self.joints: dict[tuple[int, ...], FusedMap] = {}

    def error(self, message: str, pos: Pos) -> NesyInputError:
        return NesyInputError(f"cannot compile exactly: {message}", path=self.path,
                              line=pos.line or None, column=pos.column or None)

    def label(self, node: ir.Node, default: str) -> str:
        return self.unique(node.label or default)

    def unique(self, base: str) -> str:
        """A label no other node has: residual directions are named by labels."""
        label, count = base, 0
        while label in self.taken:
            count += 1
            label = f"{base}_{count}"
        self.taken.add(label)
        return label

    def sop(self, node: ir.SOp) -> CNode:
        if id(node) not in self.memo:
            self.memo[id(node)] = getattr(self, "_" + type(node).__name__.lower())(node)
        return self.memo[id(node)]

    # sequences

    def _tokens(self, node: ir.Tokens) -> CNode:
        return Embedded("tokens", node.pos, ir.CATEGORICAL, self.vocab, implicit=self.vocab[-1], source="tokens")

    def _indices(self, node: ir.Indices) -> CNode:
        return Embedded("indices", node.pos, ir.CATEGORICAL, tuple(range(self.max_len)),
                        implicit=self.max_len - 1, source="indices")

    def _map(self, node: ir.Map) -> CNode:
        inputs = [self.sop(s) for s in node.inputs]
        label = self.label(node, "map")
        body, leaves = _fuse(node.body, inputs)
        if ir.scalar_depth(body) > MAX_FUSED_DEPTH:  # a long chain of maps: an MLP every so often
            body, leaves = _dedupe(node.body, inputs)
        fused = self.fused_map(node, body, leaves, label)
        if fused.plan_error and any(isinstance(i, FusedMap) for i in inputs):
            body, leaves = _dedupe(node.body, inputs)
            fused = self.fused_map(node, body, leaves, label)
        return fused

    def fused_map(self, node: ir.SOp, body: ir.Scalar, leaves: Sequence[CNode], label: str) -> FusedMap:
        numerical_output = node.encoding == ir.NUMERICAL
        numeric_leaves = [leaf.encoding == ir.NUMERICAL for leaf in leaves]
        try:
            plan = make_plan(body, [leaf.values for leaf in leaves], numeric_leaves, numerical_output)
        except PlanError as error:
            return FusedMap(label, node.pos, node.encoding, (), body=body, leaves=tuple(leaves),
                            plan_error=str(error))
        if isinstance(plan, AffinePlan):
            values = tuple(canon(z) for z in z_values(plan.coefficients, plan.constant,
                                                       [leaf.values for leaf in leaves]))
            return FusedMap(label, node.pos, node.encoding, values, body=body, leaves=tuple(leaves), plan=plan)
        outputs = plan_outputs(plan)
        values = unique_sorted(outputs) or (None,)
        implicit = 0 if numerical_output else (most_common(outputs) if outputs else None)
        return FusedMap(label, node.pos, node.encoding, values, implicit=implicit, body=body,
                        leaves=tuple(leaves), plan=plan)

    def _selectorwidth(self, node: ir.SelectorWidth) -> CNode:
        terms = self.terms(node.selector)
        label = self.label(node, "width")
        fractions = unique_sorted(canon(Fraction(1, w + 1)) for w in range(self.max_len + 1))
        head = WidthHead(self.unique(label + "_frac"), node.pos, ir.NUMERICAL, fractions, terms=terms)
        return self.fused_map(node, ir.Apply("count_from_fraction", (ir.Arg(0),)), (head,), label)

    def _aggregate(self, node: ir.Aggregate) -> CNode:
        terms = self.terms(node.selector)
        source = self.sop(node.values)
        label = self.label(node, "aggregate")
        at_most_one = analysis.selects_at_most_one(terms)
        if node.encoding == ir.NUMERICAL:
            return self.numerical_aggregate(node, label, terms, source, at_most_one)
        if source.encoding == ir.NUMERICAL:
            raise self.error("a categorical aggregate of a numerical sequence; annotate its values "
                             "'categorical' or the aggregate 'numerical'", node.pos)
        view = self.view(source, node.pos)
        values = unique_sorted([view.apply(v) for v in view.leaf_values()] + [node.default])
        single = at_most_one or analysis.selects_one_value(terms, view)
        return AggregateHead(label, node.pos, ir.CATEGORICAL, values, implicit=node.default, terms=terms,
                             value_view=view, single_valued=single, source=node)

    def numerical_aggregate(self, node: ir.Aggregate, label: str, terms, source: CNode,
                            at_most_one: bool) -> CNode:
        if not (is_number(node.default) and node.default == 0):
            raise self.error(f"a numerical aggregate's default must be 0, not {format_value(node.default)}",
                             node.pos)
        view = self.numeric_view(source, node.pos)
        items = [view.apply(v) for v in view.leaf_values()]
        bad = [v for v in items if not is_number(v)]
        if bad:
            raise self.error(f"a numerical aggregate of the non-number {format_value(bad[0])!r}", node.pos)
        try:
            values = unique_sorted(items) if at_most_one else analysis.mean_values(items, self.max_len)
        except PlanError as error:
            raise self.error(f"{error} (max_len {self.max_len})", node.pos) from None
        values = unique_sorted([*values, 0])
        return AggregateHead(label, node.pos, ir.NUMERICAL, values, terms=terms, value_view=view)

    # views: how attention reads a sequence

    def view(self, node: CNode, pos: Pos) -> View:
        """A categorical view, folding a map of one categorical value (or of none) into attention."""
        if isinstance(node, FusedMap) and len(node.leaves) <= 1:
            if not node.leaves:
                return View(None, node.body)
            if node.leaves[0].encoding == ir.CATEGORICAL:
                return View(node.leaves[0], node.body)
        if node.encoding == ir.NUMERICAL:
            raise self.error(f"'{node.label}' is numerical, but select and categorical aggregate read "
                             "categorical values (annotate it 'categorical')", pos)
        return View(node)

    def numeric_view(self, node: CNode, pos: Pos) -> View:
        if isinstance(node, FusedMap) and len(node.leaves) == 1 and isinstance(node.plan, AffinePlan):
            return View(node.leaves[0], node.body)
        if node.encoding == ir.NUMERICAL:
            return View(node)
        return self.view(node, pos)

    # selectors

    def terms(self, selector: ir.Selector) -> tuple[Term, ...]:
        """One term per conjunct; a conjunct reading several keys (or queries) gets a joint key."""
        return tuple(self.term(c) for c in _conjuncts(selector))

    def term(self, conjunct: ir.Selector) -> Term:
        leaves = _selects(conjunct)
        key_views = {id(s): self.view(self.sop(s.keys), s.pos) for s in leaves}
        query_views = {id(s): self.view(self.sop(s.queries), s.pos) for s in leaves}
        key_leaf, key_index = self.joint([key_views[id(s)] for s in leaves], conjunct.pos)
        query_leaf, query_index = self.joint([query_views[id(s)] for s in leaves], conjunct.pos)

        def key_of(select: ir.Select, value: Value) -> Value:
            view = key_views[id(select)]
            return view.apply(key_index(view, value))

        def query_of(select: ir.Select, value: Value) -> Value:
            view = query_views[id(select)]
            return view.apply(query_index(view, value))
        return Term(View(key_leaf), View(query_leaf), conjunct, key_of, query_of)

    def joint(self, views: list[View], pos: Pos):
        """The one leaf these views read: theirs if they share it, else an MLP-built tuple."""
        leaves = list(dict.fromkeys(v.leaf for v in views if v.leaf is not None))
        if len(leaves) <= 1:
            leaf = leaves[0] if leaves else None
            return leaf, lambda view, value: value
        key = tuple(id(leaf) for leaf in leaves)
        if key not in self.joints:
            body = ir.Apply("tuple", tuple(ir.Arg(i) for i in range(len(leaves))))
            holder = ir.Map(pos, body=body, inputs=())
            self.joints[key] = self.fused_map(holder, body, leaves, self.label(holder, "joint"))
        node = self.joints[key]
        position = {id(leaf): i for i, leaf in enumerate(leaves)}
        return node, lambda view, value: None if view.leaf is None or value is None else value[position[id(view.leaf)]]


def _conjuncts(selector: ir.Selector) -> list[ir.Selector]:
    if isinstance(selector, ir.SelectorAnd):
        return _conjuncts(selector.left) + _conjuncts(selector.right)
    return [selector]


def _selects(selector: ir.Selector) -> list[ir.Select]:
    if isinstance(selector, ir.Select):
        return [selector]
    return [leaf for part in selector.children() for leaf in _selects(part)]  # type: ignore[arg-type]


def _substitute(expr: ir.Scalar, mapping: dict[int, ir.Scalar]) -> ir.Scalar:
    if isinstance(expr, ir.Arg):
        return mapping[expr.index]
    if isinstance(expr, ir.Apply):
        return ir.Apply(expr.op, tuple(_substitute(a, mapping) for a in expr.args))
    return expr


def _dedupe(body: ir.Scalar, inputs: Sequence[CNode]) -> tuple[ir.Scalar, tuple[CNode, ...]]:
    leaves = list(dict.fromkeys(inputs))
    mapping = {i: ir.Arg(leaves.index(node)) for i, node in enumerate(inputs)}
    return _substitute(body, mapping), tuple(leaves)


def _fuse(body: ir.Scalar, inputs: Sequence[CNode]) -> tuple[ir.Scalar, tuple[CNode, ...]]:
    """Inline every input that is itself a map: one MLP instead of a chain of them."""
    leaves: list[CNode] = []
    mapping: dict[int, ir.Scalar] = {}
    for i, node in enumerate(inputs):
        if isinstance(node, FusedMap) and not node.plan_error:
            inner = {}
            for j, leaf in enumerate(node.leaves):
                if leaf not in leaves:
                    leaves.append(leaf)
                inner[j] = ir.Arg(leaves.index(leaf))
            mapping[i] = _substitute(node.body, inner)
        else:
            if node not in leaves:
                leaves.append(node)
            mapping[i] = ir.Arg(leaves.index(node))
    return _substitute(body, mapping), tuple(leaves)


def lower(output: ir.SOp, vocab: Sequence[Value], max_len: int, path: str = "<rasp>") -> Lowered:
    """The compiler graph of a RASP program for this vocabulary and maximum length."""
    if max_len < 1:
        raise NesyInputError(f"max_len must be at least 1, got {max_len}")
    if not vocab:
        raise NesyInputError("the vocabulary is empty")
    try:
        lowering = Lowering(vocab, max_len, path)
    except ArithmeticError as error:
        raise NesyInputError(f"bad vocabulary token: {error}") from None
    for node in ir.walk(output):  # inputs first: lowering each node then recurses one level only
        if isinstance(node, ir.SOp):
            lowering.sop(node)
    root = lowering.sop(output)
    nodes = list(to_networkx(root).nodes)
    for node in nodes:
        if isinstance(node, FusedMap) and node.plan_error:
            raise lowering.error(node.plan_error, node.pos)
    _prove_single_valued([n for n in nodes if isinstance(n, AggregateHead) and not n.single_valued
                          and n is not root], output, lowering)
    return Lowered(root, lowering.vocab, max_len)


def _prove_single_valued(heads: list[AggregateHead], output: ir.SOp, lowering: Lowering) -> None:
    """A categorical aggregate that feeds another node must select keys holding one value (their
    mean is then that value's one-hot). What the value sets could not prove, every input of the
    task may: run them all; refuse, saying how to rewrite, what is still unproved."""
    if not heads:
        return
    found = analysis.one_value_on_every_input(output, [h.source for h in heads], lowering.vocab, lowering.max_len)
    for head in sorted(heads, key=lambda h: (h.pos.line, h.pos.column)):
        if found is not None and id(head.source) not in found:
            head.single_valued = True
            continue
        if found is None:
            why = (f"this could not be proved (more than {analysis.MAX_EXHAUSTIVE_PROOF} inputs to try "
                   "at this vocabulary and max_len)")
        else:
            tokens, (first, second) = found[id(head.source)]
            why = (f"on input {' '.join(format_value(t) for t in tokens)} it selects both "
                   f"{format_value(first)} and {format_value(second)}")
        raise lowering.error(
            f"categorical aggregate '{head.label}' may select several positions holding different values; "
            f"{why}. Only the program's output may do that (it decodes to the most frequent). Rewrite it "
            "so the selected positions hold one value: select on the aggregated sequence itself "
            "(aggregate(select(v, q, ==), v)), add a conjunct that keeps one position "
            "(... and select(indices, i, ==)), or make it the program's output", head.pos)
