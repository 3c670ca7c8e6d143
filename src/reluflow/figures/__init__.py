"""Figures: each module has ``compute`` (numbers, JSON-ready) and ``plot`` (pure drawing)."""
