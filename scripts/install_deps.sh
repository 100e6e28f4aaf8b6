#!/usr/bin/env bash
# Installs the Debian packages ecg_sim needs, if any are missing.
# Usage: scripts/install_deps.sh [--train]   (--train adds PyTorch for training)
# numpy/matplotlib are always installed: the sweep plot step (scripts/plot_pareto.py) and its test use them.
# yosys, nextpnr-ice40 and fpga-icestorm (icepack) run `ecg_sim synth` and its tests (docs/synth.md).
set -euo pipefail
pkgs=(cmake g++ make pkg-config libsystemc-dev verilator libfmt-dev libgtest-dev libcli11-dev
      nlohmann-json3-dev libtomlplusplus-dev zlib1g-dev python3 python3-numpy python3-matplotlib parallel clang libclang-rt-14-dev
      yosys nextpnr-ice40 fpga-icestorm)
if [ "${1:-}" = "--train" ]; then pkgs+=(python3-torch); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install_deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install_deps: not root and no sudo; please install: ${missing[*]}" >&2; exit 2; fi
else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
