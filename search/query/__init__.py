"""Queries: the syntax parsed, analysed into a plan of weighted leaves, expanded, filtered."""
