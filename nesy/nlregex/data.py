"""The Deep-Regex data (NL-RX-Turk, NL-RX-Synth, KB13), read by path, and descriptions as tokens.

A dataset folder holds `src-{split}.txt` (one tokenised description a line) and `targ-{split}.txt`
(the regex in Deep-Regex's tokenised syntax on the same line). KB13 (`kushman/`) has only train and
val; its val split is the one the papers test on, so `split="test"` reads it there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dsl.errors import NesyInputError

DATASETS = ("turk", "synth", "kushman")
SPLITS = ("train", "val", "test")
PLACEHOLDERS = tuple(f"<M{i}>" for i in range(4))


def default_root() -> Path:
    """`../shared/benchmarks/nl-regex` beside the repository."""
    return Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "nl-regex"


@dataclass(frozen=True)
class Pair:
    description: tuple[str, ...]    # tokens, quoted words as <M0>, <M1>, ...
    regex: tuple[str, ...]          # Deep-Regex tokens
    dataset: str = ""
    line: int = 0

    @property
    def description_text(self) -> str:
        return " ".join(self.description)

    @property
    def regex_text(self) -> str:
        return " ".join(self.regex)


def split_file_name(dataset_dir: Path, split: str) -> str:
    """The file suffix of `split` in this folder: KB13's test is its val split."""
    if split not in SPLITS:
        raise NesyInputError(f"unknown split {split!r} (expected one of {', '.join(SPLITS)})")
    if split == "test" and not (dataset_dir / "src-test.txt").exists() and (dataset_dir / "src-val.txt").exists():
        return "val"
    return split


def read_pairs(dataset_dir: str | Path, split: str) -> list[Pair]:
    """The pairs of one split of one dataset folder (e.g. `.../nl-regex/turk`, "test")."""
    folder = Path(dataset_dir)
    name = split_file_name(folder, split)
    src, targ = folder / f"src-{name}.txt", folder / f"targ-{name}.txt"
    for path in (src, targ):
        if not path.is_file():
            raise NesyInputError(f"no {path.name} in {folder} (a Deep-Regex dataset folder has src-{name}.txt "
                                 f"and targ-{name}.txt)", path=str(folder))
    descriptions = src.read_text(encoding="utf-8").split("\n")
    regexes = targ.read_text(encoding="utf-8").split("\n")
    for lines in (descriptions, regexes):
        if lines and lines[-1] == "":
            lines.pop()
    if len(descriptions) != len(regexes):
        raise NesyInputError(f"{src.name} has {len(descriptions)} lines but {targ.name} has {len(regexes)}",
                             path=str(folder))
    return [Pair(tuple(t if t.startswith("<M") else t.lower() for t in d.split()), tuple(r.split()), folder.name,
                 number)
            for number, (d, r) in enumerate(zip(descriptions, regexes), 1)]


def dataset_dirs(suite: str | Path) -> list[Path]:
    """One dataset folder, or every dataset folder under a root like `nl-regex/`."""
    root = Path(suite)
    if not root.is_dir():
        raise NesyInputError(f"no such folder {root} (expected a Deep-Regex dataset folder or the nl-regex root)",
                             path=str(root))
    if any(root.glob("src-*.txt")):
        return [root]
    found = [root / name for name in DATASETS if (root / name).is_dir()]
    found += sorted(p for p in root.iterdir() if p.is_dir() and p not in found and any(p.glob("src-*.txt")))
    if not found:
        raise NesyInputError(f"{root} holds no Deep-Regex data (src-*.txt / targ-*.txt, or folders of them)",
                             path=str(root))
    return found


_QUOTED = re.compile(r"""(?<![A-Za-z0-9])(?:'([^']+)'|"([^"]+)"|`([^`]+)`)""")
_TOKEN = re.compile(r"<M[0-9]>|[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")


def prepare_description(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An English description as the data's tokens, and the quoted words it had, in order:
    "lines with 'dog' twice" -> (lines, with, <M0>, twice), ("dog",). A description with more
    quoted words than the data has placeholders, or none left after tokenising, is refused."""
    words: list[str] = []

    def placeholder(match: re.Match) -> str:
        words.append(next(g for g in match.groups() if g is not None))
        return f" <M{len(words) - 1}> "

    replaced = _QUOTED.sub(placeholder, text)
    if len(words) > len(PLACEHOLDERS):
        raise NesyInputError(f"the description quotes {len(words)} strings; the model knows at most "
                             f"{len(PLACEHOLDERS)} ({', '.join(PLACEHOLDERS)})")
    tokens = tuple(t if t.startswith("<M") else t.lower() for t in _TOKEN.findall(replaced))
    if not tokens:
        raise NesyInputError(f"the description {text!r} has no words")
    return tokens, tuple(words)
