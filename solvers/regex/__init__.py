"""Regex synthesis on the shared engine: span-set values, chain/context/field joins, numeric
conditions, and the checks (Z3 classification and equivalence)."""
