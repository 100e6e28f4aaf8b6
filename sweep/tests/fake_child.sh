#!/usr/bin/env bash
# A stand-in for `ecg_sim --arch A --mode M ... -p k=v ... --json FILE` in the sweep tests:
# writes a schema-shaped report whose numbers follow from the parameters, so every point has
# distinct, predictable results. Behaviour knobs:
#   engine.pe=3   -> one-line error on stderr, exit 2 (a bad value)
#   engine.pe=13  -> dies of SIGSEGV (a crash)
#   $FAKE_CHILD_LOG  append one line per invocation (to see which points ran)
#   $FAKE_SLEEP      seconds to sleep before answering (parallelism and timeout tests)
set -u
arch="" mode="" json="" records="" pe=8 simd=8 clock=100 tech="28nm" params=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --records|--split) records="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    -p) kv="$2"; params="$params $kv"; shift 2
        case "$kv" in
          engine.pe=*) pe="${kv#*=}" ;;
          engine.simd=*) simd="${kv#*=}" ;;
          clock_mhz=*) clock="${kv#*=}" ;;
          power.tech=*) tech="${kv#*=}" ;;
        esac ;;
    *) shift ;;
  esac
done
[ -n "${FAKE_CHILD_LOG:-}" ] && echo "$arch$params" >>"$FAKE_CHILD_LOG"
[ -n "${FAKE_SLEEP:-}" ] && sleep "$FAKE_SLEEP"
if [ "$pe" = 3 ]; then echo "progress 50%"; echo "ecg_sim: parameter engine.pe: 3 is not a power of two" >&2; exit 2; fi
if [ "$pe" = 13 ]; then kill -SEGV $$; fi
cycles=$(( 100000 / (pe * simd) + 50 ))
case "$tech" in 28nm) mw_per=3 ;; 65nm) mw_per=9 ;; *) mw_per=5 ;; esac
cat >"$json" <<JSON
{"arch": "$arch", "mode": "$mode", "records": ["$records"], "classes": ["N", "S", "V"], "beats": 1000,
 "accuracy": 0.9$pe, "confusion": [[900, 1, 2], [3, 40, 1], [2, 1, 50]],
 "per_class": {"N": {"se": 0.99, "ppv": 0.98, "f1": 0.985}, "S": {"se": 0.$pe, "ppv": 0.7}, "V": {"se": 0.9, "ppv": 0.8$simd}},
 "hardware": {"clock_mhz": $clock, "latency_cycles": {"min": $cycles, "mean": $cycles, "max": $cycles},
   "latency_us": {"min": 1, "mean": $(( cycles / 100 )), "max": 9}, "initiation_interval_cycles": $cycles,
   "throughput_fps": $(( 100000000 / cycles )), "weight_storage_bytes": 4096,
   "power_mw": {"dynamic": $(( pe * simd * mw_per )), "static": 1, "total": $(( pe * simd * mw_per + 1 ))},
   "energy_uj_per_beat": $(( pe * simd * mw_per * cycles / 100000 )),
   "config": {"engine.pe": $pe, "engine.simd": $simd, "clock_mhz": $clock, "power.tech": "$tech"}},
 "sim": {"wall_s": 0.01, "beats_per_s": 100000}}
JSON
echo "done"
