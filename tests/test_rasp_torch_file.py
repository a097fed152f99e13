"""The torch-free writer: what it writes, `torch.load(weights_only=True)` reads back exactly, and
compiling plus saving a model never imports torch (the reason the writer exists)."""
from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch

from dsl.rasp import LIBRARY_DIR
from nesy.compiler import compile_rasp
from nesy.compiler.stats import model_stats
from nesy.compiler.torch_file import save_torch_file


def test_arrays_and_plain_values_load_back_exactly(tmp_path):
    rng = np.random.default_rng(0)
    state = OrderedDict(
        matrix=rng.standard_normal((3, 4)).astype(np.float32),
        transposed=rng.standard_normal((2, 5)).astype(np.float32).T,     # not C-contiguous
        scalar=np.full((), 2.5, np.float32), empty=np.zeros((0, 3), np.float32),
        ids=np.arange(7, dtype=np.int64), wide=rng.standard_normal(4),   # float64
    )
    meta = {"name": "é ü", "n": [0, 255, 256, 70000, -1, -2**31, 2**40, -2**70], "x": 0.1,
            "flags": (True, False, None), "nested": {"a": [{"b": []}]}}
    loaded = torch.load(save_torch_file({"state": state, "meta": meta}, tmp_path / "f.pt"), weights_only=True)
    assert isinstance(loaded["state"], OrderedDict) and list(loaded["state"]) == list(state)
    for name, array in state.items():
        tensor = loaded["state"][name]
        assert tensor.shape == array.shape and tensor.numpy().dtype == array.dtype, name
        assert np.array_equal(tensor.numpy(), array), name
    assert loaded["meta"] == meta


def test_unsupported_values_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="set"):
        save_torch_file({"a": {1, 2}}, tmp_path / "f.pt")
    with pytest.raises(TypeError, match="complex"):
        save_torch_file({"a": np.zeros(2, np.complex64)}, tmp_path / "f.pt")


def test_stats_count_the_module_parameters():
    compiled = compile_rasp((LIBRARY_DIR / "dyck1.rasp").read_text(), "(,)", 6)
    stats, parameters = model_stats(compiled), list(compiled.model.parameters())
    assert stats.params == sum(p.numel() for p in parameters)
    assert stats.nonzero == sum(int((p != 0).sum()) for p in parameters)


def test_compile_and_save_never_import_torch(tmp_path):
    script = (
        "import sys\n"
        "from nesy.compiler import compile_rasp\n"
        "from nesy.compiler.files import save\n"
        f"compiled = compile_rasp(open({str(LIBRARY_DIR / 'reverse.rasp')!r}).read(), '1,2,3', 5)\n"
        f"save(compiled, {str(tmp_path / 'reverse.pt')!r})\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    saved = torch.load(tmp_path / "reverse.pt", weights_only=True)
    assert saved["metadata"]["vocab"] == ["1", "2", "3"]


def test_damaged_model_file_is_a_clear_error(tmp_path):
    from dsl.errors import NesyInputError
    from nesy.compiler.files import load_model, save

    path = tmp_path / "reverse.pt"
    save(compile_rasp((LIBRARY_DIR / "reverse.rasp").read_text(), "1,2,3", 5), path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(NesyInputError, match="cannot load compiled model"):
        load_model(path)
