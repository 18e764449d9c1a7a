"""Embed, store and search chunk records."""
