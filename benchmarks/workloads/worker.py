"""A benchmark worker: ``python -m workloads.worker ember|torch``, driven over stdin/stdout."""
from __future__ import annotations

import importlib
import json
import sys
import time

from workloads import WORKLOADS


def _timed(fn, n):
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def main(lib_name):
    lib = importlib.import_module(lib_name)
    steps = {}
    print(json.dumps({"version": lib.__version__, "threads": lib.get_num_threads(),
                      "workloads": [{"name": w.name, "budget": w.budget} for w in WORKLOADS]}),
          flush=True)
    builders = {w.name: w.build for w in WORKLOADS}
    for line in sys.stdin:
        req = json.loads(line)
        name = req["name"]
        if name not in steps:
            steps[name] = builders[name](lib)
        fn = steps[name]
        if req["op"] == "calibrate":
            fn()
            n = 1
            while _timed(fn, n) * n < 0.02 and n < 1 << 16:
                n *= 2
            reply = {"n": n}
        else:
            if req.get("threads"):
                lib.set_num_threads(req["threads"])
            reply = {"t": _timed(fn, req["n"])}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
