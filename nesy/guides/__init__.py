"""Neural guides for bottom-up search (BUSTLE-style value scoring, Probe-style op priors).

`signatures` turns values and tasks into property signatures, `data` makes labelled training
values from a DSL alone, `model` holds the two small networks and their file format, `train`
fits them, and `neural.NeuralGuide` plugs them into `solvers.search.guide.Guide`. Import the modules
themselves: this package imports nothing heavy on its own (torch loads only where needed).
"""
