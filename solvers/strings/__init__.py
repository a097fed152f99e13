"""Search that is particular to the string DSL: target-directed concatenation of pieces, decision-tree
joins over string terms, literals read off the examples, CEGIS for logical specs, and the SMT check."""
