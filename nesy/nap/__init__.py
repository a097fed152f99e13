"""Neural activation pattern (NAP) specifications: load a ReLU model, mine one NAP per class, and
prove or refute properties of it; every counterexample is replayed on the real model.

>>> from nesy.nap import digits_model, load_digits_split, mine_naps, verify_robust
>>> model, data = digits_model(), load_digits_split()
>>> naps = mine_naps(model.network, data.x_train, data.y_train, delta=0.99)
>>> [str(r.verdict) for r in verify_robust(model, naps, cls=3, timeout_s=1)][:2]
['counterexample', 'counterexample']
"""
from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562), so reading a model or a NAP file does not import the
# solvers' scipy, and `nesy nap mine` runs where only the core dependencies are installed.
_HOMES = {
    "nesy.nap.bench": ("BenchConfig", "format_table", "run_bench"),
    "nesy.nap.digits": ("Digits", "digits_model", "load_digits_split"),
    "nesy.nap.mining": ("NapSet", "NapStats", "mine_naps", "nap_stats"),
    "nesy.nap.model": ("LoadedModel", "from_onnx", "from_torch", "load_model"),
    "nesy.nap.onnx_export": ("save_onnx", "to_onnx"),
    "nesy.nap.plot": ("plot_naps",),
    "nesy.nap.verify": ("EpsilonResult", "QueryReport", "max_epsilon", "robust_query", "unit_box",
                        "verify_disjoint", "verify_robust"),
    "solvers.nap.network": ("Phases", "Region", "ReluNetwork"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'nesy.nap' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = ["BenchConfig", "Digits", "EpsilonResult", "LoadedModel", "NapSet", "NapStats", "Phases", "QueryReport",
           "Region", "ReluNetwork", "digits_model", "format_table", "from_onnx", "from_torch", "load_digits_split",
           "load_model", "max_epsilon", "mine_naps", "nap_stats", "plot_naps", "robust_query", "run_bench",
           "save_onnx", "to_onnx", "unit_box", "verify_disjoint", "verify_robust"]
