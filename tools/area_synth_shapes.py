#!/usr/bin/env python3
"""Synthesize seq engine shapes for the area model (docs/power.md, "Area").

Runs Debian Yosys `synth_ice40 -spram [-dsp]` on the seq engine alone (rtl/seq, no board top,
no place and route) for each variant of rtl/CMakeLists.txt's ecg_seq_variant table (or the
shapes given with --shape NAME) and writes one JSON per shape in the synth flow's result format
(the keys power/src/area.cpp reads: arch, device, params, utilization, fits), e.g.
power/area/synth/seq_qrcnn_p2s4-up5k.json. `ecg_sim synth --json` results (board top, P&R,
Fmax) go in the same folder and take precedence by name order. Then refit:
  build/tools/ecg_area_fit --dir power/area/synth --out power/area/model.json
With --device asic: Yosys' generic gate-level synthesis of the same seq engine for a
standard-cell ASIC (asic45's static power, docs/power.md "Static power from area"): coarse
`synth -flatten` with the memories kept as memories (`memory -nomap`: SRAM macros, counted as
bits), `techmap`, `dffunmap` (enables / synchronous resets become gates), `abc -g cmos2`
(NAND2, NOR2 and inverters only), `stat -tech cmos`. Gate equivalents (GE) = NAND2 equivalents
= CMOS transistors / 4, with yosys' transistor counts (NAND2 / NOR2 4, NOT 2, DFF 16) and 20
for a flip-flop with asynchronous reset (which `stat -tech cmos` leaves uncounted: a DFF + one
NAND2 of reset gating; NanGate45 DFFR_X1 / DFF_X1 area 5.32 / 4.52 = 1.18). Writes e.g.
power/area/synth/seq_qrcnn-asic.json ("device": "asic", utilization ge / ff / sram_bits).
Usage: tools/area_synth_shapes.py [--device up5k|asic] [--rtl DIR] [--out DIR] [--shape NAME]... [-j N]
"""
import argparse, concurrent.futures, json, os, re, subprocess, sys, tempfile, time

SEQ_SOURCES = ["seq/seq_hw_pkg.sv", "prim/prim_ram.sv", "prim/prim_adder_tree.sv", "prim/prim_wb.sv",
               "seq/seq_mac_pe.sv", "seq/seq_engine.sv"]
KEYS = ["Pe", "Simd", "MacKind", "WBits", "ABits", "XnorLanes", "ActDepthA", "ActDepthB", "WgtRows", "ParDepth"]
UP5K = {"lut": 5280, "ff": 5280, "ebr": 30, "spram": 4, "dsp": 8}


def variants(rtl):
    text = open(os.path.join(rtl, "CMakeLists.txt")).read()
    out = []
    for m in re.finditer(r"^ecg_seq_variant\((\S+)\s+(\S+)\s+([\d\s]+)\)", text, re.M):
        vals = [int(v) for v in m.group(3).split()]
        out.append((m.group(1), m.group(2), dict(zip(KEYS, vals))))
    return out


