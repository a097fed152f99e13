"""Regex text -> `Program`, in either syntax, with Lark; errors keep Lark's position.

Groups are pure grouping (no AST node) and chains of `|`/concatenation are built right-nested, which
is the shape the printers leave unparenthesised: that is what makes `parse(print(r)) == r` hold.
The everyday syntax means what `re.fullmatch(r, s, re.ASCII | re.DOTALL)` means; Python syntax with
another meaning under whole-string matching (backreferences, lookarounds, `\\b`, flags) is refused
by name and column. Length and depth are bounded so that no later step (Z3, hashing, printing)
runs out of stack.
"""
from __future__ import annotations

from functools import lru_cache, reduce
from pathlib import Path
from typing import Callable

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl.core import Program
from dsl.errors import NesyInputError
from dsl.regex.charset import ANY, CharSet
from dsl.regex.classes import read_class
from dsl.regex.escapes import Refusal, read_escape
from dsl.regex.ops import CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, apply, leaf, repeat

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")
SYNTAXES = ("everyday", "textbook")
MAX_LENGTH = 10_000   # characters of regex text
MAX_DEPTH = 200       # levels of the AST: the recursive steps after parsing stay far from Python's stack limit
MAX_COUNT = 100_000   # the largest m or n in {m,n}


@lru_cache(maxsize=2)
def _parser(syntax: str) -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), start=f"start_{syntax}", parser="lalr", maybe_placeholders=False,
                transformer=_ToProgram())


def _right_nested(op, parts: list[Program]) -> Program:
    return reduce(lambda right, left: apply(op, left, right), reversed(parts[:-1]), parts[-1])


def _postfix(base: Program, marks: list[str]) -> Program:
    """The textbook syntax's postfix marks, innermost first (`0*?`, `0^**`)."""
    for mark in marks:
        base = apply({"*": STAR, "?": OPTIONAL}[mark], base)
    return base


def _quantified(base: Program, quantifier: Token) -> Program:
    mark = str(quantifier)
    if mark in _QUANTIFIERS:
        return apply(_QUANTIFIERS[mark], base)
    lo, comma, hi = mark[1:-1].partition(",")
    low = _bound(lo or "0", quantifier)
    high = low if not comma else _bound(hi, quantifier) if hi else None
    if high is not None and high < low:
        raise Refusal(f"repetition {mark} has its bounds reversed", quantifier.start_pos)
    return apply(repeat(low, high), base)


def _bound(digits: str, quantifier: Token) -> int:
    if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        raise Refusal(f"the count in {quantifier} is above nesy's limit of {MAX_COUNT}", quantifier.start_pos,
                      unsupported=True)
    return int(digits)


def _everyday_repetition(base: Program, marks: list[Token]) -> Program:
    """One quantifier, perhaps made lazy by `?` (the same language under whole-string matching);
    `re` reads `a*+` as possessive (refused) and refuses `a**`, `a*??` as a multiple repeat."""
    if not marks:
        return base
    quantifier, *rest = marks
    if rest and str(rest[0]) == "+":
        raise Refusal(f"the possessive quantifier {quantifier}+ is not supported", rest[0].start_pos,
                      unsupported=True)
    extra = rest[1:] if rest and str(rest[0]) == "?" else rest
    if extra:
        raise Refusal(f"multiple repeat {extra[0]} (write (?:...) around a repeated item to repeat it again)",
                      extra[0].start_pos)
    return _quantified(base, quantifier)


def _refused_at(token: Token, read: Callable[[str], CharSet]) -> CharSet:
    """`read(token)`, with a refusal's offset moved from the token's start to the regex's."""
    try:
        return read(str(token))
    except Refusal as refusal:
        raise Refusal(refusal.message, token.start_pos + refusal.offset, refusal.unsupported) from None


