"""What the tracker counts for Prometheus (prometheus-client), one process at a time.

gunicorn runs one gevent worker per process, so each process keeps and serves its own
figures; Prometheus scrapes every process and sums them. `tracker.api.monitoring` serves
them at /metrics; the write path, the live layer and the read edges record them here.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

WATCHERS = Gauge("tracker_watchers_connected", "Live connections watching a race in this process.")
DELTAS_PUBLISHED = Counter(
    "tracker_deltas_published_total", "Live deltas handed to Socket.IO after commit.", ["kind"]
)
SNAPSHOT_READS = Counter(
    "tracker_live_snapshot_reads_total",
    "Live snapshots read from the database (the rest are shared from the snapshot cache).",
)
PUBLISH_FAILURES = Counter(
    "tracker_publish_failures_total", "Deltas that could not be published (Redis down)."
)
COMMIT_SECONDS = Histogram(
    "tracker_commit_seconds",
    "Time to commit one write transaction (durable before any acknowledgement).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
READS_STORED = Counter(
    "tracker_reads_stored_total",
    "Chip reads newly stored, by checkpoint and device (rate() x 60 = reads per mat a minute).",
    ["checkpoint", "device"],
)
RESPONSES = Counter(
    "tracker_http_responses_total", "HTTP responses by endpoint and status.", ["endpoint", "status"]
)


def count_stored_reads(reads: Iterable, results: Iterable) -> None:
    """Count the reads of a committed batch that were new (a re-sent read is a duplicate)."""
    for read, result in zip(reads, results, strict=True):
        if result.result == "accepted":
            READS_STORED.labels(read.checkpoint, read.device).inc()
