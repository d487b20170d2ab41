"""``python -m ember``: version, devices, a short autograd demonstration, then the training
job (``python -m ember train [OPTIONS]`` runs only the latter: see ember.vision.train).
``python -m ember run SCRIPT [ARGS...]``: run an unmodified PyTorch script on ember."""
from __future__ import annotations

import os
import runpy
import sys


def _run(argv):
    if not argv:
        print("usage: python -m ember run SCRIPT [ARGS...]", file=sys.stderr)
        return 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"ember run: no such file: {script}", file=sys.stderr)
        return 2
    from ember import _alias
    _alias.install()
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


def _about():
    import ember
    print(f"ember {ember.__version__}")
    print(f"devices: cpu{', cuda x%d' % ember.cuda.device_count() if _has_cuda() else ''}")
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    print(f"x = {x}")
    print(f"y = (x * x).sum() = {y}")
    print(f"dy/dx = {x.grad}")
    return 0


def _has_cuda():
    import ember
    return hasattr(ember, "cuda") and ember.cuda.is_available()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "run":
        return _run(argv[1:])
    from ember.vision.train import main as train
    if argv and argv[0] == "train":
        return train(argv[1:])
    if argv:
        print(f"ember: unknown command {argv[0]!r} (try: python -m ember run SCRIPT, or train)",
              file=sys.stderr)
        return 2
    _about()
    return train([])


if __name__ == "__main__":
    sys.exit(main())
