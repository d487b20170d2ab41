"""Time the same workloads under ember and real torch in one run and print the ratios.

    python benchmarks/run.py [--only SUBSTRING] [--rounds N]

Each library runs in its own worker process (so NumPy's OpenBLAS threads and torch's OpenMP
threads never compete inside one process, as they never do for a user), and the runner
alternates between them round by round: each library at 1 thread and at its default thread
count. Medians are compared; the ratio is ember's faster setting over torch's faster one
(on small machines 1 thread often wins for both: two BLAS/OpenMP threads on two busy cores
fight over them).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SETTLE = 0.15    # seconds between samples: idle BLAS/OpenMP threads stop spinning


class Worker:
    """A subprocess that builds the workloads for one library and times them on request."""

    def __init__(self, lib):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), HERE]))
        self.proc = subprocess.Popen([sys.executable, "-m", "workloads.worker", lib],
                                     cwd=HERE, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.info = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("benchmark worker died")
        return json.loads(line)

    def ask(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def _fmt(sec):
    return f"{sec * 1e6:9.2f}us" if sec < 1e-3 else f"{sec * 1e3:9.3f}ms"


def bench(name, ember_w, torch_w, rounds):
    """Medians of (ember@1, ember@default, torch@1, torch@default)."""
    n = ember_w.ask(op="calibrate", name=name)["n"]
    m = torch_w.ask(op="calibrate", name=name)["n"]
    runs = [(ember_w, 1, n), (ember_w, ember_w.info["threads"], n), (torch_w, 1, m),
            (torch_w, torch_w.info["threads"], m)]
    times = [[] for _ in runs]
    for _ in range(rounds):
        for (w, threads, count), out in zip(runs, times):
            time.sleep(SETTLE)
            out.append(w.ask(op="time", name=name, n=count, threads=threads)["t"])
    return [statistics.median(t) for t in times]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="run workloads whose name contains this")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    ember_w, torch_w = Worker("ember"), Worker("torch")
    print(f"ember {ember_w.info['version']} vs torch {torch_w.info['version']}; torch default "
          f"threads {torch_w.info['threads']}, ember BLAS threads {ember_w.info['threads']}")
    print(f"{'workload':46s} {'ember@1':>11s} {'ember@N':>11s} {'torch@1':>11s} "
          f"{'torch@N':>11s} {'ratio':>7s}  {'budget':>6s}")
    try:
        for w in ember_w.info["workloads"]:
            if args.only not in w["name"]:
                continue
            e1, ed, t1, td = bench(w["name"], ember_w, torch_w, args.rounds)
            ratio = min(e1, ed) / min(t1, td)
            budget = w["budget"]
            mark = "" if budget is None else ("  ok" if ratio <= budget else "  OVER")
            shown = "" if budget is None else f"{budget:.2f}x"
            print(f"{w['name']:46s} {_fmt(e1)} {_fmt(ed)} {_fmt(t1)} {_fmt(td)} {ratio:6.2f}x  "
                  f"{shown:>6s}{mark}", flush=True)
    finally:
        ember_w.close()
        torch_w.close()


if __name__ == "__main__":
    main()
