"""Indexing: sources to a new generation (pipeline, workers, changes, anchor text, term-index documents)."""
