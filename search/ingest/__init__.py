"""Reading sources: walking folders safely, decoding bytes, and one reader per format (see formats)."""
