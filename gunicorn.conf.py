"""gunicorn settings: `gunicorn -c gunicorn.conf.py app:app` (a -b on the command line wins)."""

import os
import resource

from pythonjsonlogger.json import JsonFormatter

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
# Many connections per process: gevent serves thousands of websockets where threads
# collapse (docs/PERFORMANCE.md of the shared material). One worker by default: Socket.IO
# needs every request of a client in one process. TRACKER_WORKERS > 1 uses more cores
# behind one port, sharing live events through Redis; a websocket is one request, so the
# pages (websocket only) need no sticky sessions, but long-polling clients do (nginx).
worker_class = "gevent"
workers = int(os.environ.get("TRACKER_WORKERS", "1"))
if workers > 1 and not os.environ.get("REDIS_URL"):
    raise SystemExit("TRACKER_WORKERS > 1 needs REDIS_URL: the workers share live events there.")
# Enough for 10,000 spectators in one process (README, "Live fan-out": ~40 KB each).
worker_connections = int(os.environ.get("TRACKER_WORKER_CONNECTIONS", "12000"))
# Each connection is a file descriptor: raise the soft limit as far as the hard one allows.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_wanted = worker_connections + 1000
if _soft != resource.RLIM_INFINITY and _soft < _wanted:
    _limit = _wanted if _hard == resource.RLIM_INFINITY else min(_wanted, _hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(_soft, _limit), _hard))
timeout = 30
# The gevent worker must read a request's headers within `keepalive` seconds in total (a
# slowloris sending one byte at a time is cut off); bodies: BODY_READ_TIMEOUT_S in the app.
keepalive = int(os.environ.get("TRACKER_KEEPALIVE_S", "5"))
# gunicorn 27's control socket sits at one path per user, which several tracker processes
# on one host (or the tests) would fight over; we manage processes with signals instead.
control_socket_disable = True
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Start the demo replay inside the worker when `flask demo` asked for it."""
    speed = os.environ.get("TRACKER_DEMO_SPEED")
    if speed:
        from tracker.demo.runner import start_in_background

        start_in_background(worker.wsgi, float(speed), os.environ.get("TRACKER_DEMO_VIA", "api"))


# Logs: one JSON object a line. Defined here rather than in the tracker package, which the
# master must not import before the gevent worker has patched the standard library.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(L)ss request_id=%({x-request-id}o)s'


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access line as fields, with the request id the app echoed back."""

    ATOMS = {
        "remote": "h",
        "method": "m",
        "path": "U",
        "status": "s",
        "bytes": "B",
        "duration_s": "L",
        "request_id": "{x-request-id}o",
        "user_agent": "a",
    }

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        atoms = record.args
        for field, atom in self.ATOMS.items():
            log_record[field] = atoms[atom] if hasattr(atoms, "keys") else None


_JSON = {
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    # App records carry request_id (tracker/logs.py); JsonFormatter adds such extras.
    "root": {"level": loglevel.upper(), "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "formatters": {
        "json": {"()": JsonFormatter, **_JSON},
        "access": {"()": AccessJsonFormatter, **_JSON},
    },
}
