"""repr/str of tensors, character for character as torch prints them; set_printoptions."""
from __future__ import annotations

import contextlib
import dataclasses
import math

from ember import _dtype as D

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print: digits, summarisation threshold, edge items, line width,
    scientific notation (None = automatic), or a named profile."""
    if profile is not None:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides one width and notation for all the values of a tensor."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            for v in values:
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        vals = [v for v in values if v != 0 and math.isfinite(v)]
        if not vals:
            return
        mags = [abs(v) for v in vals]
        lo, hi = min(mags), max(mags)
        self.int_mode = all(v == math.ceil(v) for v in vals)
        auto = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        self.sci_mode = auto if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        if self.sci_mode:
            strs = [f"{v:.{p}e}" for v in vals]
            self.max_width = max(self.max_width, max(map(len, strs)))
        elif self.int_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.0f}") + 1 for v in vals))
        else:
            self.max_width = max(self.max_width, max(len(f"{v:.{p}f}") for v in vals))

    def width(self):
        return self.max_width

    def format(self, v):
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                s = f"{v:{self.max_width}.{p}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = f"{v:.{p}f}"
        else:
            s = f"{v}"
        return (self.max_width - len(s)) * " " + s


class _Pair:
    """Formats complex values with a formatter for each part."""

    def __init__(self, real, imag):
        self.real, self.imag = real, imag

    def width(self):
        return self.real.width() + self.imag.width() + 1

    def format(self, v):
        re = self.real.format(v.real)
        im = (self.imag.format(v.imag) + "j").lstrip()
        return re + im if im[0] in "+-" else re + "+" + im


def _summary_values(t, summarize, edge):
    """The flat values a formatter must see (only the printed ones when summarising)."""
    if t._arr.ndim == 0:
        return [t.item()]
    n = t._arr.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + list(range(n - edge, n))
    else:
        rows = range(n)
    if t._arr.ndim == 1:
        vals = t.tolist()
        return [vals[i] for i in rows]
    return [v for i in rows for v in _summary_values(t.select(0, i), summarize, edge)]


def _vector_str(t, indent, summarize, fmt):
    edge = PRINT_OPTS.edgeitems
    element_length = fmt.width() + 2
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    vals = t.tolist()
    if summarize and not edge:
        data = ["..."]
    elif summarize and len(vals) > 2 * edge:
        data = [fmt.format(v) for v in vals[:edge]] + [" ..."] + \
            [fmt.format(v) for v in vals[-edge:]]
    else:
        data = [fmt.format(v) for v in vals]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with(t, indent, summarize, fmt):
    dim = t._arr.ndim
    if dim == 0:
        return fmt.format(t.item())
    if dim == 1:
        return _vector_str(t, indent, summarize, fmt)
    edge = PRINT_OPTS.edgeitems
    n = t._arr.shape[0]
    if summarize and n > 2 * edge:
        slices = [_tensor_str_with(t.select(0, i), indent + 1, summarize, fmt)
                  for i in range(edge)] + ["..."] + \
                 [_tensor_str_with(t.select(0, i), indent + 1, summarize, fmt)
                  for i in range(n - edge, n)]
    else:
        slices = [_tensor_str_with(t.select(0, i), indent + 1, summarize, fmt)
                  for i in range(n)]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(t, indent):
    if t._arr.size == 0:
        return "[]"
    summarize = t._arr.size > PRINT_OPTS.threshold
    values = _summary_values(t, summarize, PRINT_OPTS.edgeitems)
    if t.dtype.is_complex:
        fmt = _Pair(_Formatter([v.real for v in values], True),
                    _Formatter([v.imag for v in values], True))
    else:
        fmt = _Formatter(values, t.dtype.is_floating_point)
    return _tensor_str_with(t, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(inp, *, tensor_contents=None):
    """torch's tensor repr: contents, then device/size/dtype/grad suffixes as needed."""
    from ember._tensor import Tensor
    from ember.autograd.grad_mode import no_grad
    plain = type(inp) is Tensor or type(inp).__name__ == "Parameter"
    prefix = "tensor(" if plain else f"{type(inp).__name__}("
    indent = len(prefix)
    suffixes = []
    with no_grad():
        self = inp.detach()
        if self.device.type != "cpu":
            suffixes.append(f"device='{self.device}'")
        default = (D.get_default_dtype(), D.default_complex_dtype(), D.int64, D.bool)
        has_default_dtype = self.dtype in default
        if self._arr.size == 0:
            if self._arr.ndim != 1:
                suffixes.append(f"size={tuple(self._arr.shape)}")
            if self.dtype is not D.get_default_dtype():
                suffixes.append(f"dtype={self.dtype!r}")
            text = "[]" if tensor_contents is None else tensor_contents
        else:
            if not PRINT_OPTS.edgeitems:
                suffixes.append(f"size={tuple(self._arr.shape)}")
            if not has_default_dtype:
                suffixes.append(f"dtype={self.dtype!r}")
            text = _tensor_str(self, indent) if tensor_contents is None else tensor_contents
    fn = inp.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif inp.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + text, suffixes, indent)
