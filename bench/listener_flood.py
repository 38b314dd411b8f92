"""CPU cost of a sender that never ends its line: the listeners' framing, before and after.

Feeds N MiB without a newline, in the 64 KiB chunks a listener receives, through (1) the
earlier ChronoTrack loop that re-split the whole buffer on every chunk, (2) `Frames` with
no length cap, and (3) `Frames` with the listener's 4 KiB cap, which gives up at once.
Times are CPU seconds in this process; compare them as ratios within one run.

    .venv/bin/python bench/listener_flood.py --mib 60
"""

from __future__ import annotations

import argparse
import time

from tracker.timing.chronotrack import MAX_LINE_BYTES
from tracker.timing.listener import Frames, FrameTooLong

CHUNK = 65536


def earlier_loop(chunks: int) -> None:
    """What the ChronoTrack handler did before: append, then split the whole buffer."""
    buffer = b""
    chunk = b"9" * CHUNK
    for _ in range(chunks):
        buffer += chunk
        *_lines, buffer = buffer.split(b"\n")


def framed(chunks: int, limit: int) -> int:
    """Feed the chunks to Frames; returns how many it took before giving up."""
    frames = Frames(b"\n", limit)
    chunk = b"9" * CHUNK
    for taken in range(1, chunks + 1):
        try:
            frames.feed(chunk)
        except FrameTooLong:
            return taken
    return chunks


def cpu_seconds(run) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=60)
    chunks = parser.parse_args().mib * 1024 * 1024 // CHUNK
    earlier = cpu_seconds(lambda: earlier_loop(chunks))
    uncapped = cpu_seconds(lambda: framed(chunks, limit=1 << 62))
    capped = cpu_seconds(lambda: framed(chunks, limit=MAX_LINE_BYTES))
    print(f"{chunks * CHUNK / 2**20:.0f} MiB without a newline, {CHUNK} B chunks")
    print(f"earlier re-split loop: {earlier:8.3f} s CPU (1.00)")
    print(f"Frames, no cap:        {uncapped:8.3f} s CPU ({uncapped / earlier:.4f})")
    print(f"Frames, 4 KiB cap:     {capped:8.3f} s CPU ({capped / earlier:.6f}), closes at once")


if __name__ == "__main__":
    main()
