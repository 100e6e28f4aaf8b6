#!/usr/bin/python3
"""Tests of scripts/train/unroll_reuse.py: the committed conventional twin weights/qrcnn_conv is
what the script makes of weights/qrcnn (so a retrained qrcnn cannot leave a stale twin), and a
network without weight reuse is refused."""
import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(HERE, "unroll_reuse.py")


class UnrollReuseTest(unittest.TestCase):
    def test_committed_twin_is_reproduced(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "twin")
            # Same relative arguments as the documented command (the manifest records them).
            r = subprocess.run(["/usr/bin/python3", SCRIPT, "weights/qrcnn", "weights/qrcnn_conv", "--arch",
                                "qrcnn_conv"], cwd=REPO, capture_output=True, text=True,
                               env=dict(os.environ, UNROLL_REUSE_OUT=out))
            self.assertEqual(r.returncode, 0, r.stderr)
            for name in ("model.json", "vectors.json", "manifest.json"):
                with open(os.path.join(out, name)) as f, open(os.path.join(REPO, "weights", "qrcnn_conv", name)) as g:
                    self.assertEqual(f.read(), g.read(), f"weights/qrcnn_conv/{name} is stale: rerun the script")
            with open(os.path.join(out, "model.json")) as f:
                m = json.load(f)
            convs = [l["weight"] for l in m["layers"] if l["type"] == "conv1d"]
            self.assertEqual(len(convs), 5)
            self.assertEqual(len(set(convs)), 5)  # every conv layer has its own weights
            self.assertEqual(m["tensors"]["rconv_w_l12"], m["tensors"]["rconv_w"])

    def test_network_without_reuse_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(["/usr/bin/python3", SCRIPT, os.path.join(REPO, "weights", "qrcnn_conv"),
                                os.path.join(d, "x"), "--arch", "x"], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no layer reuses a weight tensor", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "x")))


if __name__ == "__main__":
    unittest.main()
