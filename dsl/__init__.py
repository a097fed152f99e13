"""Languages of nesy: one sub-package per DSL, sharing the shapes in `dsl.core`."""
