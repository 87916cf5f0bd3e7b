"""Storage: the index folder's generations, following the live one, the Whoosh article store, atomic writes."""
