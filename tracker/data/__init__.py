"""Data files shipped with the tracker (the default finish model). No code."""
