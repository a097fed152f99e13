"""The learned ranker: which of the programs that fit the examples is right on the next row.

`features` describes a candidate (its shape, and its behaviour on the probe rows), `data` makes
labelled candidate sets from the DSL's own random programs, `model` holds the small network, its
file format and `LearnedRanker` (a `solvers.search.ranking.Ranker`), and `train` fits it.
"""
