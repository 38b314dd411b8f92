"""The shell around the pure core: load from the session, let the domain decide, apply.

One module per job: races (set-up, the gun), splits (enter, correct, void), reads (the raw
log) and rescoring, timing devices and timing health, snapshots (JSON-ready views), the
summary, live events (numbered in the transaction), finish models, tokens.

Service functions take a SQLAlchemy session and never commit; the entry point that calls
them (API view, socket handler, CLI command, timing listener) owns the transaction through
`tracker.transactions.write`. They refuse with `tracker.domain.refusals.Refusal`, never
with an HTTP status.

May import: the domain, the models, `tracker.db`, and `tracker.live.vocabulary` (to address
live events); never Flask or an edge (api, pages, live handlers, cli, timing).
"""
