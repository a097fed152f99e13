"""Search and checking, DSL-agnostic where possible (never imports torch)."""