_QUANTIFIERS = {"*": STAR, "+": PLUS, "?": OPTIONAL}
_EXTENSIONS = {"(?P<": "the named group (?P<name>...) is not supported (write (...) instead)",
               "(?P=": "the backreference (?P=name) is not supported (a regular language has none)",
               "(?#": "the comment (?#...) is not supported", "(?=": "the lookahead (?=...) is not supported",
               "(?!": "the lookahead (?!...) is not supported (only the empty (?!), which matches nothing)",
               "(?<=": "the lookbehind (?<=...) is not supported", "(?<!": "the lookbehind (?<!...) is not supported",
               "(?(": "the conditional group (?(id)yes|no) is not supported",
               "(?>": "the atomic group (?>...) is not supported"}


def _extension_refusal(text: str) -> str:
    if text in _EXTENSIONS:
        return _EXTENSIONS[text]
    if text[2:3] in set("-aiLmsux"):
        return (f"the flags {text}{'' if text[-1] in ':)' else '...'} are not supported (nesy reads every regex "
                f"as re.ASCII | re.DOTALL do, case-sensitive)")
    return f"the group extension {text} is not supported"


class _ToProgram(Transformer):
    """Parse tree -> Program for both syntaxes, run by the LALR parser as it reduces (no tree is
    built, so nesting depth costs no recursion); their chain rules mean the same."""

    def _alternatives(self, parts):
        return _right_nested(UNION, parts)

    def _sequence(self, parts):
        return _right_nested(CONCAT, parts) if parts else Program(EPSILON)

    def _first(self, children):
        return children[0]

    e_alt = t_alt = _alternatives
    e_seq = t_seq = _sequence
    start_everyday = start_textbook = group = t_group = _first

    def e_rep(self, children):
        return _everyday_repetition(children[0], children[1:])

    def t_rep(self, children):
        return _postfix(children[0], children[1:])

    def t_postfix(self, _):
        return "*"

    def t_optional(self, _):
        return "?"

    def nothing(self, _):
        return Program(EMPTY)

    def t_empty(self, _):
        return Program(EMPTY)

    def t_epsilon(self, _):
        return Program(EPSILON)

    def any_char(self, _):
        return leaf(ANY)

    def t_any(self, _):
        return leaf(ANY)

    @v_args(inline=True)
    def extension(self, token: Token):
        raise Refusal(_extension_refusal(str(token)), token.start_pos, unsupported=True)

    @v_args(inline=True)
    def anchor(self, token: Token):
        raise Refusal(f"the anchor {token} is only supported at the very start (^) or end ($) of the whole "
                      f"regex (nesy matches whole strings; write \\{token} for the character)", token.start_pos,
                      unsupported=True)

    @v_args(inline=True)
    def bracket(self, token: Token):
        return leaf(_refused_at(token, read_class))

    @v_args(inline=True)
    def escape(self, token: Token):
        return leaf(_refused_at(token, lambda text: read_escape(text, 0, in_class=False)[0]))

    @v_args(inline=True)
    def literal(self, token: Token):
        return leaf(CharSet.of(str(token)))

    t_symbol = literal


