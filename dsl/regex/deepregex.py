r"""Deep-Regex's regex syntax: read (`parse_deepregex`) and print (`to_deepregex`) into the regex AST.

The syntax of the NL-RX and KB13 data (Locascio et al. 2016): `.*`, classes `[A-Z] [a-z] [0-9]
[AEIOUaeiou]`, `.`, `\b`, `&` (intersection), `~` (complement), `{n}`, `{n,}`, `{n,m}`, `|`,
concatenation and words. The grammar is `deepregex.lark`; precedence is that of the dk.brics
automaton library Deep-Regex scored with (`|` < `&` < concatenation < repetition < `~`). Whitespace
is ignored, so the data's tokenised lines read as they are; `<M0>`..`<M3>` stand for the
description's quoted words (by default dog, truck, ring, lake, as the data's README says) and
`<NUM> <LET> <CAP> <LOW> <VOW>` for the classes. `parse(print(r)) == r` for every regex read.

Where this reading differs from the dk.brics one Deep-Regex's checker used: `\b` is a word boundary
(zero width, between an ASCII word character and anything else), where dk.brics reads `\b` as the
letter b; `@` (any string) and `"..."` (a quoted string) are refused rather than read.

>>> r = parse_deepregex(". * ( ( <M0> ) | ( [ <NUM> ] ) ) { 2 , } . *")
>>> to_deepregex(r)
'.*(dog|[0-9]){2,}.*'
>>> from dsl.regex.ops import accepts
>>> accepts(r, "a dog7 b"), accepts(r, "one dog")
(True, False)
>>> accepts(parse_deepregex(r".*\bdog\b.*"), "hotdog"), accepts(parse_deepregex(r"~(.*dog.*)"), "cat")
(False, True)
"""
from __future__ import annotations

import re
from functools import lru_cache, reduce
from pathlib import Path
from typing import Sequence

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput

from dsl.core import Program
from dsl.errors import NesyInputError, syntax_error, terminal_spelling
from dsl.regex.charset import ANY, CharSet
from dsl.regex.extended import COMPLEMENT, INTERSECT, WORD_BOUNDARY
from dsl.regex.parser import MAX_DEPTH, tree_depth   # one depth limit for both syntaxes
from dsl.regex.ops import (CONCAT, EMPTY, EPSILON, OPTIONAL, PLUS, STAR, UNION, CharSetOp, RepeatOp, apply, leaf,
                           repeat)

GRAMMAR_FILE = Path(__file__).with_name("deepregex.lark")
DEFAULT_WORDS = ("dog", "truck", "ring", "lake")
CLASSES: dict[str, CharSet] = {
    "NUM": CharSet.of([("0", "9")]), "LET": CharSet.of([("A", "Z"), ("a", "z")]),
    "CAP": CharSet.of([("A", "Z")]), "LOW": CharSet.of([("a", "z")]), "VOW": CharSet.of("AEIOUaeiou"),
}
MAX_LENGTH = 10_000
MAX_COUNT = 1_000
_SPECIAL = set('|&?*+{}~[]().#@"<>\\^-')
_TERMINAL_NAMES = {"CHAR": "a character", "ESCAPED": "an \\escape", "PLACEHOLDER": "a <placeholder>",
                   "BOUNDARY": "\\b", "QUANT": "* + ?", "COUNT": "{n,m}", "DASH": "'-'", "CARET": "'^'",
                   "$END": "the end"}


class _Word(tuple):
    """A `<Mk>` word's letters: spliced into the sequence around it, so `.*<M0>.*` reads as `.*dog.*`
    (a repetition right after a placeholder repeats the whole word)."""


def _program(part) -> Program:
    if isinstance(part, _Word):
        return _right_nested(CONCAT, list(part)) if part else Program(EPSILON)
    return part


class _Refusal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _right_nested(op, parts: list[Program]) -> Program:
    return reduce(lambda right, left: apply(op, left, right), reversed(parts[:-1]), parts[-1])


