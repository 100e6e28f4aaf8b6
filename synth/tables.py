#!/usr/bin/env python3
"""Markdown tables for docs/synth.md from `ecg_sim synth --json` results (the figures are the
tools' own: Yosys stat, nextpnr's report, icepack's file).

Usage: synth/tables.py RESULT.json...   (UP5K and xc7a35t results may be mixed)
"""
import json
import sys


def main(paths):
    up5k, xc7 = [], []
    for p in paths:
        with open(p) as f:
            d = json.load(f)
        (up5k if d["device"] == "up5k" else xc7).append(d)
    if up5k:
        print("| arch | variant | LUT4 | FF | EBR | SPRAM | DSP | logic cells | Fmax (MHz) | clock (MHz) | meets | bitstream (B) | flow wall (s) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for d in up5k:
            u, t = d.get("utilization", {}), d.get("timing", {})
            steps = sum(s["wall_s"] for s in d["steps"])
            print(f"| {d.get('arch', d['engine_top'])} | {d.get('variant', '')} | {u.get('lut', '-')} | {u.get('ff', '-')} "
                  f"| {u.get('ebr', '-')} | {u.get('spram', '-')} | {u.get('dsp', '-')} | {u.get('lc', '-')} "
                  f"| {t.get('fmax_mhz', 0):.2f} | {d['clock_mhz']:g} | {'yes' if t.get('meets_clock') else 'NO'} "
                  f"| {d.get('bitstream', {}).get('bytes', '-')} | {steps:.0f} |")
        print()
    if xc7:
        print("| arch | variant | LUT | FF | DSP48E1 | RAMB36E1 | RAMB18E1 | LUTRAM | SRL | fits | synthesis wall (s) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for d in xc7:
            u = d.get("utilization", {})
            steps = sum(s["wall_s"] for s in d["steps"])
            print(f"| {d.get('arch', d['engine_top'])} | {d.get('variant', '')} | {u.get('lut', '-')} | {u.get('ff', '-')} "
                  f"| {u.get('dsp', '-')} | {u.get('ramb36', '-')} | {u.get('ramb18', '-')} | {u.get('lutram', '-')} "
                  f"| {u.get('srl', '-')} | {'yes' if d.get('fits') else 'NO'} | {steps:.0f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
