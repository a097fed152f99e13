"""Random example inputs for training data: spreadsheet-like strings, small ints, Booleans.

The guide learns what useful values look like next to inputs and outputs, so the inputs should
look like what users give a synthesizer: names, dates, e-mail addresses, paths, codes, numbers,
phrases, with the punctuation that separates their fields. The word lists below are invented
for this purpose (no benchmark task is read); a seeded `random.Random` makes every draw
reproducible.
"""
from __future__ import annotations

import random
import string
from typing import Any, Callable

from dsl.core import BOOL, INT, STRING, Type

_FIRST = ["anna", "boris", "chen", "dana", "emil", "fatima", "george", "hana", "ivan", "julia", "kofi",
          "lena", "marco", "nadia", "omar", "petra", "quinn", "rosa", "samir", "tara", "umar", "vera",
          "walter", "xenia", "yusuf", "zoe"]
_LAST = ["adams", "berg", "costa", "diaz", "evans", "fischer", "garcia", "hughes", "ito", "jensen", "khan",
         "lopez", "meyer", "novak", "olsen", "park", "quintero", "rossi", "silva", "tanaka", "ueda",
         "varga", "weber", "young", "zhang"]
_WORDS = ["apple", "river", "stone", "blue", "market", "report", "north", "green", "table", "light",
          "order", "paper", "cloud", "sales", "item", "total", "city", "office", "data", "plan", "team",
          "price", "box", "road", "file", "note"]
_DOMAINS = ["mail", "example", "corp", "uni", "shop", "net", "home"]
_TLDS = ["com", "org", "net", "edu", "io", "de"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_EXTENSIONS = ["txt", "csv", "pdf", "py", "jpg", "doc"]


def _case(rng: random.Random, word: str) -> str:
    roll = rng.random()
    if roll < 0.45:
        return word.capitalize()
    if roll < 0.6:
        return word.upper()
    return word


def _name(rng: random.Random) -> str:
    first, last = _case(rng, rng.choice(_FIRST)), _case(rng, rng.choice(_LAST))
    return rng.choice([f"{first} {last}", f"{last}, {first}", f"{first} {rng.choice(string.ascii_uppercase)}. {last}"])


def _email(rng: random.Random) -> str:
    user = rng.choice([rng.choice(_FIRST), f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}", f"{rng.choice(_LAST)}{rng.randint(1, 99)}"])
    return f"{user}@{rng.choice(_DOMAINS)}.{rng.choice(_TLDS)}"


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1970, 2030)
    return rng.choice([f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{_case(rng, _MONTHS[m - 1])} {d}, {y}",
                       f"{m}.{d}.{y % 100:02d}"])


def _path(rng: random.Random) -> str:
    parts = [rng.choice(_WORDS) for _ in range(rng.randint(1, 3))]
    sep = rng.choice(["/", "\\"])
    return sep.join(["", *parts]) + f"{sep}{rng.choice(_WORDS)}.{rng.choice(_EXTENSIONS)}"


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randint(100, 999), rng.randint(100, 999), rng.randint(1000, 9999)
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+{rng.randint(1, 49)} {a} {b} {c}", f"{a}.{b}.{c}"])


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(1, 4)))
    return rng.choice([f"{letters}-{rng.randint(1, 9999)}", f"{letters}{rng.randint(10, 999)}",
                       f"{rng.randint(1, 99)}{letters.lower()}"])


def _phrase(rng: random.Random) -> str:
    words = [_case(rng, rng.choice(_WORDS)) for _ in range(rng.randint(1, 4))]
    return rng.choice([" ", " ", "-", "_", ", "]).join(words)


def _number(rng: random.Random) -> str:
    return rng.choice([str(rng.randint(0, 99999)), f"{rng.randint(0, 999)}.{rng.randint(0, 99):02d}",
                       f"${rng.randint(1, 9999)}", f"{rng.randint(1, 100)}%"])


def _noise(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + " .,-_/@"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


STRING_KINDS: dict[str, Callable[[random.Random], str]] = {
    "name": _name, "email": _email, "date": _date, "path": _path, "phone": _phone, "code": _code,
    "phrase": _phrase, "number": _number, "noise": _noise,
}


class InputSampler:
    """Draws one column of example inputs of a type; string columns keep one kind (all names, all
    dates...) as a real task's column does, with occasional padding spaces."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def column(self, type_: Type, count: int) -> list[Any]:
        rng = self.rng
        if type_ == STRING:
            kind = STRING_KINDS[rng.choice(list(STRING_KINDS))]
            values = [kind(rng) for _ in range(count)]
            if rng.random() < 0.1:
                values = [f"  {v} " if rng.random() < 0.5 else v for v in values]
            return values
        if type_ == INT:
            return [rng.randint(-2, 12) if rng.random() < 0.7 else rng.randint(0, 200) for _ in range(count)]
        if type_ == BOOL:
            return [rng.random() < 0.5 for _ in range(count)]
        raise ValueError(f"no input sampler for type {type_}")

    def input_types(self, available: set[Type]) -> list[Type]:
        """One to three input types, mostly strings (as in spreadsheet tasks)."""
        arity = self.rng.choices([1, 2, 3], weights=[0.6, 0.3, 0.1])[0]
        types = [STRING]
        for _ in range(arity - 1):
            types.append(INT if INT in available and self.rng.random() < 0.15 else STRING)
        return types
