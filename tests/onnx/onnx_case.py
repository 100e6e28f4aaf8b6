"""Shared by the hand-built ONNX tests (qoperator_test.py, qonnx_binary_test.py): the input
spec they declare, and `ecg_sim import` of a model built into a work folder."""
import json
import os
import subprocess

import onnx
from onnx import TensorProto, helper


def finish_model(nodes, inits, length, opsets, name):
    """The graph [1, 1, length] -> logits [1, 5], with an aami5 beat input spec in its metadata."""
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, length])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 5])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    spec = {"task": "beat", "labels": "aami5", "lead": "MLII", "baseline": "median", "pre": 90, "post": 110,
            "length": length, "norm": "minmax", "zscore_scale": 32, "fixed_gain": 64, "bits": 8, "signed": False,
            "aux": "none"}
    m.metadata_props.add(key="ecg_sim.input", value=json.dumps(spec))
    return m


def import_model(exe, work, name, model):
    """Saves `model` as WORK/NAME.onnx, runs `ecg_sim import` into WORK/NAME; returns (model.json,
    manifest.json) as dicts."""
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    out = os.path.join(work, name)
    subprocess.run([exe, "import", path, "--out", out], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "model.json")) as f:
        net = json.load(f)
    with open(os.path.join(out, "manifest.json")) as f:
        return net, json.load(f)
