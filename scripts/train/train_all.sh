#!/usr/bin/env bash
# Trains and exports all five architectures (inter- and intra-patient models, each paper's
# task), then the four beat networks on the AAMI-5 inter-patient task (--task aami,
# weights/aami/), then prints the results tables of docs/training.md from the manifests.
# Runs one arch at a time.
# Usage: scripts/train/train_all.sh [extra train.py flags, e.g. --quick]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for arch in qrcnn bnn int2kd logq dwsep; do
  /usr/bin/python3 "$here/train.py" --arch "$arch" --eval both "$@"
done
for arch in qrcnn bnn int2kd dwsep; do
  /usr/bin/python3 "$here/train.py" --arch "$arch" --task aami "$@"
done
/usr/bin/python3 "$here/report.py"
