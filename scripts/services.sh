# The servers the tests talk to on loopback: PostgreSQL 5432 and Redis 6379.
# Sourced by scripts/test. Installs what is missing and starts what is stopped (as root, or
# through sudo); where it can do neither, the tests say what is missing (and fail in CI).

pg_up() { "$VENV/bin/python" -c "import psycopg; psycopg.connect('${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}', connect_timeout=2).close()" 2>/dev/null; }
redis_up() { "$VENV/bin/python" -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_timeout=2).ping()" 2>/dev/null; }

ensure_postgres() {
  pg_up && return 0
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql || { echo "PostgreSQL is not installed and cannot be." >&2; return 0; }
  fi
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] && as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_up && return 0; sleep 1; done
  # A fresh Debian cluster asks for a password on TCP: give the tests one of their own.
  if [ -z "${TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'tracker-tests'\"" >/dev/null 2>&1 &&
      export TEST_POSTGRES_URL="postgresql://postgres:tracker-tests@127.0.0.1:5432/postgres"
  fi
  pg_up || echo "PostgreSQL is not reachable on 127.0.0.1:5432." >&2
}

ensure_redis() {
  redis_up && return 0
  command -v redis-server >/dev/null || apt_install redis-server ||
    { echo "Redis is not installed and cannot be." >&2; return 0; }
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null || true
  for _ in $(seq 1 20); do redis_up && return 0; sleep 0.5; done
  echo "Redis is not reachable on 127.0.0.1:6379." >&2
}

ensure_fault_servers() {
  # The outage tests start private PostgreSQL and Redis servers from these binaries (never
  # stopping the shared ones); runuser (util-linux) runs initdb as postgres when we are root.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql ||
    echo "PostgreSQL's server binaries are not installed and cannot be." >&2
  command -v redis-server >/dev/null || apt_install redis-server ||
    echo "redis-server is not installed and cannot be." >&2
}

ensure_nginx() {
  # The multi-process test runs nginx from deploy/nginx.conf in front of two processes.
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx-light ||
    echo "nginx is not installed and cannot be." >&2
}

ensure_chromium() {
  # The page tests drive Debian's Chromium through Playwright (Playwright's own download
  # cannot be fetched here, and is not needed).
  [ -x /usr/bin/chromium ] || apt_install chromium || echo "Chromium is not installed and cannot be." >&2
}

ensure_node() {
  # The page scripts' formatters are tested with node's own test runner (tests/js); the
  # benchmark's smoke test installs its Node socket.io reference with npm.
  command -v node >/dev/null || apt_install nodejs || echo "Node.js is not installed and cannot be." >&2
  command -v npm >/dev/null || apt_install npm || echo "npm is not installed and cannot be." >&2
}
