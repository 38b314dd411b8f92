# Shared by scripts/demo and scripts/test: a virtual environment with the project installed.
# Sourced, not run. Re-running is cheap: pip is skipped while pyproject.toml is unchanged.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_retry() {
  # Another apt (unattended upgrades, a parallel run) may hold a lock: wait for it instead
  # of failing. dpkg's lock honours the timeout; the lists lock of `update` does not, so a
  # command refused for a lock is tried again (up to ten minutes); other failures are final.
  local try errors
  errors="$(mktemp)"
  for try in $(seq 1 40); do
    if as_root apt-get -o DPkg::Lock::Timeout=600 "$@" 2>"$errors"; then rm -f "$errors"; return 0; fi
    grep -qi "lock" "$errors" || { cat "$errors" >&2; rm -f "$errors"; return 1; }
    echo "apt-get $1: another apt holds the lock; waiting (try $try of 40)..." >&2
    sleep 15
  done
  cat "$errors" >&2; rm -f "$errors"
  return 1
}

apt_install() {
  # Installs Debian packages that are missing; a no-op when all are present.
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} with apt-get..." >&2
  apt_retry update -qq
  DEBIAN_FRONTEND=noninteractive apt_retry install -y -qq "${missing[@]}" >/dev/null
}

say() {
  # What set-up is doing, on stderr, so a first run is never a minute of silence.
  echo "[setup] $*" >&2
}

ensure_venv() {
  local extras="$1" stamp started
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in $VENV..."
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv "$VENV"; }
  fi
  stamp="$VENV/.installed-$extras-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    started=$SECONDS
    say "Installing the tracker and its Python packages ($extras; about a minute the first time)..."
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # pip's own lines, one per package it fetches, are the progress.
    "$VENV/bin/python" -m pip install --progress-bar off -e "$ROOT[$extras]" \
      | sed -un 's/^Collecting \([^ ]*\).*/[setup]   fetching \1/p' >&2
    touch "$stamp"
    say "Python packages ready in $((SECONDS - started)) s."
  fi
}
