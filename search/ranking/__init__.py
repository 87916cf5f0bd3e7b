"""Ranking: BM25F over the term index (scorer, searcher behind the Ranker seam), snippets, spelling."""
