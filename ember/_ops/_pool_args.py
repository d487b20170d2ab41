"""Argument handling shared by the pooling ops: torch's int-list parsing, output sizes and the
shape checks, in torch's order and wording.

A pooling geometry is a tuple with one ``(size, out, kernel, stride, pad, dilation)`` entry per
pooled (trailing) dim; the backend kernels take it as is.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._errors import shape_str

WORDS = {1: "one", 2: "two", 3: "three"}
FLOAT_TYPES = (D.float16, D.bfloat16, D.float32, D.float64)


def not_implemented(kernel, dtype):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{D.type_name(dtype)}'")


def check_dtype(kernel, dtype, allowed):
    if dtype not in allowed:
        raise not_implemented(kernel, dtype)


def is_int(v):
    return hasattr(v, "__index__") and not isinstance(v, bool) and not hasattr(v, "dtype")


def int_list(fn, name, value, pos, one=False):
    """`value` (an int or a sequence of ints) as a tuple, parsed as torch's argument parser
    parses an int-list parameter; `one`: the parameter holds exactly one int."""
    if is_int(value):
        return (value.__index__(),)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, "
                        f"not {type(value).__name__}")
    for v in value:
        if not is_int(v):
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos "
                            f"{pos} with error \"type must be tuple of ints,but got "
                            f"{type(v).__name__}\"")
    if one and len(value) != 1:
        raise RuntimeError(f"{fn}() argument '{name}' should contain one int (got "
                           f"{len(value)})")
    return tuple(v.__index__() for v in value)


def expand(values, nd):
    """A one-element list repeated over `nd` dims (torch's single-int shorthand)."""
    return values * nd if len(values) == 1 else values


def _cdiv(a, b):
    """C++ integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def output_size(n, k, p, s, d, ceil_mode):
    """torch's pooling_output_shape, with its checks."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _cdiv((k - 1) * d + 1, 2):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={p}, kernel_size={k} and dilation={d}")
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _names(nd, prefix):
    letters = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}[nd]
    return [prefix + c for c in letters]


def _listing(names, values):
    return " ".join(f"{n}: {v}" for n, v in zip(names, values))


def pool_geometry(fn, x, kernel, stride, padding, dilation, ceil_mode, *, avg=False,
                  divisor=None):
    """The geometry of a 2-d or 3-d max/avg pooling after torch's argument and shape checks
    (`fn` is torch's op name, e.g. 'max_pool2d'); the pooled dims are x's last nd."""
    nd = 3 if fn.endswith("3d") else 2
    word = WORDS[nd]
    three = nd == 3 and avg
    if len(kernel) not in (1, nd):
        raise RuntimeError(f"{fn}: kernel_size must {'be' if three else 'either be'} a single "
                           f"int, or a tuple of {word} ints")
    if len(stride) not in (0, 1, nd):
        raise RuntimeError(f"{fn}: stride must {'be' if three else 'either be'} omitted, a "
                           f"single int, or a tuple of {word} ints")
    if len(padding) not in (1, nd):
        raise RuntimeError(f"{fn}: padding must {'be' if three else 'either be'} a single "
                           f"int, or a tuple of {word} ints")
    if len(dilation) not in (1, nd):
        raise RuntimeError(f"{fn}: dilation must be either a single int, or a tuple of "
                           f"{word} ints")
    kernel = expand(kernel, nd)
    stride = expand(stride, nd) if stride else kernel
    padding, dilation = expand(padding, nd), expand(dilation, nd)
    if avg and nd == 2:
        _check_divisor(divisor)
        x.size(-3)           # NOTE(torch): avg_pool2d reads the channel dim first
    elif x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected "
                           "for input")
    if avg and nd == 3:
        _check_divisor(divisor)
    sizes = x.shape[x.dim() - nd:]
    outs = tuple(output_size(*a, ceil_mode) for a in zip(sizes, kernel, padding, stride,
                                                        dilation))
    (check_pool2d if nd == 2 else check_pool3d)(fn, x, kernel, stride, padding, dilation,
                                                 outs, avg)
    return tuple(zip(sizes, outs, kernel, stride, padding, dilation))


def _check_divisor(divisor):
    if divisor == 0:
        raise RuntimeError("divisor must be not zero")


def check_pool2d(fn, x, kernel, stride, padding, dilation, outs, avg):
    """torch's pool2d_shape_check."""
    if min(kernel) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got "
                           + _listing(_names(2, "k"), kernel))
    if min(stride) <= 0:
        raise RuntimeError("stride should be greater than zero, but got "
                           + _listing(_names(2, "d"), stride))
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got "
                           + _listing(_names(2, "dilation"), dilation))
    shape = x.shape
    if not ((len(shape) == 3 and min(shape) > 0) or (len(shape) == 4 and min(shape[1:]) > 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{shape_str(shape)}")
    if any(k // 2 < p for k, p in zip(kernel, padding)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    _check_outputs(x, 2, outs)


def check_pool3d(fn, x, kernel, stride, padding, dilation, outs, avg):
    """torch's pool3d_shape_check."""
    if min(kernel) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got "
                           + _listing(_names(3, "k"), kernel))
    if min(stride) <= 0:
        raise RuntimeError("stride should be greater than zero, but got "
                           + _listing(_names(3, "d"), stride))
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got "
                           + _listing(_names(3, "dilation"), dilation))
    shape = x.shape
    name = "avg_pool3d()" if avg else "max_pool3d_with_indices_out_cpu_template()"
    for i, n in enumerate(shape):
        if n <= 0 and not (len(shape) == 5 and i == 0):
            raise RuntimeError(f"{name}: Expected input's non-batch dimensions to have positive "
                               f"length, but input has a shape of {shape_str(shape)} and "
                               f"non-batch dimension {n} has length zero!")
    sizes = shape[-3:]
    if avg and any(n < k for n, k in zip(sizes, kernel)):
        raise RuntimeError(f"input image (T: {sizes[0]} H: {sizes[1]} W: {sizes[2]}) smaller "
                           f"than kernel size (kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    if any(k // 2 < p for k, p in zip(kernel, padding)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {kernel[0]} kW: {kernel[2]} kH: {kernel[1]} padT: "
                           f"{padding[0]} padW: {padding[2]} padH: {padding[1]}")
    _check_outputs(x, 3, outs)


def _check_outputs(x, nd, outs):
    if min(outs) < 1:
        planes = x.shape[-nd - 1]
        sizes = "x".join(str(n) for n in x.shape[-nd:])
        got = "x".join(str(o) for o in outs)
        raise RuntimeError(f"Given input size: ({planes}x{sizes}). Calculated output size: "
                           f"({planes}x{got}). Output size is too small")


def pool1d_args(fn, x, kernel_size, stride, padding, dilation=1):
    """(kernel, stride, padding, dilation) of a 1-d pooling, each a 1-tuple, after torch's
    argument parsing and the dims check of the `*_with_indices` / avg_pool1d entry points."""
    kernel = int_list(fn, "kernel_size", kernel_size, 2, one=True)
    stride = int_list(fn, "stride", stride, 3, one=True) if stride not in (None, (), []) \
        else ()
    padding = int_list(fn, "padding", padding, 4, one=True)
    dilation = int_list(fn, "dilation", dilation, 5, one=True)
    if x.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {fn})")
    return kernel, stride or kernel, padding, dilation
