"""Fake timing equipment over real loopback sockets, for the demo, tests and load runs."""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import mylaps
from .listener import TimingServer


@dataclass
class FakeDecoder:
    """A RACE RESULT decoder: a passing file, pulls by number, pushes, and can drop a client.

    `passings` are record lines without the number (it is added: 1, 2, 3 …); `release(n)`
    makes n more of them "detected"; `drop_after_pushes` closes the connection after that many
    pushes, as a network cut would. Its clock shows local time in `zone`, `clock_skew_s` off.
    """

    box: str = "D-50001"
    file_no: int = 1
    passings: list[str] = field(default_factory=list)
    drop_after_pushes: int | None = None
    zone: str = "UTC"
    clock_skew_s: float = 0.0
    detected: int = 0
    connections: int = 0

    def __post_init__(self) -> None:
        self._pushers: list[socket.socket] = []
        self._lock = threading.Lock()
        decoder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                decoder.connections += 1
                for raw in self.rfile:
                    reply = decoder.answer(raw.decode().strip(), self.request)
                    if reply is not None:
                        self.wfile.write(reply.encode())

        self.server = TimingServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, number: int) -> str:
        return f"{number};{self.passings[number - 1]};{self.file_no};3;{self.box}"

    def answer(self, command: str, sock: socket.socket) -> str | None:
        if command.startswith("SETPROTOCOL"):
            return "SETPROTOCOL;1.6\r\n"
        if command == "GETTIME":
            clock = datetime.now(ZoneInfo(self.zone)) + timedelta(seconds=self.clock_skew_s)
            return f"GETTIME;{clock:%Y-%m-%d;%H:%M:%S.%f}\r\n"  # as precise as its passings
        if command == "GETSTATUS":
            return "GETSTATUS;" + ";".join(["0"] * 24) + "\r\n"
        if command == "PASSINGS":
            return f"PASSINGS;{self.detected};{self.file_no}\r\n"
        if command.startswith("SETPUSHPASSINGS"):
            with self._lock:
                self._pushers.append(sock)
            return "SETPUSHPASSINGS;1;0\r\n"
        if ":" in command:
            start, count = (int(part) for part in command.split(":"))
            last = min(self.detected, start + count - 1)
            return "".join(self.record(n) + "\r\n" for n in range(start, last + 1)) + "\r\n"
        return None

    def release(self, count: int) -> None:
        """Detect `count` more passings and push them to connected clients."""
        for _ in range(count):
            if self.detected >= len(self.passings):
                return
            self.detected += 1
            line = f"#P;{self.record(self.detected)}\r\n".encode()
            with self._lock:
                for pusher in list(self._pushers):
                    try:
                        pusher.sendall(line)
                    except OSError:
                        self._pushers.remove(pusher)
                if self.drop_after_pushes is not None:
                    self.drop_after_pushes -= 1
                    if self.drop_after_pushes <= 0:
                        self.drop_after_pushes = None
                        for pusher in self._pushers:
                            pusher.shutdown(socket.SHUT_RDWR)
                        self._pushers.clear()

    def new_file(self) -> None:
        """Enter timing mode again: a new passing file, numbered from 1 (TIMING.md §2)."""
        with self._lock:
            self.file_no += 1
            self.passings = []
            self.detected = 0

    def pushing(self) -> int:
        """How many clients have asked for pushed passings."""
        with self._lock:
            return len(self._pushers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def chronotrack_stream(host: str, port: int, lines: list[str], *, timeout: float = 10) -> list[str]:
    """Be SimpleClient: greet, read the server's settings and commands, stream `lines`.

    Returns what the server sent.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b"SimpleClient~0.6.0~CTP01\r\n")
        received = b""
        while b"start" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
        sock.sendall(b"ack~getlocations~5K~10K\r\n")
        sock.sendall("".join(line + "\r\n" for line in lines).encode())
        sock.sendall(b"ping\r\n")
        while b"ack~ping" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    return received.decode().splitlines()


def mylaps_send(host: str, port: int, messages: list[str], *, timeout: float = 10) -> list[str]:
    """Be MYLAPS T&S: Pong, then each message until acknowledged; returns the server's replies."""
    replies: list[str] = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        pending = ""

        def receive_until(fragment: str) -> None:
            nonlocal pending
            while True:
                found, pending = mylaps.split_messages(pending + sock.recv(4096).decode())
                replies.extend(f"{m.function}@{'@'.join(m.fields)}" for m in found)
                if any(fragment == f"{m.function}@{'@'.join(m.fields)}" for m in found):
                    return

        sock.sendall(b"KM30@Pong@$")
        receive_until("AckPong@Version2.1")
        for message in messages:
            sock.sendall(message.encode())
            number = message.rstrip("@$").rsplit("@", 1)[-1]
            function = message.split("@")[1]
            receive_until(f"Ack{function}@{number}")
    return replies
