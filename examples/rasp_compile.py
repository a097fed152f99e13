"""Write a RASP program, run it, compile it into transformer weights, prove the model exact and
the program right.

    .venv/bin/python examples/rasp_compile.py
"""
from dsl.rasp import load, run
from nesy.compiler import compile_program
from nesy.compiler.check import check
from nesy.compiler.stats import model_stats

SOURCE = """
# Sort with repeats (Weiss et al. 2021): place = smaller keys + equal keys before me.
smaller = select(tokens, tokens, <) or (select(tokens, tokens, ==) and select(indices, indices, <));
target = selector_width(smaller);
sorted = aggregate(select(target, indices, ==), tokens);
"""

program = load(SOURCE)
print("interpreter:", run(program, list("banana")))

compiled = compile_program(program, vocab=list("abn"), max_len=6)
print("model:      ", compiled.run([list("banana")])[0])
print(model_stats(compiled))
print("layer map:  ", compiled.metadata["layers"])
# every input of length 1..6 over {a, b, n}: the model against the interpreter, and the program
# against what it is meant to do (Python's sorted)
report = check(compiled, program, reference=sorted)
print(report)
assert report.passed
