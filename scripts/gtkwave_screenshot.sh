#!/usr/bin/env bash
# Screenshot of GTKWave showing one beat of an RTL engine waveform (docs/rtl.md, "Waveforms").
#   scripts/gtkwave_screenshot.sh [OUT.png]      (default docs/gtkwave/seq_qrcnn.png)
#   ECG_SCREENSHOT_COSIM=bnn scripts/gtkwave_screenshot.sh docs/gtkwave/cosim_bnn.png
#     (one beat of ecg_sim --mode cosim with docs/gtkwave/cosim_<arch>.gtkw: TLM lanes above the pins)
# Writes a short VCD with the trace test of the seq engine (trained qrcnn vectors), opens it
# with docs/gtkwave/seq.gtkw under a virtual X server, zooms on the first beat and grabs the
# screen. Needs Debian's gtkwave, xvfb and imagemagick (apt-get install gtkwave xvfb imagemagick).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ECG_SIM_BUILD_DIR:-$here/build}"
out="${1:-$here/docs/gtkwave/seq_qrcnn.png}"
for t in gtkwave Xvfb import; do
  command -v "$t" >/dev/null || { echo "gtkwave_screenshot: $t missing (apt-get install gtkwave xvfb imagemagick)" >&2; exit 2; }
done
[ -x "$build/tb/tb_seq_test" ] || cmake --build "$build" --target tb_seq_test -j"$(nproc)" >/dev/null 2>&1 ||
  { echo "gtkwave_screenshot: cannot build $build/tb/tb_seq_test" >&2; exit 2; }
work="$(mktemp -d)"; trap 'kill "${xpid:-}" "${gpid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
save="$here/docs/gtkwave/seq.gtkw"
if [ -n "${ECG_SCREENSHOT_COSIM:-}" ]; then
  # ECG_SCREENSHOT_COSIM=ARCH: beat 1 of a cosim run (TLM lanes above the RTL pins, docs/cosim.md)
  arch="$ECG_SCREENSHOT_COSIM"; save="$here/docs/gtkwave/cosim_$arch.gtkw"
  SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$build/sim/ecg_sim" --arch "$arch" --mode cosim --records 100 --max-beats 3 \
    --trace-beats 1:1 --trace "$work/cosim_$arch.vcd" >/dev/null
  vcd="$work/cosim_$arch.vcd"
else
  (cd "$work" && TMPDIR="$work" ECG_KEEP_VCD=1 SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 \
     "$build/tb/tb_seq_test" --gtest_filter=SeqEngine.TraceShowsHandshakesAndPasses >/dev/null)
  vcd="$(ls "$work"/ecg_sim_seq_trace_*.vcd)"
fi
# The first beat: from just before the first sample handshake to the next beat's first sample.
id="$(grep -m1 ' in_valid_i ' "$vcd" | awk '{print $4}')"
read -r t0 t1 < <(awk -v id="$id" '/^#/{t=substr($0,2)} $0=="1"id {printf "%s ", t; if (++n == 2) exit}' "$vcd"; echo)
[ -n "${t1:-}" ] || t1="$(grep '^#' "$vcd" | tail -1 | cut -c2-)"  # a one-beat window: to its end
printf 'gtkwave::setZoomRangeTimes %s %s\n' "$((t0 - 500000))" "$((t1 + 1500000))" >"$work/zoom.tcl"
{ echo "[size] 1600 1000"; echo "[sst_expanded] 0"; echo "[signals_width] 260"; cat "$save"; } >"$work/view.gtkw"
disp=":$((90 + RANDOM % 9))"
Xvfb "$disp" -screen 0 1600x1000x24 >/dev/null 2>&1 & xpid=$!
sleep 2
DISPLAY="$disp" gtkwave -S "$work/zoom.tcl" "$vcd" "$work/view.gtkw" >"$work/gtkwave.log" 2>&1 & gpid=$!
# Wait until the VCD is loaded and the script has run (GTKWave logs it), then let it draw.
for _ in $(seq 1 120); do grep -q "Executing Tcl script" "$work/gtkwave.log" && break; sleep 1; done
sleep 5
DISPLAY="$disp" import -window root "$out"
echo "gtkwave_screenshot: $out (beat at $((t0 / 1000000)) us .. $((t1 / 1000000)) us of $vcd)"
