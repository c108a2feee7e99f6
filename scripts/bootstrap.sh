#!/usr/bin/env bash
# Prepares a machine for segur-bench: Debian packages (when root), then .venv with pinned Python
# dependencies. Idempotent and quick when everything is already there.
# Usage: scripts/bootstrap.sh [demo|test]
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"

DEB_PACKAGES=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc chromium chromium-l10n gcc)
if [ "$purpose" = "test" ]; then
  DEB_PACKAGES+=(postgresql)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEB_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> Paquets Debian manquants : ${missing[*]} (installation)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "==> Paquets Debian manquants : ${missing[*]}" >&2
    echo "    Installez-les en root puis relancez :" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "    (sans pcscd/vsmartcard-vpcd le banc utilise le lecteur de banc ; sans chromium les tests navigateur échouent)" >&2
    if [ "$purpose" = "test" ]; then exit 2; fi
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> Création de .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.stamp-deps
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "==> Installation des dépendances Python (constraints.txt)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
  touch "$stamp"
fi
