"""Fitting and evaluating finish models on past results (numpy; CLI and tools only)."""