class _ToProgram(Transformer):
    """Parse tree -> Program; chains nest to the right, as the printer leaves them unparenthesised."""

    def __init__(self, words: Sequence[str], boundary_as_letter: bool = False) -> None:
        super().__init__()
        self.words = tuple(words)
        self.boundary_as_letter = boundary_as_letter

    def start(self, children):
        return _program(children[0])

    def alt(self, parts):
        return _right_nested(UNION, [_program(p) for p in parts])

    def inter(self, parts):
        return _right_nested(INTERSECT, [_program(p) for p in parts])

    def seq(self, parts):
        items = [leaf for part in parts for leaf in (part if isinstance(part, _Word) else (part,))]
        return _right_nested(CONCAT, items) if items else Program(EPSILON)

    def rep(self, children):
        if len(children) == 1:
            return children[0]
        base = _program(children[0])
        for mark in children[1:]:
            base = _repeated(base, mark)
        return base

    def complement(self, children):
        return apply(COMPLEMENT, _program(children[0]))

    def group(self, children):
        return _program(children[0])

    def any_char(self, _):
        return leaf(ANY)

    def nothing(self, _):
        return Program(EMPTY)

    def boundary(self, _):
        return leaf(CharSet.of("b")) if self.boundary_as_letter else Program(WORD_BOUNDARY)

    @v_args(inline=True)
    def literal(self, token: Token):
        return leaf(CharSet.of(_char(token)))

    @v_args(inline=True)
    def placeholder(self, token: Token):
        name = str(token).lstrip("\\ \t")[1:-1]
        if name in CLASSES:
            return leaf(CLASSES[name])
        return _Word(leaf(CharSet.of(c)) for c in self._word(token))

    def _word(self, token: Token) -> str:
        index = int(str(token).lstrip("\\ \t")[2:-1])
        if index >= len(self.words):
            raise _Refusal(f"{token} names quoted word {index + 1}, but only {len(self.words)} "
                           f"{'is' if len(self.words) == 1 else 'are'} given")
        return self.words[index]

    def bracket(self, children):
        negated = bool(children) and isinstance(children[0], Token) and children[0].type == "CARET"
        items = children[1:] if negated else children
        return leaf(CharSet.union(list(items)) if not negated else CharSet.union(list(items)).complement())

    def item(self, children):
        return self._class_item(children[0])

    def dash(self, _):
        return CharSet.of("-")

    def range(self, children):
        low, _, high = children
        if _is_class(low) or _is_class(high):   # `[<CAP>-<LOW>]`: the two classes and the dash
            return CharSet.union([self._class_item(low), CharSet.of("-"), self._class_item(high)])
        lo, hi = _char(low), _char(high)
        if ord(lo) > ord(hi):
            raise _Refusal(f"the class range {lo}-{hi} runs backwards")
        return CharSet.of([(lo, hi)])

    def _class_item(self, token: Token) -> CharSet:
        if token.type == "PLACEHOLDER":
            name = str(token)[1:-1]
            if name not in CLASSES:   # dk.brics reads [^dog] as a class of d, o and g
                word = self._word(token)
                if not word:
                    raise _Refusal(f"the empty word {token} inside a [class]")
                return CharSet.of(word)
            return CLASSES[name]
        return CharSet.of(_char(token))


def _is_class(token: Token) -> bool:
    return token.type == "PLACEHOLDER"


def _char(token: Token) -> str:
    text = str(token)
    return text[-1] if text.startswith("\\") else text


def _repeated(base: Program, mark: Token) -> Program:
    text = re.sub(r"\s", "", str(mark))
    if text in ("*", "+", "?"):
        return apply({"*": STAR, "+": PLUS, "?": OPTIONAL}[text], base)
    lo_text, comma, hi_text = text[1:-1].partition(",")
    lo = int(lo_text)
    hi = lo if not comma else int(hi_text) if hi_text else None
    if max(lo, hi or 0) > MAX_COUNT:
        raise _Refusal(f"the count in {text} is above nesy's limit of {MAX_COUNT}")
    if hi is not None and hi < lo:
        raise _Refusal(f"repetition {text} has its bounds reversed")
    return apply(repeat(lo, hi), base)


@lru_cache(maxsize=1)
def _grammar() -> Lark:
    return Lark(GRAMMAR_FILE.read_text(), parser="lalr", maybe_placeholders=False)


def parse_deepregex(text: str, words: Sequence[str] = DEFAULT_WORDS, path: str | None = None, *,
                    boundary_as_letter: bool = False) -> Program:
    r"""A Deep-Regex regex (tokenised or not) as a regex `Program`; `words` replace `<M0>`, `<M1>`...

    `boundary_as_letter` reads `\b` as dk.brics (and so Deep-Regex's checker) does: the letter b.

    Malformed text raises a one-line `NesyInputError` with the column.

    >>> to_deepregex(parse_deepregex("( [ <VOW> ] ) & ( ~ ( <M0> ) )", words=["ab"]))
    '[AEIOUaeiou]&~(ab)'
    >>> parse_deepregex("( dog")
    Traceback (most recent call last):
    ...
    dsl.errors.NesyInputError: malformed Deep-Regex regex '( dog': unexpected end of input; expected ')'
    """
    if len(text) > MAX_LENGTH:
        raise NesyInputError(f"Deep-Regex regex too long: {len(text)} characters (at most {MAX_LENGTH})", path=path)
    parser = _grammar()
    try:
        tree = parser.parse(text)
        program = _ToProgram(words, boundary_as_letter).transform(tree)
    except UnexpectedInput as error:
        spelled = terminal_spelling(parser, _TERMINAL_NAMES)
        raise syntax_error(error, text, path, what=f"malformed Deep-Regex regex {text!r}", spell=spelled) from None
    except _Refusal as refusal:
        raise NesyInputError(f"malformed Deep-Regex regex {text!r}: {refusal.message}", path=path) from None
    except Exception as error:   # a refusal raised inside Lark's transformer arrives wrapped
        inner = getattr(error, "orig_exc", None)
        if isinstance(inner, _Refusal):
            raise NesyInputError(f"malformed Deep-Regex regex {text!r}: {inner.message}", path=path) from None
        raise
    depth = tree_depth(program)
    if depth > MAX_DEPTH:
        raise NesyInputError(f"Deep-Regex regex nests {depth} levels deep (at most {MAX_DEPTH})", path=path)
    return program


