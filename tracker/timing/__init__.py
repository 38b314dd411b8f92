"""Timing-system adapters: listeners and clients that feed chip reads into a race.

Each runs beside the web processes (started with `flask timing …`), parses its format with
`tracker.domain.formats`, and stores reads through `ReadSink`, which acknowledges nothing
before the reads are committed.
"""
