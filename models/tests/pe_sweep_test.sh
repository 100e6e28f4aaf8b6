#!/usr/bin/env bash
# End-to-end PE/SIMD sweep through `ecg_sim --mode tlm` (one process per point, as sweeps
# run): on the qrcnn-shaped test network (8 output channels everywhere), conv work halves
# each time engine.pe doubles (1..8) or engine.simd doubles; outputs never change; the
# report's II is the engine latency (seq). Usage: pe_sweep_test.sh ECG_SIM SOURCE_DIR MITDB
set -euo pipefail
ecg_sim="$1"; src="$2"; mitdb="$3"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/w/qrcnn"; cp "$src/models/tests/data/t_qrcnn.json" "$tmp/w/qrcnn/model.json"
run() {  # $1 = name, rest = -p args
  local name="$1"; shift
  "$ecg_sim" --arch qrcnn --mode tlm --records 100 --weights "$tmp/w" --data "$mitdb" \
    --config "$src/configs/qrcnn.toml" --json "$tmp/$name.json" "$@" > /dev/null
}
for pe in 1 2 4 8; do run "pe$pe" -p engine.pe=$pe -p engine.simd=8; done
for simd in 1 5 10 40; do run "simd$simd" -p engine.pe=8 -p engine.simd=$simd; done
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def load(n): return json.load(open(f"{d}/{n}.json"))
def conv_work(r): return sum(p["work"] for p in r["hardware"]["engine"]["passes"] if p["type"] == "conv1d")
base = load("pe1")
for a, b in [("pe1", "pe2"), ("pe2", "pe4"), ("pe4", "pe8")]:
    assert conv_work(load(a)) == 2 * conv_work(load(b)), (a, b, conv_work(load(a)), conv_work(load(b)))
# qrcnn-shaped net: the shared conv has 8 input channels and 5 taps; a chunk is one tap's
# channels, ceil(8/simd) words (docs/engines.md): simd 1 -> 5 quarters the shared conv's work
# (8 -> 2 words), 5 -> 10 halves it (2 -> 1), and lanes beyond the 8 channels buy nothing.
shared = lambda r: sum(p["work"] for p in r["hardware"]["engine"]["passes"] if p["layer"].startswith("r"))
assert shared(load("simd1")) == 4 * shared(load("simd5")), (shared(load("simd1")), shared(load("simd5")))
assert shared(load("simd5")) == 2 * shared(load("simd10")), (shared(load("simd5")), shared(load("simd10")))
assert shared(load("simd10")) == shared(load("simd40")), (shared(load("simd10")), shared(load("simd40")))
for n in ["pe1", "pe2", "pe4", "pe8", "simd1", "simd5", "simd10", "simd40"]:
    r = load(n); h = r["hardware"]
    assert h["initiation_interval_cycles"] == h["engine"]["latency_cycles"], n
    assert r["golden_check"]["mismatches"] == 0, n
    assert r["accuracy"] == base["accuracy"] and r["confusion"] == base["confusion"], n
lat = [load(f"pe{p}")["hardware"]["engine"]["latency_cycles"] for p in (1, 2, 4, 8)]
assert lat == sorted(lat, reverse=True), lat
print("pe sweep latency:", lat)
PY
