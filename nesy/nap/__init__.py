"""Neural activation pattern (NAP) specifications: load a ReLU model, mine one NAP per class, and
prove or refute properties of it; every counterexample is replayed on the real model.

>>> from nesy.nap import digits_model, load_digits_split, mine_naps, verify_robust
>>> model, data = digits_model(), load_digits_split()
>>> naps = mine_naps(model.network, data.x_train, data.y_train, delta=0.99)
>>> [r.verdict for r in verify_robust(model, naps, cls=3)][:2]   # doctest: +SKIP
['counterexample', 'counterexample']
"""
from nesy.nap.bench import BenchConfig, format_table, run_bench
from nesy.nap.digits import Digits, digits_model, load_digits_split
from nesy.nap.mining import NapSet, NapStats, mine_naps, nap_stats
from nesy.nap.model import LoadedModel, from_onnx, from_torch, load_model
from nesy.nap.onnx_export import save_onnx, to_onnx
from nesy.nap.plot import plot_naps
from nesy.nap.verify import (EpsilonResult, QueryReport, max_epsilon, robust_query, unit_box, verify_disjoint,
                             verify_robust)
from solvers.nap.network import Phases, Region, ReluNetwork

__all__ = ["BenchConfig", "Digits", "EpsilonResult", "LoadedModel", "NapSet", "NapStats", "Phases", "QueryReport",
           "Region", "ReluNetwork", "digits_model", "format_table", "from_onnx", "from_torch", "load_digits_split",
           "load_model", "max_epsilon", "mine_naps", "nap_stats", "plot_naps", "robust_query", "run_bench",
           "save_onnx", "to_onnx", "unit_box", "verify_disjoint", "verify_robust"]
