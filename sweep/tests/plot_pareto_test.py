#!/usr/bin/python3
"""Tests of scripts/plot_pareto.py: the Pareto sets on hand-made points, and the files it writes."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "plot_pareto.py")
sys.path.insert(0, os.path.dirname(SCRIPT))
import plot_pareto  # noqa: E402


class ParetoTest(unittest.TestCase):
    def test_min_min(self):
        pts = [(1, 10), (2, 5), (3, 6), (4, 1), (2, 7), (5, 1)]
        self.assertEqual(sorted(plot_pareto.pareto(pts, "min", "min")), [0, 1, 3])

    def test_min_max(self):
        pts = [(1, 0.5), (2, 0.9), (3, 0.8), (4, 0.95), (0.5, 0.4)]
        self.assertEqual(sorted(plot_pareto.pareto(pts, "min", "max")), [0, 1, 3, 4])

    def test_ties_keep_the_better_one_and_duplicates(self):
        pts = [(1, 3), (1, 2), (2, 2)]
        self.assertEqual(plot_pareto.pareto(pts, "min", "min"), [1])
        pts = [(1, 3), (2, 1), (2, 1), (3, 1)]
        self.assertEqual(plot_pareto.pareto(pts, "min", "min"), [0, 1, 2])


class ScriptTest(unittest.TestCase):
    def test_writes_plots_and_summary(self):
        with tempfile.TemporaryDirectory() as d:
            rows = []
            for i, (arch, pe) in enumerate([("dwsep", 1), ("dwsep", 2), ("dwsep", 4), ("qrcnn", 1), ("qrcnn", 2)]):
                lat = 100.0 / pe + (5 if arch == "qrcnn" else 0)
                rows.append({"point": i, "arch": arch, "status": "ok", "params": {"engine.pe": pe},
                             "latency_us_mean": lat, "energy_uj_per_beat": 0.1 * pe + 0.01 * lat,
                             "accuracy": 0.9 if arch == "dwsep" else 0.95, "fps": 1e6 / lat, "power_mw_total": pe})
            rows.append({"point": 5, "arch": "dwsep", "status": "failed", "params": {"engine.pe": 3}})
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--out", os.path.join(d, "plots"),
                                  "--marker-by", "engine.pe"], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            for stem in ("pareto_energy_latency", "pareto_accuracy_energy", "pareto_fps_power"):
                for ext in ("png", "svg"):
                    self.assertGreater(os.path.getsize(os.path.join(d, "plots", f"{stem}.{ext}")), 1000)
            summary = open(os.path.join(d, "plots", "pareto_summary.txt")).read()
            self.assertIn("6 points (5 ok)", summary)
            # accuracy vs energy: the cheapest dwsep point (pe=4: 0.65 uJ) and the cheapest qrcnn point
            # (pe=2: 0.75 uJ), which is more accurate.
            acc = summary.split("== pareto_accuracy_energy")[1].split("==")[0]
            self.assertIn("2 Pareto-optimal", acc)
            self.assertIn("energy_uj_per_beat=0.65  accuracy=0.9  dwsep engine.pe=4", acc)
            self.assertIn("energy_uj_per_beat=0.75  accuracy=0.95  qrcnn engine.pe=2", acc)

    def test_csv_input(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.csv")
            with open(path, "w") as f:
                f.write("point,arch,status,param.engine.pe,clock_mhz,latency_us_mean,energy_uj_per_beat,accuracy\n"
                        "0,bnn,ok,2,100,10,1.0,0.9\n1,bnn,ok,4,100,5,2.0,0.9\n2,bnn,ok,8,100,6,3.0,0.9\n")
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            lat = out.stdout.split("== pareto_energy_latency")[1].split("==")[0]
            self.assertIn("3 feasible points, 2 Pareto-optimal", lat)
            self.assertIn("bnn engine.pe=2", lat)
            self.assertIn("bnn engine.pe=4", lat)
            self.assertNotIn("engine.pe=8", lat)

    def test_infeasible_points_are_left_off_the_fronts(self):
        with tempfile.TemporaryDirectory() as d:
            rows = [
                {"arch": "qrcnn", "status": "ok", "params": {"engine.pe": 1}, "latency_us_mean": 100.0,
                 "energy_uj_per_beat": 1.0, "fits": True, "meets_clock": True, "clock_mhz": 24, "fmax_mhz": 40},
                {"arch": "qrcnn", "status": "ok", "params": {"engine.pe": 2}, "latency_us_mean": 50.0,
                 "energy_uj_per_beat": 1.2, "fits": True, "meets_clock": True, "clock_mhz": 24, "fmax_mhz": 35},
                # Best on both axes, but does not fit / misses its clock: never on a front.
                {"arch": "qrcnn", "status": "ok", "params": {"engine.pe": 16}, "latency_us_mean": 10.0,
                 "energy_uj_per_beat": 0.5, "fits": False, "meets_clock": True, "area_device": "up5k"},
                {"arch": "qrcnn", "status": "ok", "params": {"engine.pe": 8}, "latency_us_mean": 12.0,
                 "energy_uj_per_beat": 0.6, "fits": True, "meets_clock": False, "clock_mhz": 48, "fmax_mhz": 30.2},
            ]
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--formats", "png"], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            lat = out.stdout.split("== pareto_energy_latency")[1].split("==")[0]
            self.assertIn("2 feasible points, 2 Pareto-optimal", lat)
            self.assertIn("2 infeasible points", lat)
            self.assertIn("engine.pe=16: does not fit up5k", lat)
            self.assertIn("engine.pe=8: clock 48 MHz above fmax 30.2 MHz", lat)
            self.assertNotIn("* latency_us_mean=10  ", lat)

    def test_one_front_per_group(self):
        # Two devices: the fpga points dominate the ice points on both axes, so one joint front
        # holds fpga points only; --front-by power.tech gives each device its own front.
        with tempfile.TemporaryDirectory() as d:
            rows = []
            for tech, scale in (("fpga", 1.0), ("ice", 10.0)):
                for pe, (lat, e) in zip((1, 2, 4), ((40.0, 1.0), (20.0, 1.5), (10.0, 2.5))):
                    rows.append({"arch": "qrcnn", "status": "ok", "params": {"engine.pe": pe, "power.tech": tech},
                                 "latency_us_mean": lat * scale, "energy_uj_per_beat": e * scale})
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
            joint = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--formats", "png", "--out", d],
                                   capture_output=True, text=True)
            self.assertEqual(joint.returncode, 0, joint.stderr)
            lat = joint.stdout.split("== pareto_energy_latency")[1].split("==")[0]
            self.assertIn("6 feasible points, 3 Pareto-optimal", lat)
            self.assertNotIn("power.tech=ice", lat)
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--formats", "png", "--out", d,
                                  "--front-by", "power.tech"], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            lat = out.stdout.split("== pareto_energy_latency")[1].split("==")[0]
            self.assertIn("3 feasible points with power.tech=fpga, 3 Pareto-optimal", lat)
            self.assertIn("3 feasible points with power.tech=ice, 3 Pareto-optimal", lat)
            self.assertIn("energy_uj_per_beat=25  qrcnn engine.pe=4 power.tech=ice", lat)

    def test_one_front_per_combination_of_two_keys(self):
        # Clock gated between beats or not: the ungated idle clock makes the slow clock the
        # cheaper one at the recording's pace; one front per (tech, gated) pair.
        with tempfile.TemporaryDirectory() as d:
            rows = []
            for gated in (True, False):
                for mhz in (3, 6, 12):
                    lat = 1000.0 * 12 / mhz
                    rows.append({"arch": "qrcnn", "status": "ok",
                                 "params": {"clock_mhz": mhz, "power.tech": "ice", "power.idle_clock_gated": gated},
                                 "latency_us_mean": lat, "realtime_beats_per_s": 1.2,
                                 "realtime_uj_per_beat": 100.0 + (0 if gated else 200.0 * mhz)})
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--formats", "png", "--out", d,
                                  "--front-by", "power.tech,power.idle_clock_gated"], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            rt = out.stdout.split("== pareto_realtime_energy_latency")[1].split("==")[0]
            self.assertIn("3 feasible points with power.tech=ice power.idle_clock_gated=False, 3 Pareto-optimal", rt)
            self.assertIn("3 feasible points with power.tech=ice power.idle_clock_gated=True, 1 Pareto-optimal", rt)

    def test_a_point_that_cannot_keep_pace_is_off_the_at_pace_fronts(self):
        # 900 ms per beat at 1.2 beats/s: busy 108 % of the time. Fine back to back, not at pace.
        with tempfile.TemporaryDirectory() as d:
            rows = [{"arch": "qrcnn", "status": "ok", "params": {"clock_mhz": mhz}, "latency_us_mean": lat,
                     "energy_uj_per_beat": e, "realtime_beats_per_s": 1.2, "realtime_uj_per_beat": e + 90,
                     "battery_life_days": 300 - e}
                    for mhz, lat, e in ((0.01, 900000.0, 5.0), (1.5, 6000.0, 10.0), (12, 750.0, 20.0))]
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path, "--formats", "png", "--out", d],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            b2b = out.stdout.split("== pareto_energy_latency")[1].split("==")[0]
            self.assertIn("3 feasible points, 3 Pareto-optimal", b2b)
            for stem in ("pareto_realtime_energy_latency", "pareto_battery_latency"):
                rt = out.stdout.split("== " + stem)[1].split("==")[0]
                self.assertIn("2 feasible points, 2 Pareto-optimal", rt)
                self.assertIn("clock_mhz=0.01: cannot keep pace: 900 ms per beat at 1.20 beats/s", rt)

    def test_file_colon_archs_takes_only_those_rows(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "aami.jsonl"), os.path.join(d, "paper.jsonl")
            with open(a, "w") as f:
                for arch in ("qrcnn", "bnn"):
                    f.write(json.dumps({"arch": arch, "status": "ok", "params": {}, "accuracy": 0.8,
                                        "energy_uj_per_beat": 1.0 if arch == "qrcnn" else 2.0}) + "\n")
            with open(b, "w") as f:
                for arch in ("qrcnn", "logq"):
                    f.write(json.dumps({"arch": arch, "status": "ok", "params": {}, "accuracy": 0.95,
                                        "energy_uj_per_beat": 0.5 if arch == "qrcnn" else 3.0}) + "\n")
            out = subprocess.run(["/usr/bin/python3", SCRIPT, a, b + ":logq", "--formats", "png", "--out", d],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("Pareto summary of 3 points", out.stdout)
            acc = out.stdout.split("== pareto_accuracy_energy")[1].split("==")[0]
            self.assertIn("3 feasible points, 2 Pareto-optimal", acc)
            self.assertNotIn("energy_uj_per_beat=0.5", acc)
            bad = subprocess.run(["/usr/bin/python3", SCRIPT, b + ":dwsep", "--out", d], capture_output=True, text=True)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("no rows of dwsep", bad.stderr)

    def test_missing_metrics_skip_a_plot(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.jsonl")
            with open(path, "w") as f:
                f.write(json.dumps({"arch": "bnn", "status": "ok", "params": {}, "accuracy": 0.9}) + "\n")
            out = subprocess.run(["/usr/bin/python3", SCRIPT, path], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.count("skipped: no feasible successful point"), 6)


if __name__ == "__main__":
    unittest.main()
