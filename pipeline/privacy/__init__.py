"""Privacy controls: right to erasure across the vault (and, via the review store, quarantine)."""
