"""The DSL-agnostic engine: cost-ordered bottom-up enumeration with observational equivalence, value
pools, budgets, the guide protocol, the join protocol DSLs plug their own joins into, results, and
the driver that takes a task to a checked result."""
