"""Fitting and evaluating finish models on past results (numpy; CLI and tools only, never
imported by the web workers).

May import: the domain, numpy and `tracker.progress`.
"""
