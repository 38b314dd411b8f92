"""Timing-system adapters: listeners and clients that feed chip reads into a race.

One module per protocol holds its codec and its listener or client (chronotrack, mylaps,
raceresult, chip_csv); `protocols` lists them for the CLI. Each stores reads through
`ReadSink`, which acknowledges nothing before the reads are committed, and names devices
with the domain's one rule (`mat_health.device_name`). `simulators` are fake equipment on
loopback for the demo, tests and benchmarks.

May import: services, `transactions`, `db`, the domain.
"""
