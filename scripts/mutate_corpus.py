#!/usr/bin/python3
"""Seeded mutation test of ecg_sim's record reader (issue 13).

Makes N random mutations of MIT-BIH records (headers, annotation files, signal files, and
files swapped for directories, FIFOs, links to devices or huge sparse files), each in its
own temporary copy, and runs `ecg_sim inspect` and a short golden-mode run on each. Counts:

  exit3      exit code 3 (internal error) or a crash (killed by a signal)
  hang       no exit within --timeout seconds
  ok_invalid exit 0 although the mutation is known to be invalid (a checksum of a signal
             the command uses fails, or a header value is out of its valid range)
  bad_msg    exit 2 whose stderr is not exactly one line naming a file of the record
and prints one JSON summary line (and writes --out). Exit status 1 when any count is not 0.

    /usr/bin/python3 scripts/mutate_corpus.py --bin build/sim/ecg_sim --data ../shared/mitdb -n 500

`--fuzz-seeds DIR` instead writes the libFuzzer seed corpus (tests/fuzz/corpus) and exits.
"""
import argparse
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile

import numpy as np

HOSTILE_NUMBERS = ["0", "-1", "nan", "inf", "-inf", "1e-300", "1e309", "99999999999", "4294967297", "2147483648",
                   "9223372036854775808", "abc", "12x", "\xff", "1e9", "-2147483649", "0x10", "1,5"]
# Header fields of a signal line: (index, name, values that make the header invalid).
SIGNAL_FIELDS = {2: "gain", 3: "adc_resolution", 4: "adc_zero", 5: "initial_value", 6: "checksum", 7: "block_size"}