def parse_regex(text: str, syntax: str = "everyday", path: str = "<regex>") -> Program:
    r"""Parse a regex; `syntax` is "everyday" (Python-`re` style) or "textbook" (AlphaRegex style).

    Errors are one line with the column (also in the error's `column`); whatever Python's `re`
    reads differently from whole-string matching is refused by name, never read another way.

    >>> from dsl.regex.printer import to_everyday
    >>> to_everyday(parse_regex("(0+1)*01", "textbook"))
    '(0|1)*01'
    >>> from dsl.regex.ops import accepts
    >>> email_part = parse_regex(r"^[a-z0-9.\-_]+$")     # `\-` is the character -, as in `re`
    >>> accepts(email_part, "a-b"), accepts(email_part, "A")
    (True, False)
    """
    if syntax not in SYNTAXES:
        raise NesyInputError(f"unknown regex syntax {syntax!r} (expected one of {', '.join(SYNTAXES)})")
    if len(text) > MAX_LENGTH:
        raise NesyInputError(f"{syntax} regex too long: {len(text)} characters (at most {MAX_LENGTH})", path=path)
    inner, offset = _without_anchors(text) if syntax == "everyday" else (text, 0)
    try:
        program = _parser(syntax).parse(inner)
    except UnexpectedInput as error:
        message, column = _what_went_wrong(error, inner, offset)
        raise NesyInputError(f"malformed {syntax} regex {text!r}: {message}", path=path, column=column) from None
    except Refusal as refusal:
        what = "unsupported construct in" if refusal.unsupported else "malformed"
        column = refusal.offset + offset + 1
        raise NesyInputError(f"{what} {syntax} regex {text!r}: column {column}: {refusal.message}", path=path,
                             column=column) from None
    depth = tree_depth(program)
    if depth > MAX_DEPTH:
        raise NesyInputError(f"{syntax} regex nests {depth} levels deep (at most {MAX_DEPTH}: each item of a "
                             f"sequence and each alternative is a level)", path=path)
    return program


def _without_anchors(text: str) -> tuple[str, int]:
    """`text` less a leading `^`/`\\A` and a trailing unescaped `$`/`\\Z`, which whole-string matching
    makes no-ops, and how many characters went from the front."""
    start = next((len(a) for a in ("^", "\\A") if text.startswith(a)), 0)
    end = len(text)
    for anchor in ("$", "\\Z"):
        at = end - len(anchor)
        if at >= start and text.endswith(anchor) and _unescaped(text, at):
            end = at
            break
    return text[start:end], start


def _unescaped(text: str, index: int) -> bool:
    """No backslash escapes `text[index]`: an even number of them precede it."""
    backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
    return backslashes % 2 == 0


def tree_depth(program: Program) -> int:
    """The depth of the tree, without recursion (a 10,000-item sequence is 10,000 deep)."""
    deepest, stack = 0, [(program, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children)
    return deepest


_TERMINAL_NAMES = {"CLASS": "a [class]", "ESCAPE": "an \\escape", "LITERAL": "a character", "QUANT": "* + ?",
                   "COUNT": "{m,n}", "T_SYMBOL": "a symbol", "T_STAR": "*", "$END": "the end"}
_REFUSED_TERMINALS = {"EXTENSION", "ANCHOR"}   # lexed only to be refused: never "expected"
_HINTS = {"'['": " (a [class] that no ] closes; write \\[ for the character)",
          "'\\\\'": " (a lone \\ at the end; write \\\\ for a backslash)"}


def _spelling(terminal: str) -> str:
    """A terminal as the user would type it (Lark names anonymous ones `__ANON_0`, `RPAR`...)."""
    if terminal in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[terminal]
    for syntax in SYNTAXES:
        for definition in _parser(syntax).terminals:
            if definition.name == terminal and definition.pattern.type == "str":
                return repr(definition.pattern.value)
    return terminal


def _what_went_wrong(error: UnexpectedInput, text: str, offset: int) -> tuple[str, int]:
    """Lark's verdict in one line, and its column in the regex (`text` came `offset` characters in)."""
    if isinstance(error, UnexpectedEOF) or isinstance(error, UnexpectedToken) and error.token.type == "$END":
        found, column = "the end of the regex", len(text) + 1
    elif isinstance(error, UnexpectedToken):
        found, column = repr(str(error.token)), error.column
    else:
        found, column = repr(text[error.pos_in_stream]) if error.pos_in_stream is not None else "?", error.column
    expected = sorted({_spelling(name) for name in getattr(error, "expected", None) or
                       getattr(error, "allowed", None) or () if name not in _REFUSED_TERMINALS})
    hint = f" (expected {', '.join(expected)})" if expected else ""
    hint = _HINTS.get(found, hint)
    return f"unexpected {found} at column {column + offset}{hint}", column + offset
