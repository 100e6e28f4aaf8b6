#!/usr/bin/python3
"""Pareto fronts of ecg_sim sweep results (docs/sweeps.md).

    scripts/plot_pareto.py RESULTS [RESULTS ...] [--out DIR] [--formats png,svg] [--title T]
                           [--marker-by KEY] [--front-by KEY]

RESULTS are results.jsonl (or results.csv) files written by `ecg_sim sweep`; several files are
plotted together (e.g. one sweep per arch). FILE:ARCH[,ARCH...] takes only those archs' rows
of FILE (e.g. the AAMI-model sweep for the beat archs plus logq from the paper-model sweep). Writes, in DIR (default: beside the first file):

  pareto_energy_latency.{png,svg}  energy/beat vs latency     (both minimised)
  pareto_accuracy_energy.{png,svg} accuracy vs energy/beat    (accuracy maximised)
  pareto_fps_power.{png,svg}       FPS vs power               (FPS maximised)
  pareto_realtime_energy_latency.{png,svg} energy/beat at the recording's pace (idle included) vs latency
  pareto_battery_latency.{png,svg} battery life at the recording's pace vs latency (life maximised)
  pareto_realtime_power_area.{png,svg} average power at the recording's pace vs LUTs (both minimised)
  pareto_summary.txt               the Pareto-optimal points of each plot, with their parameters

One colour per arch (and, with --marker-by KEY, one marker shape per value of parameter KEY,
e.g. power.tech); Pareto-optimal points (over all archs) are drawn large with a black edge
and joined by the front's staircase. With --front-by KEY (e.g. power.tech: a designer picks
the device first) there is one front per value of KEY, each with its own staircase, and the
summary lists each; KEY1,KEY2 gives one front per combination (power.tech,power.idle_clock_gated). Only points with status "ok" and both values present are
used; a plot whose metrics no point has (e.g. power in golden mode) is skipped with a note.
Infeasible points, those whose report says the design does not fit its device (fits false) or
misses its clock (meets_clock false: clock_mhz above the design's fmax_mhz), are drawn as grey
crosses, left off every Pareto front and listed in the summary; on the at-pace plots (realtime,
battery) so is a point whose latency per beat exceeds the recording's mean beat interval
(latency_us_mean x realtime_beats_per_s > 1: it cannot keep up).
Uses Debian's python3-matplotlib; run with /usr/bin/python3.
"""
import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ARCH_ORDER = ["qrcnn", "bnn", "int2kd", "logq", "dwsep"]
COLOURS = {"qrcnn": "tab:blue", "bnn": "tab:orange", "int2kd": "tab:green", "logq": "tab:red", "dwsep": "tab:purple"}

# (file stem, x column, x label, x sense, y column, y label, y sense); sense: "min" or "max".
# Plots whose stem is in AT_PACE read the real-time view: a point that cannot keep the
# recording's pace (busy longer than the mean beat interval) is infeasible there.
PLOTS = [
    ("pareto_energy_latency", "latency_us_mean", "latency per beat (us, mean)", "min",
     "energy_uj_per_beat", "energy per beat (uJ)", "min"),
    ("pareto_accuracy_energy", "energy_uj_per_beat", "energy per beat (uJ)", "min",
     "accuracy", "accuracy", "max"),
    ("pareto_fps_power", "power_mw_total", "power (mW, total)", "min",
     "fps", "throughput (beats/s)", "max"),
    ("pareto_realtime_energy_latency", "latency_us_mean", "latency per beat (us, mean)", "min",
     "realtime_uj_per_beat", "energy per beat at the recording's pace, idle included (uJ)", "min"),
    ("pareto_battery_latency", "latency_us_mean", "latency per beat (us, mean)", "min",
     "battery_life_days", "battery life at the recording's pace (days)", "max"),
    ("pareto_realtime_power_area", "luts", "LUTs (hardware.area)", "min",
     "realtime_avg_mw", "average power at the recording's pace (mW)", "min"),
]


AT_PACE = {"pareto_realtime_energy_latency", "pareto_battery_latency", "pareto_realtime_power_area"}


