"""CSG task files: each task is one target picture (a `Canvas`), to be drawn by a program.

Read by path, with an optional selection after a colon:
- `shapes.npz` (key `images`, (N, 64, 64)), `shapes.npz:17` (one image), `shapes.npz:0-299`;
- CSGNet's `cad.h5` (needs h5py): `cad.h5:val_images`, `cad.h5:test_images:17` (default test_images);
- `shape.png`, or a folder of `.png` files (sorted by name);
- `programs.txt`: one postfix program a line (blank lines and `#` comments skipped), whose
  pictures are the targets (each canvas remembers its program, for exact-recovery figures).
A task's name is its index in the file (its file name for PNGs), so answers line up with the
images as CSGNet's scorer expects.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from dsl.core import Example, Task
from dsl.csg.canvas import Canvas, as_image
from dsl.csg.ops import SHAPE
from dsl.csg.png import read_png
from dsl.errors import NesyInputError

_SELECTION = re.compile(r"^(?P<file>.*?\.(?:npz|h5|hdf5|txt))(?::(?P<key>[A-Za-z_]\w*))?"
                        r"(?::(?P<start>\d+)(?:-(?P<end>\d+))?)?$")
H5_SPLITS = ("train_images", "val_images", "test_images")


def target_task(name: str, canvas: Canvas, source: str) -> Task:
    return Task(name, (), SHAPE, (Example((), canvas),), source=source)


def read_csg_tasks(path: Path) -> list[Task]:
    """The tasks of a CSG task file or folder (see the module docstring for the forms)."""
    text = str(path)
    if Path(text).is_dir():
        files = sorted(p for p in Path(text).iterdir() if p.suffix.lower() == ".png")
        if not files:
            raise NesyInputError("no .png files in this folder", path=text)
        return [_png_task(p, p.name) for p in files]
    match = _SELECTION.match(text)
    if Path(text).suffix.lower() == ".png":
        return [_png_task(Path(text), Path(text).stem)]
    if match is None:
        raise NesyInputError("unknown CSG task file (expected .npz, .h5, .png, .txt or a folder of PNGs)", path=text)
    file = Path(match["file"])
    if not file.exists():
        raise NesyInputError("no such file", path=str(file))
    if file.suffix == ".txt":
        if match["key"]:
            raise NesyInputError("a program file takes no key", path=text)
        tasks = _program_tasks(file)
        start, end = _range(match["start"], match["end"], len(tasks), text)
        return tasks[start:end + 1]
    images = _image_array(file, match["key"])
    start, end = _range(match["start"], match["end"], len(images), text)
    return [target_task(str(i), Canvas.from_image(images[i], f"{file}: image {i}"), str(file))
            for i in range(start, end + 1)]


def _range(start: str | None, end: str | None, count: int, where: str) -> tuple[int, int]:
    """The first and last index selected (everything when no selection was given)."""
    if start is None:
        return 0, count - 1
    first, last = int(start), int(end if end is not None else start)
    if not 0 <= first <= last < count:
        raise NesyInputError(f"selection {first}-{last} is outside the file's {count} targets (0-{count - 1})",
                             path=where)
    return first, last


def _png_task(path: Path, name: str) -> Task:
    return target_task(name, Canvas.from_image(read_png(path), str(path)), str(path))


def _image_array(file: Path, key: str | None) -> np.ndarray:
    if file.suffix == ".npz":
        name = key or "images"
        try:
            with np.load(file, allow_pickle=False) as data:
                images = data[name] if name in data.files else None
                names = data.files
        except (OSError, ValueError) as error:
            raise NesyInputError(f"not a readable .npz file ({error})", path=str(file)) from None
        if images is None:
            raise NesyInputError(f"no array {name!r} (it has {', '.join(names) or 'none'})", path=str(file))
    else:
        images = _h5_images(file, key or "test_images")
    if images.ndim != 3:
        raise NesyInputError(f"expected images of shape (N, 64, 64), got {images.shape}", path=str(file))
    return images


def _h5_images(file: Path, key: str) -> np.ndarray:
    try:
        import h5py
    except ImportError:
        raise NesyInputError("reading .h5 files needs h5py (pip install h5py)", path=str(file)) from None
    try:
        with h5py.File(file, "r") as data:
            if key not in data:
                raise NesyInputError(f"no data set {key!r} (it has {', '.join(data.keys())})", path=str(file))
            return np.asarray(data[key])
    except OSError as error:
        raise NesyInputError(f"not a readable HDF5 file ({error})", path=str(file)) from None


def _program_tasks(file: Path) -> list[Task]:
    from dsl.csg.render import render_packed
    from dsl.csg.syntax import parse_program, print_postfix

    try:
        lines = file.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise NesyInputError(f"cannot read the program file ({error})", path=str(file)) from None
    tasks = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            program = parse_program(text, path=str(file))
        except NesyInputError as error:
            raise NesyInputError(str(error).removeprefix(f"{file}: "), path=str(file), line=number) from None
        canvas = Canvas.from_packed(render_packed(program), drawn_by=print_postfix(program))
        as_image(canvas.image, f"{file}:{number}")           # a program that draws nothing is no target
        tasks.append(target_task(str(len(tasks)), canvas, str(file)))
    if not tasks:
        raise NesyInputError("no programs in the file", path=str(file))
    return tasks
