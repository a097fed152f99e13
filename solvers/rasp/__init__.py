"""RASP synthesis on the shared engine: per-example sequence and selector values, goal-directed
steps (lookup-table maps, gathers and scatters, aggregate inverses) and the front end."""
