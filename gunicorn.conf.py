"""gunicorn settings: `gunicorn -c gunicorn.conf.py app:app` (a -b on the command line wins)."""

import os

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
# One process, many connections: Socket.IO needs every request of a client in one process,
# and gevent serves thousands of websockets where threads collapse (docs/PERFORMANCE.md of
# the shared material). Scale out with more processes behind nginx and Redis instead.
worker_class = "gevent"
workers = 1
worker_connections = int(os.environ.get("TRACKER_WORKER_CONNECTIONS", "4000"))
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
