#!/usr/bin/env bash
# Peer comparison: kefu vs Ciw vs SimPy on the same M/M/c and M/M/c+M models.
# Installs Ciw and SimPy from PyPI into a virtual environment (bench/.venv, or $PEERS_VENV),
# builds kefu, and prints customers per second (CPU time of one core) with each simulator's
# statistics beside Erlang C / Erlang A. Usage: bench/peers.sh [--customers N]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PEERS_VENV:-bench/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check ciw simpy
cargo build --release --quiet
exec "$VENV/bin/python" bench/peers.py --kefu target/release/kefu "$@"
