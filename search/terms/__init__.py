"""The numpy term index that ranking reads: immutable segments of postings, positions, term vectors and stored records."""
