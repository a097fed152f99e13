"""VNN-LIB, the property language of VNN-COMP: a Lark grammar (`vnnlib.lark`) and a reader."""
from dsl.vnnlib.reader import Inequality, VnnlibProperty, read_vnnlib, read_vnnlib_text

__all__ = ["Inequality", "VnnlibProperty", "read_vnnlib", "read_vnnlib_text"]