# ---- printing ----
ALT, INTER, SEQ, POSTFIX, COMPL, ATOM = range(6)
_NAMED = {cs: f"[{spelled}]" for cs, spelled in (
    (CLASSES["NUM"], "0-9"), (CLASSES["LET"], "A-Za-z"), (CLASSES["CAP"], "A-Z"), (CLASSES["LOW"], "a-z"),
    (CLASSES["VOW"], "AEIOUaeiou"))}
_CHAINS = {UNION: ALT, INTERSECT: INTER, CONCAT: SEQ}
_MARKS = {STAR: "*", PLUS: "+", OPTIONAL: "?"}


def _precedence(program: Program) -> int:
    head = program.head
    if head in _CHAINS:
        return _CHAINS[head]
    if head in _MARKS or isinstance(head, RepeatOp):
        return POSTFIX
    if head == COMPLEMENT:
        return COMPL
    return ATOM


def _wrap(program: Program, needed: bool) -> str:
    text = _render(program)
    return f"({text})" if needed else text


def _render(program: Program) -> str:
    head = program.head
    if isinstance(head, CharSetOp):
        return _leaf(head.charset)
    if head == EPSILON:
        return "()"
    if head == EMPTY:
        return "#"
    if head == WORD_BOUNDARY:
        return "\\b"
    if head in _CHAINS:
        level = _CHAINS[head]
        left, right = program.children
        joiner = {ALT: "|", INTER: "&", SEQ: ""}[level]
        return _wrap(left, _precedence(left) <= level) + joiner + _wrap(right, _precedence(right) < level)
    (child,) = program.children
    if head == COMPLEMENT:
        return "~" + _wrap(child, _precedence(child) < COMPL)
    if isinstance(head, RepeatOp):
        mark = "{%d}" % head.lo if head.hi == head.lo else "{%d,%s}" % (head.lo, "" if head.hi is None else head.hi)
    elif head in _MARKS:
        mark = _MARKS[head]
    else:
        raise NesyInputError(f"Deep-Regex's syntax has no spelling for the op {head.name}")
    return _wrap(child, _precedence(child) < POSTFIX) + mark


def _leaf(charset: CharSet) -> str:
    if charset == ANY:
        return "."
    if charset in _NAMED:
        return _NAMED[charset]
    char = charset.single
    if char is not None:
        return _char_text(char)
    if not charset.ranges:
        return "#" if not charset.negated else "."
    body = "".join(_char_text(chr(lo)) if lo == hi else f"{_char_text(chr(lo))}-{_char_text(chr(hi))}"
                   for lo, hi in charset.ranges)
    return ("[^" if charset.negated else "[") + body + "]"


def _char_text(char: str) -> str:
    if char.isspace() or not char.isprintable():
        raise NesyInputError(f"Deep-Regex's syntax ignores whitespace and has no spelling for {char!r}")
    return "\\" + char if char in _SPECIAL else char


def to_deepregex(program: Program) -> str:
    r"""A regex `Program` in Deep-Regex's (untokenised) syntax, which `parse_deepregex` reads back.

    >>> to_deepregex(parse_deepregex(r"\ b [ <LET> ] + \ b & ~ ( . * <M1> . * )"))
    '\\b[A-Za-z]+\\b&~(.*truck.*)'
    """
    return _render(program)


def uses_extensions(program: Program) -> bool:
    """Does the regex use `&`, `~` or `\\b` (which the everyday and textbook syntaxes lack)?"""
    stack = [program]
    while stack:
        node = stack.pop()
        if node.head in (INTERSECT, COMPLEMENT, WORD_BOUNDARY):
            return True
        stack.extend(node.children)
    return False


def to_everyday_if_plain(program: Program) -> str | None:
    """Python-`re` text for a regex without `&`, `~`, `\\b` (None otherwise)."""
    from dsl.regex.printer import to_everyday

    return None if uses_extensions(program) else to_everyday(program)


def tokens_of(text: str) -> list[str]:
    """A Deep-Regex line as the data's tokens (split on whitespace)."""
    return text.split()


__all__ = ["parse_deepregex", "to_deepregex", "tokens_of", "uses_extensions", "to_everyday_if_plain", "DEFAULT_WORDS",
           "CLASSES"]
