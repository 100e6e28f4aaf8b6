#!/usr/bin/env bash
# bnn's binary layers use no multiplier: the engine's synthesized design (Yosys, generic cells)
# has no $mul with a 1- or 2-bit operand (what a +-1 lane written as a multiply becomes), and
# at most Pe*Simd + Pe multipliers in all (the INT8 lanes of the dense head and the per-PE
# requant), far fewer than the binary lanes (Pe * XnorLanes XNOR-popcount lanes).
# Usage: bnn_check.sh ECG_SIM [synth options...]
set -euo pipefail
exe="$1"; shift
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$exe" synth --arch bnn --check-only --json "$tmp/bnn.json" "$@" > "$tmp/out.txt" || { cat "$tmp/out.txt"; exit 1; }
python3 - "$tmp/bnn.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p, g = d["params"], d["generic"]
pe, simd = int(p["Pe"]), int(p["Simd"])
lanes = pe * int(p.get("XnorLanes", simd))
muls, narrow = g["mul_cells"], g["narrow_mul_cells"]
print(f"bnn {d['variant']}: Pe={pe} Simd={simd} -> {lanes} binary lanes; "
      f"$mul cells {muls} ({narrow} with a 1-2 bit operand), by module {g['mul_cells_by_module']}")
ok = narrow == 0 and muls <= pe * simd + pe
sys.exit(0 if ok else f"FAIL: binary lanes use multipliers ({muls} $mul, {narrow} narrow; limit {pe * simd + pe}, 0)")
PY
