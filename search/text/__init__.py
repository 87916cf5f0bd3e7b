"""Text: cleaning untrusted text, and the medical analyser (normalising, stemming, word lists)."""