def run_yosys(tmp, script):
    """Runs a Yosys script (niced) in the folder tmp; returns None, or the error to report."""
    ys = os.path.join(tmp, "s.ys")
    open(ys, "w").write(script)
    r = subprocess.run(["nice", "-n", "10", "yosys", "-q", "-l", os.path.join(tmp, "log"), ys],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else "yosys failed: " + r.stderr.strip()[-300:]


def write_result(path, res):
    """Writes a result JSON atomically (no half-written file if interrupted)."""
    with open(path + ".tmp", "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def synth(rtl, out_dir, name, arch, params):
    # Requant multiplier per PE, plus the lanes' multipliers unless the lanes shift-add (MacKind 2,
    # logq); bnn's (MacKind 1) INT8 dense-head lanes multiply.
    # (two SB_MAC16 per 24 x 16 requant)
    eligible = 2 * params["Pe"] + (params["Pe"] * params["Simd"] if params["MacKind"] != 2 else 0)
    dsp = eligible <= UP5K["dsp"]  # the flow's --dsp auto: all DSP-eligible multipliers or none
    with tempfile.TemporaryDirectory() as tmp:
        stat = os.path.join(tmp, "stat.json")
        script = "read_verilog -sv {}\nchparam {} seq_engine\nsynth_ice40 -top seq_engine -spram {}\ntee -q -o {} stat -json\n".format(
            " ".join(os.path.join(rtl, s) for s in SEQ_SOURCES),
            " ".join("-set {} {}".format(k, v) for k, v in params.items()), "-dsp" if dsp else "", stat)
        t0 = time.time()
        err = run_yosys(tmp, script)
        if err:
            return name, err
        cells = json.load(open(stat))["design"]["num_cells_by_type"]
    util = {"lut": cells.get("SB_LUT4", 0),
            "ff": sum(v for k, v in cells.items() if k.startswith("SB_DFF")),
            "carry": cells.get("SB_CARRY", 0), "ebr": cells.get("SB_RAM40_4K", 0),
            "spram": cells.get("SB_SPRAM256KA", 0), "dsp": cells.get("SB_MAC16", 0)}
    res = {"arch": arch, "variant": name, "engine_top": "seq_engine", "params": params, "device": "up5k",
           "family": "ice40", "capacity": UP5K, "dsp_mapping": "dsp" if dsp else "lut", "utilization": util,
           "fits": all(util[k] <= UP5K[k] for k in UP5K), "timing": None,
           "flow": "tools/area_synth_shapes.py: yosys synth_ice40 -spram{} of seq_engine alone (no board top, "
                   "no place and route: no Fmax)".format(" -dsp" if dsp else ""),
           "yosys": subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip(),
           "wall_s": round(time.time() - t0, 1)}
    write_result(os.path.join(out_dir, "{}-up5k.json".format(name)), res)
    return name, "{} LUT, {} FF, {} EBR, {} DSP ({:.0f} s)".format(util["lut"], util["ff"], util["ebr"], util["dsp"],
                                                                 res["wall_s"])


# CMOS transistors per yosys gate cell (yosys kernel/cost.h, `stat -tech cmos`), plus the
# asynchronous-reset flip-flops stat leaves out (see the module docstring).
CMOS_TRANSISTORS = {"$_NOT_": 2, "$_NAND_": 4, "$_NOR_": 4, "$_DFF_P_": 16, "$_DFF_N_": 16,
                    "$_DFF_PN0_": 20, "$_DFF_PN1_": 20, "$_DFF_PP0_": 20, "$_DFF_PP1_": 20}


def synth_asic(rtl, out_dir, name, arch, params):
    with tempfile.TemporaryDirectory() as tmp:
        stat, mem = os.path.join(tmp, "stat.json"), os.path.join(tmp, "mem.txt")
        script = ("read_verilog -sv {}\nchparam {} seq_engine\n"
                  "synth -top seq_engine -flatten -run begin:fine\n"  # coarse: ends in memory -nomap
                  "tee -q -o {} dump t:$mem_v2\n"
                  "opt -fast -full\ntechmap\nopt -fast\ndffunmap\nabc -g cmos2\nopt_clean\n"
                  "tee -q -o {} stat -json -tech cmos\n").format(
            " ".join(os.path.join(rtl, s) for s in SEQ_SOURCES),
            " ".join("-set {} {}".format(k, v) for k, v in params.items()), mem, stat)
        t0 = time.time()
        err = run_yosys(tmp, script)
        if err:
            return name, err
        cells = json.load(open(stat))["design"]["num_cells_by_type"]
        memories = []
        for m in re.finditer(r"cell \$mem_v2 (\S+)\n((?:\s+parameter .*\n)+)", open(mem).read()):
            p = dict(re.findall(r"parameter \\(\w+) (\S+)", m.group(2)))
            memories.append({"name": m.group(1).lstrip("\\"), "words": int(p["SIZE"]), "width": int(p["WIDTH"])})
    unknown = sorted(k for k in cells if k not in CMOS_TRANSISTORS and k != "$mem_v2")
    if unknown:
        return name, "cells without a transistor count: " + ", ".join(unknown)
    transistors = sum(CMOS_TRANSISTORS[k] * v for k, v in cells.items() if k in CMOS_TRANSISTORS)
    ffs = sum(v for k, v in cells.items() if k.startswith("$_DFF"))
    util = {"ge": transistors / 4.0, "transistors": transistors, "ff": ffs,
            "sram_bits": sum(m["words"] * m["width"] for m in memories), "sram_macros": len(memories),
            "cells": {k: v for k, v in sorted(cells.items())}}
    res = {"arch": arch, "variant": name, "engine_top": "seq_engine", "params": params, "device": "asic",
           "family": "generic standard cells (NAND2/NOR2/NOT + DFF), 45 nm static power in power/tech/asic45.toml",
           "utilization": util, "memories": memories, "fits": True, "timing": None,
           "ge_definition": "NAND2 equivalents = CMOS transistors / 4 (NAND2 4, NOR2 4, NOT 2, DFF 16, "
                            "async-reset DFF 20); memories are SRAM macros counted as bits, not gates",
           "flow": "tools/area_synth_shapes.py --device asic: yosys synth -flatten -run begin:fine (memory -nomap), "
                   "opt -fast -full, techmap, opt -fast, dffunmap, abc -g cmos2, stat -tech cmos; seq_engine alone",
           "yosys": subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip(),
           "wall_s": round(time.time() - t0, 1)}
    write_result(os.path.join(out_dir, "{}-asic.json".format(name)), res)
    return name, "{:.0f} GE, {} FF, {} SRAM bits in {} macros ({:.0f} s)".format(
        util["ge"], ffs, util["sram_bits"], len(memories), res["wall_s"])


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rtl", default=os.path.join(here, "rtl"))
    ap.add_argument("--out", default=os.path.join(here, "power", "area", "synth"))
    ap.add_argument("--shape", action="append", default=[], help="a variant name of the table (repeatable)")
    ap.add_argument("--variant", nargs=12, action="append", default=[],
                    metavar=("NAME", "ARCH", "PE", "SIMD", "MAC", "WBITS", "ABITS", "XL", "ACTA", "ACTB", "ROWS", "PAR"),
                    help="a shape not in the table, with the table's columns (depths: what the network needs "
                         "at that shape, e.g. from rtl::compile_seq)")
    ap.add_argument("--device", choices=["up5k", "asic"], default="up5k",
                    help="up5k: synth_ice40 (LUTs, EBR, DSP); asic: generic gates (GE) + SRAM bits")
    ap.add_argument("-j", type=int, default=1)
    a = ap.parse_args()
    todo = [v for v in variants(a.rtl) if v[0] in a.shape or (not a.shape and not a.variant)]
    todo += [(v[0], v[1], dict(zip(KEYS, (int(x) for x in v[2:])))) for v in a.variant]
    if not todo:
        sys.exit("area_synth_shapes: no ecg_seq_variant matches in {}/CMakeLists.txt".format(a.rtl))
    os.makedirs(a.out, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        for name, msg in ex.map(lambda v: (synth_asic if a.device == "asic" else synth)(a.rtl, a.out, *v), todo):
            print("{}: {}".format(name, msg), flush=True)


if __name__ == "__main__":
    main()
