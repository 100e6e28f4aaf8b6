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
