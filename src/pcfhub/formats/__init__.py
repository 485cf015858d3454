"""Adapters between pcfhub and outside formats."""