def flag(v):
    """A report's boolean column (JSONL: true/false/null; CSV: the text)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return None


def infeasible(r, at_pace=False):
    """Why a point cannot be built as configured ("" when it can or the report does not say).
    at_pace: also when one beat's latency exceeds the recording's mean beat interval (the
    engine would fall ever further behind: the real-time figures assume it keeps up)."""
    why = []
    if flag(r.get("fits")) is False:
        why.append("does not fit " + str(r.get("area_device") or "the device"))
    if flag(r.get("meets_clock")) is False:
        why.append(f"clock {r.get('clock_mhz')} MHz above fmax {number(r.get('fmax_mhz')) or 0:.1f} MHz")
    lat, rate = number(r.get("latency_us_mean")), number(r.get("realtime_beats_per_s"))
    if at_pace and lat is not None and rate and lat * 1e-6 * rate > 1:
        why.append(f"cannot keep pace: {lat / 1e3:.0f} ms per beat at {rate:.2f} beats/s")
    return "; ".join(why)


def number(v):
    if v is None or v == "":
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def load_rows(path):
    """Rows as dicts with 'arch', 'status', 'params' (dict) and the metric columns."""
    rows = []
    if path.endswith(".csv"):
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            params = [h for h in (reader.fieldnames or []) if h.startswith("param.")]
            for r in reader:
                r = dict(r)
                r["params"] = {k[len("param."):]: r[k] for k in params if r.get(k, "") != ""}
                r["source"] = path
                rows.append(r)
    else:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"plot_pareto.py: {path}:{n}: not valid JSON ({e})")
                r["source"] = path
                rows.append(r)
    return rows


def pareto(points, xs, ys):
    """Indices of the non-dominated points (exact duplicates of one are kept too), in front
    order; xs/ys: 'min' or 'max'."""
    sx = 1 if xs == "min" else -1
    sy = 1 if ys == "min" else -1
    order = sorted(range(len(points)), key=lambda i: (sx * points[i][0], sy * points[i][1]))
    front, best, last = [], math.inf, None
    for i in order:
        key = (sx * points[i][0], sy * points[i][1])
        if key[1] < best or key == last:
            front.append(i)
            best, last = key[1], key
    return front


def describe(r):
    params = r.get("params") or {}
    p = " ".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"{r.get('arch', '?')} {p}".strip()


def log_scale_wanted(values):
    pos = [v for v in values if v > 0]
    return len(pos) == len(values) and len(pos) > 1 and max(pos) / min(pos) > 30


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]


def param_value(r, key):
    """The point's value of parameter key; several keys (comma-separated): 'k1=v1 k2=v2'."""
    if "," in key:
        return " ".join(f"{k}={param_value(r, k)}" for k in key.split(","))
    v = (r.get("params") or {}).get(key)
    return "-" if v is None else str(v)


def group_label(front_by, v):
    return v if "," in front_by else f"{front_by}={v}"


def group_fronts(pts, used, xs, ys, front_by):
    """[(group value or None, front indices)]: one front over all points, or one per value of
    parameter front_by."""
    if not front_by:
        return [(None, pareto(pts, xs, ys))]
    out = []
    for v in sorted({param_value(r, front_by) for r in used}):
        idx = [i for i, r in enumerate(used) if param_value(r, front_by) == v]
        out.append((v, [idx[j] for j in pareto([pts[i] for i in idx], xs, ys)]))
    return out


