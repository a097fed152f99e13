"""Synthetic programs (seeded, by length, distinct pictures, split by picture) and the task readers,
with one-line errors for bad pictures and files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dsl.csg import parse_program, render
from dsl.csg.canvas import Canvas, as_image
from dsl.csg.generator import LENGTHS, generate, image_split
from dsl.csg.png import read_png, write_png
from dsl.csg.render import render_packed
from dsl.csg.syntax import print_postfix
from dsl.csg.tasks import read_csg_tasks
from dsl.errors import NesyInputError
from dsl.task_files import load_tasks


@pytest.mark.parametrize("length", LENGTHS)
def test_generator_gives_distinct_pictures_of_the_asked_length(length: int) -> None:
    programs = generate(length, 20, seed=7)
    assert all(p.size == length for p in programs)
    assert len({render_packed(p).tobytes() for p in programs}) == 20
    assert [print_postfix(p) for p in generate(length, 20, seed=7)] == [print_postfix(p) for p in programs]


def test_every_operator_of_a_generated_program_changes_the_shape() -> None:
    for program in generate(9, 20, seed=1):
        for node in program.subprograms():
            if node.children:
                whole, left, right = (render(p) for p in (node, *node.children))
                assert whole.any() and (whole != left).any() and (whole != right).any()


def test_splits_are_by_picture() -> None:
    test = generate(7, 30, seed=2, split="test")
    assert all(image_split(render_packed(p)) == "test" for p in test)
    train = {render_packed(p).tobytes() for p in generate(7, 60, seed=2, split="train")}
    assert not train & {render_packed(p).tobytes() for p in test}


def test_npz_tasks_are_named_by_index_and_selectable(tmp_path: Path) -> None:
    images = np.stack([render(parse_program(t)) for t in ("c(32,32,16)", "s(24,40,12)", "t(32,32,16)")])
    np.savez(tmp_path / "shapes.npz", images=images)
    tasks = read_csg_tasks(tmp_path / "shapes.npz")
    assert [t.name for t in tasks] == ["0", "1", "2"]
    np.testing.assert_array_equal(tasks[1].examples[0].output.image, images[1])
    assert [t.name for t in read_csg_tasks(Path(f"{tmp_path / 'shapes.npz'}:1-2"))] == ["1", "2"]
    assert [t.name for t in load_tasks(f"{tmp_path / 'shapes.npz'}:2", dsl="csg")] == ["2"]
    with pytest.raises(NesyInputError, match="outside the file's 3 targets"):
        read_csg_tasks(Path(f"{tmp_path / 'shapes.npz'}:3"))
    with pytest.raises(NesyInputError, match="no array 'shapes'"):
        read_csg_tasks(Path(f"{tmp_path / 'shapes.npz'}:shapes"))


def test_png_files_and_folders(tmp_path: Path) -> None:
    image = render(parse_program("c(32,32,16)s(24,40,12)-"))
    write_png(tmp_path / "b.png", image)
    write_png(tmp_path / "a.png", ~image & render(parse_program("s(32,32,32)")))
    np.testing.assert_array_equal(read_png(tmp_path / "b.png") > 0, image)
    assert [t.name for t in read_csg_tasks(tmp_path)] == ["a.png", "b.png"]
    (task,) = read_csg_tasks(tmp_path / "b.png")
    assert task.examples[0].output == Canvas.from_image(image)


def test_program_files_remember_the_program(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("# two targets\nc(32,32,16)s(24,40,12)+\n\nt(32,32,16)\n")
    tasks = read_csg_tasks(path)
    assert [t.name for t in tasks] == ["0", "1"]
    assert tasks[0].examples[0].output.drawn_by == "c(32,32,16)s(24,40,12)+"
    path.write_text("c(32,32,16)\nc(32,32,16)+\n")
    with pytest.raises(NesyInputError, match=r"targets.txt:2:.*needs two shapes"):
        read_csg_tasks(path)


@pytest.mark.parametrize("image, message", [
    (np.zeros((32, 32), bool), "expected a 64x64 image"),
    (np.arange(64 * 64).reshape(64, 64) % 3, "expected a binary image"),
    (np.zeros((64, 64), np.uint8), "empty"),
    (np.ones((64, 64), bool), "full"),
])
def test_bad_pictures_give_one_line_errors(image: np.ndarray, message: str) -> None:
    with pytest.raises(NesyInputError, match=message) as error:
        as_image(image, "shape.png")
    assert "\n" not in str(error.value) and str(error.value).startswith("shape.png")


def test_bad_files_give_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"not a png")
    with pytest.raises(NesyInputError, match="not a PNG file"):
        read_csg_tasks(tmp_path / "x.png")
    write_png(tmp_path / "small.png", np.ones((8, 8), bool))
    with pytest.raises(NesyInputError, match="expected a 64x64 image"):
        read_csg_tasks(tmp_path / "small.png")
    with pytest.raises(NesyInputError, match="unknown CSG task file"):
        read_csg_tasks(tmp_path / "shapes.csv")
