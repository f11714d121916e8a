#!/usr/bin/env bash
# One-step setup on Debian/Ubuntu: oneDNN and a C++ toolchain from apt (sudo when not root), npm packages, the native addon.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if command -v apt-get >/dev/null 2>&1; then
  need=()
  for pkg in libdnnl-dev g++ make python3; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
else
  echo "setup: apt-get not found; install oneDNN (libdnnl-dev) and a C++ compiler yourself, or convkit will use its slower reference backend." >&2
fi

# onnxruntime-node (a dev dependency, used only to check ONNX exports) ships its CPU binaries; its postinstall would
# download CUDA parts from outside the npm registry, which fails offline.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund
