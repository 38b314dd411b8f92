"""The Redis message queue between processes, made safe for a Redis that stops or hangs.

python-socketio's RedisManager publishes on the request's own greenlet with no socket
timeout (measured: a Redis that accepts connections and never answers held every write's
answer past the client's 10 s timeout), and its listener backs off to 60 s between
reconnects (measured: after a 20 s outage, no delta crossed between processes within 10 s
of Redis's return). The database stays the truth either way: a missed delta reaches
watchers through the heartbeat's `seq` and their resync.
"""

from __future__ import annotations

import logging
import time

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import snapshot_cache
from .fanout import FanOutManager
from .vocabulary import DELTA, NAMESPACE

log = logging.getLogger(__name__)

# A publish waits at most this long for Redis to connect, and as long again for its answer;
# it is tried once (redis-py's default retries ten times with backoff: seconds per write).
PUBLISH_TIMEOUT_S = 0.5
# After a failed publish, drop messages this long instead of waiting on Redis per write.
PUBLISH_PAUSE_S = 1.0
# The listener tries to resubscribe this often while Redis is away.
LISTEN_RETRY_S = 1.0


class RaceDayRedisManager(socketio.RedisManager, FanOutManager):
    """RedisManager whose publishing is bounded in time, whose listener comes back within
    about a second of Redis, and which keeps the snapshot cache told of other processes'
    deltas. Its emits to this process's clients are FanOutManager's (one frame for all)."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel)
        self._publisher = redis.Redis.from_url(
            url,
            socket_timeout=PUBLISH_TIMEOUT_S,
            socket_connect_timeout=PUBLISH_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )
        self._paused_until = 0.0

    def _handle_emit(self, message):
        """Tell the snapshot cache of every delta another process published before this
        process emits it to its own watchers (no one may hear of a change it has not)."""
        if (
            message.get("host_id") != self.host_id
            and message.get("event") == DELTA
            and message.get("namespace") == NAMESPACE
            and message.get("data")
        ):
            snapshot_cache.note_delta(message["data"][0])
        super()._handle_emit(message)

    def _publish(self, data) -> None:
        """Publish once, or drop the message: a write never waits on Redis for long."""
        if time.monotonic() < self._paused_until:
            return
        try:
            self._publisher.publish(self.channel, self.json.dumps(data))
        except redis.RedisError as error:
            self._paused_until = time.monotonic() + PUBLISH_PAUSE_S
            log.warning(
                "Redis publish failed (%s); deltas dropped for %s s", error, PUBLISH_PAUSE_S
            )

    def _redis_listen_with_retries(self):
        """The library's listen loop, retrying every LISTEN_RETRY_S instead of backing off."""
        failing = False
        while True:
            try:
                # As in the library: (re)subscribe whenever listen() ends or fails.
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if failing:
                    log.warning("Redis listener subscribed again")
                failing = False
                yield from self.pubsub.listen()
            except Exception as error:  # any failure: resubscribe, as the library does
                if not failing:
                    log.warning(
                        "Redis listener lost (%s); retrying every %s s", error, LISTEN_RETRY_S
                    )
                failing = True
                time.sleep(LISTEN_RETRY_S)


def race_day_queue(url: str | None, channel: str) -> RaceDayRedisManager | None:
    """The message queue for REDIS_URL, or None for a single process."""
    return RaceDayRedisManager(url, channel) if url else None