def plot_one(rows, spec, out_dir, formats, title, marker_by=None, front_by=None):
    stem, xc, xl, xs, yc, yl, ys = spec
    pts, used, bad = [], [], []
    for r in rows:
        if r.get("status") != "ok":
            continue
        x, y = number(r.get(xc)), number(r.get(yc))
        if x is None or y is None:
            continue
        if infeasible(r, stem in AT_PACE):
            bad.append(((x, y), r))
            continue
        pts.append((x, y))
        used.append(r)
    lines = [f"== {stem}: {yl} vs {xl} ({'lower' if ys == 'min' else 'higher'} {yc} and "
             f"{'lower' if xs == 'min' else 'higher'} {xc} are better)"]
    if not pts:
        lines.append(f"   skipped: no feasible successful point has both {xc} and {yc}"
                     + (f" ({len(bad)} infeasible)" if bad else ""))
        return lines, []
    fronts = group_fronts(pts, used, xs, ys, front_by)
    on_front = {i for _, f in fronts for i in f}

    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    archs = sorted({r.get("arch", "?") for r in used},
                   key=lambda a: (ARCH_ORDER.index(a) if a in ARCH_ORDER else 99, a))
    values = sorted({param_value(r, marker_by) for r in used}) if marker_by else ["-"]
    marker_of = {v: MARKERS[i % len(MARKERS)] for i, v in enumerate(values)}
    for a in archs:
        idx = [i for i, r in enumerate(used) if r.get("arch") == a]
        c = COLOURS.get(a, None)
        ax.scatter([], [], s=22, color=c, label=f"{a} ({len(idx)})")
        for v in values:
            vi = [i for i in idx if not marker_by or param_value(used[i], marker_by) == v]
            m = marker_of[v] if marker_by else "o"
            rest = [i for i in vi if i not in on_front]
            ax.scatter([pts[i][0] for i in rest], [pts[i][1] for i in rest], s=22, alpha=0.55, color=c, marker=m)
            fi = [i for i in vi if i in on_front]
            if fi:
                ax.scatter([pts[i][0] for i in fi], [pts[i][1] for i in fi], s=110, color=c, edgecolors="black",
                           linewidths=1.3, marker=m if marker_by else "*", zorder=3)
    if bad:
        ax.scatter([b[0][0] for b in bad], [b[0][1] for b in bad], s=26, color="gray", marker="x", alpha=0.7,
                   label=f"infeasible ({len(bad)}: no fit / clock > fmax)")
    if marker_by:
        for v in values:
            ax.scatter([], [], s=30, color="gray", marker=marker_of[v], label=group_label(marker_by, v))
    ax.scatter([], [], s=90, color="white", edgecolors="black", marker="*" if not marker_by else "o",
               label="Pareto-optimal")
    styles = ["-", "--", ":", "-."]
    for n, (v, front) in enumerate(fronts):
        fx = [pts[i][0] for i in front]
        fy = [pts[i][1] for i in front]
        label = "Pareto front" if v is None else f"Pareto front, {group_label(front_by, v)}"
        ax.step(fx, fy, where="post", color="black", linestyle=styles[n % len(styles)], linewidth=0.8, alpha=0.7,
                label=label, zorder=2)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    if log_scale_wanted([p[0] for p in pts] + [b[0][0] for b in bad]):
        ax.set_xscale("log")
    if log_scale_wanted([p[1] for p in pts] + [b[0][1] for b in bad]):
        ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.25)
    ax.set_title(f"{title}: {yl} vs {xl}" if title else f"{yl} vs {xl}", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    written = []
    for fmt in formats:
        path = os.path.join(out_dir, f"{stem}.{fmt}")
        fig.savefig(path, dpi=130)
        written.append(path)
    plt.close(fig)

    for v, front in fronts:
        n = len(pts) if v is None else sum(1 for r in used if param_value(r, front_by) == v)
        where = "" if v is None else f" with {group_label(front_by, v)}"
        lines.append(f"   {n} feasible points{where}, {len(front)} Pareto-optimal:")
        for i in front:
            r = used[i]
            lines.append(f"   * {xc}={pts[i][0]:.6g}  {yc}={pts[i][1]:.6g}  {describe(r)}")
    if bad:
        lines.append(f"   {len(bad)} infeasible points (left off the front):")
        for (x, y), r in bad:
            lines.append(f"   x {xc}={x:.6g}  {yc}={y:.6g}  {describe(r)}: {infeasible(r, stem in AT_PACE)}")
    return lines, written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", help="results.jsonl or results.csv of ecg_sim sweep; FILE:ARCH,ARCH "
                    "takes only those archs' rows of FILE")
    ap.add_argument("--out", help="output folder (default: the first results file's folder)")
    ap.add_argument("--formats", default="png,svg", help="comma-separated image formats (default png,svg)")
    ap.add_argument("--title", default="", help="title prefix of the plots")
    ap.add_argument("--marker-by", help="parameter whose values get one marker shape each (e.g. power.tech)")
    ap.add_argument("--front-by", help="one Pareto front per value of this parameter (e.g. power.tech), or per "
                    "combination of several, comma-separated (power.tech,power.idle_clock_gated)")
    a = ap.parse_args(argv)
    rows = []
    files = []
    for arg in a.results:
        path, keep = arg, None
        if not os.path.isfile(arg) and ":" in arg:
            path, archs = arg.rsplit(":", 1)
            keep = {x for x in archs.split(",") if x}
        if not os.path.isfile(path):
            sys.exit(f"plot_pareto.py: {path}: no such file")
        got = [r for r in load_rows(path) if keep is None or r.get("arch") in keep]
        if keep is not None and not got:
            sys.exit(f"plot_pareto.py: {path}: no rows of {', '.join(sorted(keep))}")
        rows.extend(got)
        files.append(path)
    if not rows:
        sys.exit(f"plot_pareto.py: {', '.join(a.results)}: no result rows")
    out_dir = a.out or os.path.dirname(os.path.abspath(files[0]))
    os.makedirs(out_dir, exist_ok=True)
    formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    ok = sum(1 for r in rows if r.get("status") == "ok")
    summary = [f"Pareto summary of {len(rows)} points ({ok} ok) from {', '.join(a.results)}", ""]
    images = []
    for spec in PLOTS:
        lines, written = plot_one(rows, spec, out_dir, formats, a.title, a.marker_by, a.front_by)
        summary.extend(lines + [""])
        images.extend(written)
    text = "\n".join(summary)
    with open(os.path.join(out_dir, "pareto_summary.txt"), "w") as f:
        f.write(text)
    print(text)
    print(f"wrote {len(images)} images and pareto_summary.txt to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