def decode_212(raw, n):
    """The first n samples of a 212 stream (numpy), for the checksum oracle."""
    b = np.frombuffer(raw[: (n + 1) // 2 * 3], dtype=np.uint8).astype(np.int32).reshape(-1, 3)
    s0 = b[:, 0] | ((b[:, 1] & 0x0F) << 8)
    s1 = b[:, 2] | ((b[:, 1] & 0xF0) << 4)
    out = np.empty(2 * len(b), dtype=np.int32)
    out[0::2], out[1::2] = s0, s1
    out = np.where(out >= 2048, out - 4096, out)
    return out[:n]


def checksums_ok(header_text, dat_bytes):
    """Per-signal checksum status of an MIT-BIH record (2 signals, format 212, one file)."""
    lines = [l for l in header_text.splitlines() if l.strip() and not l.startswith("#")]
    n = int(lines[0].split()[3])
    x = decode_212(dat_bytes, 2 * n)
    if len(x) < 2 * n:
        return [False, False]
    return [((int(x[s::2].sum()) - int(lines[1 + s].split()[6])) & 0xFFFF) == 0 for s in range(2)]


def ann_walk(raw):
    """(byte offset, time) of each annotation word of an MIT annotation file; stops at EOF."""
    p, t, out = 0, 0, []
    while p + 1 < len(raw):
        w = raw[p] | (raw[p + 1] << 8)
        code, arg = w >> 10, w & 0x3FF
        if code == 0 and arg == 0:
            break
        if code == 59:
            v = (raw[p + 2] | raw[p + 3] << 8) << 16 | (raw[p + 4] | raw[p + 5] << 8)
            t += v - (1 << 32) if v >= 1 << 31 else v
            p += 6
            continue
        if code == 63:
            p += 2 + arg + (arg & 1)
            continue
        if code < 59:
            t += arg
        out.append((p, t))
        p += 2
    return out


class Mutator:
    """One mutation of a copy of a record. Sets .what (a label) and .invalid (True when the
    result must not be accepted, None when it may be valid: a reader cannot know)."""

    def __init__(self, rng, data, rec, case_dir):
        self.rng, self.rec, self.dir = rng, rec, case_dir
        for ext in ("hea", "dat", "atr"):
            shutil.copyfile(os.path.join(data, f"{rec}.{ext}"), self.path(ext))
        self.what, self.invalid = "", None

    def path(self, ext):
        return os.path.join(self.dir, f"{self.rec}.{ext}")

    def read(self, ext):
        with open(self.path(ext), "rb") as f:
            return f.read()

    def write(self, ext, data):
        with open(self.path(ext), "wb") as f:
            f.write(data)

    def mutate(self):
        kind = self.rng.choices(["header", "annotation", "signal", "special"], weights=[45, 25, 22, 8])[0]
        getattr(self, kind)()
        return self

    # --- headers --------------------------------------------------------------------------
    def header(self):
        r = self.rng
        text = self.read("hea").decode("latin-1")
        lines = text.split("\n")
        op = r.choice(["record_field", "signal_field", "format", "bytes", "lines", "filename", "lead", "comment", "truncate"])
        self.what = "header:" + op
        if op == "record_field":
            f = lines[0].split(" ")
            i = r.choice([0, 1, 2, 3])
            v = r.choice(HOSTILE_NUMBERS + ["500", "360", "128", "3", "1", str(r.randint(0, 10**7))])
            valid = {0: v == self.rec, 1: v == "2", 2: v in ("500", "360", "128", "3", "1"), 3: v == "650000"}[i]
            if i == 2 and v.replace(".", "").isdigit() and 1e-3 <= float(v) <= 1e6:
                valid = True  # another sampling frequency: valid, results may change
            f[i] = v
            lines[0] = " ".join(f)
            self.invalid = None if valid else True
            if i == 3 and v.isdigit() and int(v) < 650000:
                self.invalid = None  # fewer samples than the file holds: checksums decide
            self.what += f":{['name', 'n_signals', 'fs', 'n_samples'][i]}={v!r}"
        elif op == "signal_field":
            s = r.choice([1, 2])
            f = lines[s].split(" ")
            i = r.choice(list(SIGNAL_FIELDS))
            v = r.choice(HOSTILE_NUMBERS + ["100", "12", "1000", str(r.randint(-5000, 5000))])
            name = SIGNAL_FIELDS[i]
            f[i] = v
            lines[s] = " ".join(f)
            self.what += f":{name}[{s - 1}]={v!r}"
            if name == "gain":
                try:
                    g = float(v)
                    self.invalid = not (1e-9 <= g <= 1e12) if g == g else True
                    if not self.invalid:
                        self.invalid = None  # another gain: valid, results may change
                except ValueError:
                    self.invalid = True
            elif name == "checksum":
                # The data no longer sums to it: inspect must say so; a run only minds the
                # signal it uses (channel 0 in these records).
                self.invalid = "checksum"
                self.checksums = [s != 1, s != 2]
            else:
                ok_int = v.lstrip("-").isdigit() and -2**31 <= int(v) < 2**31
                if name in ("adc_resolution",):
                    ok_int = ok_int and 0 <= int(v) <= 64
                if name == "block_size":
                    ok_int = ok_int and int(v) >= 0
                self.invalid = None if ok_int else True
        elif op == "format":
            s = r.choice([1, 2])
            f = lines[s].split(" ")
            v = r.choice(["16", "80", "310", "311", "212x2", "212:3", "212+3", "212x4294967297", "212x99999999",
                          "212:-1", "8", "0", "212+999999999", "16x0"])
            f[1] = v
            lines[s] = " ".join(f)
            self.what += f":{v}"
            # Another format or layout makes the data sum differently (a checksum mismatch),
            # or is itself invalid; skew/offset keep the header valid but shift the data.
            self.invalid = True if v not in ("212:3",) else None
            if v == "212:3":
                self.invalid = None
        elif op == "bytes":
            raw = bytearray(text.encode("latin-1"))
            for _ in range(r.randint(1, 4)):
                pos = r.randrange(len(raw) + 1)
                raw[pos:pos] = bytes(r.choice([0, 1, 7, 8, 0x1B, 0x7F, 0x80, 0x9B, 0xC0, 0xE2, 0xFF, 0x0A, 0x0D, 0x20,
                                               ord("/"), ord("("), ord("x"), ord(":"), ord("+"), ord("-"), ord("9")])
                                     for _ in range(r.randint(1, 3)))
            self.write("hea", bytes(raw))
            self.what += f":{r.random():.0f}"
            return
        elif op == "lines":
            i = r.randrange(len(lines))
            choice = r.choice(["drop", "dup", "swap"])
            if choice == "drop":
                del lines[i]
            elif choice == "dup":
                lines.insert(i, lines[i])
            else:
                j = r.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            self.what += ":" + choice
            self.invalid = None  # e.g. swapping two comments is harmless
        elif op == "filename":
            s = r.choice([1, 2])
            f = lines[s].split(" ")
            v = r.choice(["../x/100.dat", "../../etc/passwd", "/etc/passwd", "/dev/zero", ".", "..", "x\x1b[31m.dat",
                          "missing.dat", "100.hea", f"{self.rec}.atr", "a" * 300])
            f[0] = v
            lines[s] = " ".join(f)
            self.what += f":{v[:20]!r}"
            self.invalid = True
        elif op == "lead":
            v = r.choice(["II", "MLI", "mlii", "\xff\xfe", "ML\x1bII", "V5"])
            lines[1] = lines[1].rsplit(" ", 1)[0] + " " + v
            self.what += f":{v!r}"
            # inspect does not need MLII; a run does (records 102 and 104 use channel 0 anyway)
            self.invalid = {"inspect": None, "run": True if self.rec not in ("102", "104") else None}
        elif op == "comment":
            lines.append("# " + "".join(chr(r.randrange(256)) for _ in range(r.randint(1, 40))))
            self.invalid = None  # comments are free text
        elif op == "truncate":
            cut = r.randrange(len(text))
            lines = text[:cut].split("\n")
            self.what += f":{cut}"
            self.invalid = None
        self.write("hea", "\n".join(lines).encode("latin-1"))

    # --- annotations ------------------------------------------------------------------------
    def annotation(self):
        r = self.rng
        raw = bytearray(self.read("atr"))
        op = r.choice(["flip", "truncate", "aux", "garbage", "empty", "skip"])
        self.what = "annotation:" + op
        if op == "flip":
            for _ in range(r.randint(1, 8)):
                raw[r.randrange(len(raw))] ^= 1 << r.randrange(8)
        elif op == "truncate":
            raw = raw[: r.randrange(len(raw) - 2)]
            self.invalid = True  # no end-of-file marker any more
        elif op == "aux":
            words = ann_walk(raw)
            p, _ = r.choice(words)
            s = bytes(r.randrange(256) for _ in range(r.randint(1, 30)))
            ins = bytes([len(s) & 0xFF, (63 << 2) | (len(s) >> 8)]) + s + (b"\0" if len(s) % 2 else b"")
            raw[p + 2:p + 2] = ins  # after the annotation word at p
        elif op == "garbage":
            p = r.randrange(len(raw))
            raw[p:p] = bytes(r.randrange(256) for _ in range(r.randint(1, 64)))
        elif op == "empty":
            raw = bytearray(b"\0\0")  # valid: no annotations (no beats: the run must say so)
        elif op == "skip":
            words = ann_walk(raw)
            p, _ = r.choice(words)
            v = r.choice([-(2**31), 2**31 - 1, 700000, -1000000]) & 0xFFFFFFFF
            raw[p:p] = bytes([0, 59 << 2, (v >> 16) & 0xFF, v >> 24, v & 0xFF, (v >> 8) & 0xFF])
            self.invalid = True  # before sample 0 or past the end of the record
        self.write("atr", bytes(raw))

    # --- signals ----------------------------------------------------------------------------
    def signal(self):
        r = self.rng
        raw = bytearray(self.read("dat"))
        op = r.choice(["flip", "truncate", "append", "zero"])
        self.what = "signal:" + op
        if op == "flip":
            for _ in range(r.randint(1, 16)):
                raw[r.randrange(len(raw))] ^= 1 << r.randrange(8)
        elif op == "truncate":
            raw = raw[: r.randrange(len(raw))]
            self.invalid = True
        elif op == "append":
            raw += bytes(r.randrange(256) for _ in range(r.randint(1, 5000)))
            self.invalid = None  # WFDB reads the header's count of frames; extra bytes are ignored
        elif op == "zero":
            p = r.randrange(len(raw))
            n = r.randint(1, 100000)
            raw[p:p + n] = bytes(min(n, len(raw) - p))
        self.write("dat", bytes(raw))
        if op in ("flip", "zero"):
            ok = checksums_ok(self.read("hea").decode("latin-1"), bytes(raw))
            self.checksums = ok
            self.invalid = None if all(ok) else "checksum"

    # --- files that are not regular files, or are huge ------------------------------------------
    def special(self):
        r = self.rng
        ext = r.choice(["hea", "dat", "atr"])
        op = r.choice(["dir", "fifo", "devzero", "link_dir", "sparse", "devnull"])
        self.what = f"special:{ext}:{op}"
        p = self.path(ext)
        os.remove(p)
        if op == "dir":
            os.mkdir(p)
        elif op == "fifo":
            os.mkfifo(p)
        elif op == "devzero":
            os.symlink("/dev/zero", p)
        elif op == "devnull":
            os.symlink("/dev/null", p)
        elif op == "link_dir":
            os.symlink(self.dir, p)
        elif op == "sparse":
            with open(p, "wb") as f:
                f.truncate(3 << 30)
        self.invalid = True


def run_case(args, i):
    """One mutation, two commands; returns a list of per-command findings."""
    rng = random.Random(args.seed * 1000003 + i)
    rec = rng.choice(args.records)
    case_dir = tempfile.mkdtemp(prefix=f"mut{i}_", dir=args.tmp)
    out = []
    try:
        m = Mutator(rng, args.data, rec, case_dir).mutate()
        used_ok = None
        if getattr(m, "checksums", None) is not None:
            used_ok = m.checksums[0]  # MLII (or V5 in 102/104: channel 0 either way)
        commands = {
            "inspect": [args.bin, "inspect", "--record", rec, "--data", case_dir, "--json", os.path.join(case_dir, "i.json")],
            "run": [args.bin, "--arch", "qrcnn", "--mode", "golden", "--records", rec, "--data", case_dir,
                    "--max-beats", "50", "--json", os.path.join(case_dir, "r.json"), "-j", "1"],
        }
        for name, cmd in commands.items():
            res = {"case": i, "record": rec, "mutation": m.what, "command": name}
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=args.timeout,
                                   env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
                rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                res["finding"] = "hang"
                out.append(res)
                continue
            res["rc"] = rc
            lines = [l for l in err.split("\n") if l]
            if rc not in (0, 1, 2):
                res["finding"] = "exit3"
            elif rc == 2:
                names = (case_dir, f"{rec}.hea", f"{rec}.dat", f"{rec}.atr")
                if len(lines) != 1 or not any(n in lines[0] for n in names):
                    res["finding"] = "bad_msg"
            elif rc == 0:
                invalid = m.invalid[name] if isinstance(m.invalid, dict) else m.invalid
                if invalid == "checksum":
                    # inspect must flag any mismatch (exit 1); a run only the one it uses.
                    invalid = True if name == "inspect" else (used_ok is False)
                if invalid is True:
                    res["finding"] = "ok_invalid"
            if "finding" in res:
                res["stderr"] = err[-400:]
            res["outcome"] = "hang" if "finding" in res and res["finding"] == "hang" else rc
            out.append(res)
    finally:
        for root, dirs, files in os.walk(case_dir):
            for d in dirs:
                p = os.path.join(root, d)
                if os.path.islink(p):
                    os.remove(p)
        shutil.rmtree(case_dir, ignore_errors=True)
    return out


def write_fuzz_seeds(data, out_dir):
    """Seed corpus of the libFuzzer target (tests/fuzz/fuzz_wfdb.cpp): flag byte, then
    f.hea, f.dat, f.atr separated by '@@@@', made from the first 1000 frames of record 100."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(data, "100.dat"), "rb") as fh:
        dat = fh.read(3000)
    with open(os.path.join(data, "100.atr"), "rb") as fh:
        atr = fh.read()
    cut = next(p for p, t in ann_walk(atr) if t >= 990)
    atr_cut = atr[:cut] + b"\0\0"
    x = decode_212(dat, 2000)
    sig = [x[0::2], x[1::2]]

    def hea(fmt, count=" 1000", extra=("", ""), sums=None):
        sums = sums or [int(s.sum()) for s in sig]
        return (f"f 2 360{count}\nf.dat {fmt}{extra[0]} 200 11 1024 {sig[0][0]} {sums[0]} 0 MLII\n"
                f"f.dat {fmt}{extra[1]} 200 11 1024 {sig[1][0]} {sums[1]} 0 V5\n# seed\n")

    def pack16(v):
        return np.asarray(v, dtype="<i2").tobytes()

    inter = np.empty(2000, dtype=np.int32)
    inter[0::2], inter[1::2] = sig
    seeds = {
        "rec212": (0, hea("212"), dat, atr_cut),
        "rec212_rr4": (2, hea("212"), dat, atr_cut),
        "rec212_rhythm": (4, hea("212", count=""), dat, atr_cut),
        "rec212_v5": (6, hea("212", extra=("", ":3")), dat, atr_cut),
        "rec16": (0, hea("16"), pack16(inter), atr_cut),
        "rec16_offset": (1, hea("16", extra=("+4", "+4")), b"\x01\x02\x03\x04" + pack16(inter), atr_cut),
        "rec80": (2, hea("80", sums=[int((((s >> 4) + 128) & 0xFF).sum() - 128 * len(s)) for s in sig]),
                  bytes(((inter >> 4) + 128).astype(np.uint8)), atr_cut),
        "bad_checksum": (0, hea("212", sums=[1, 2]), dat, atr_cut),
        "bad_checksum_allowed": (1, hea("212", sums=[1, 2]), dat, atr_cut),
    }
    # 310/311: one signal of 499 samples (666 bytes), as WFDB writes them.
    v = [int(a) & 0x3FF for a in sig[0][:499]]
    for fmt in (310, 311):
        b = bytearray()
        for k in range(0, len(v), 3):
            a, bb, c = v[k], v[k + 1] if k + 1 < len(v) else 0, v[k + 2] if k + 2 < len(v) else 0
            left = len(v) - k
            words = ([(a << 1) | ((c & 0x1F) << 11), (bb << 1) | ((c >> 5) << 11)] if fmt == 310
                     else [a | ((bb & 0x3F) << 10), (bb >> 6) | (c << 4)])
            for w in words[: 1 if left == 1 else 2]:
                b += bytes([w & 0xFF, (w >> 8) & 0xFF])
        signed = [a - 1024 if a >= 512 else a for a in v]
        h = f"f 1 360\nf.dat {fmt} 200 10 0 {signed[0]} {sum(signed)} 0 MLII\n"
        seeds[f"rec{fmt}"] = (0, h, bytes(b), atr[: next(p for p, t in ann_walk(atr) if t >= 490)] + b"\0\0")
    for name, (flag, h, d, a) in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(bytes([flag]) + h.encode() + b"@@@@" + d + b"@@@@" + a)
    print(f"wrote {len(seeds)} seeds to {out_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", help="the ecg_sim binary")
    ap.add_argument("--data", required=True, help="MIT-BIH folder (read only)")
    ap.add_argument("-n", type=int, default=500, help="mutations (default 500)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--records", default="100,102,201,232")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before a command counts as a hang")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", help="write every finding and the counts as JSON here")
    ap.add_argument("--tmp", default=None, help="scratch folder (default: the system's)")
    ap.add_argument("--fuzz-seeds", metavar="DIR", help="write the fuzz seed corpus to DIR and exit")
    args = ap.parse_args()
    if args.fuzz_seeds:
        write_fuzz_seeds(args.data, args.fuzz_seeds)
        return 0
    if not args.bin:
        ap.error("--bin is required")
    args.records = args.records.split(",")
    results = []
    if args.jobs > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(args.jobs) as ex:
            for r in ex.map(lambda i: run_case(args, i), range(args.n)):
                results += r
    else:
        for i in range(args.n):
            results += run_case(args, i)
            if sys.stderr.isatty():
                print(f"\r{i + 1}/{args.n}", end="", file=sys.stderr, flush=True)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    counts = {k: sum(1 for r in results if r.get("finding") == k) for k in ("exit3", "hang", "ok_invalid", "bad_msg")}
    outcomes = {}
    for r in results:
        key = f"{r['command']}:{r['outcome']}"
        outcomes[key] = outcomes.get(key, 0) + 1
    summary = {"mutations": args.n, "runs": len(results), "seed": args.seed, "counts": counts, "outcomes": outcomes}
    findings = [r for r in results if "finding" in r]
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"summary": summary, "findings": findings}, fh, indent=1)
    for f in findings[:20]:
        print(json.dumps(f), file=sys.stderr)
    print(json.dumps(summary))
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
