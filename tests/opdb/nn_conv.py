"""Op table entries for the convolution family: conv1d/2d/3d and their transposes (stride,
padding, dilation, groups, output_padding, 'same'/'valid'), conv_tbc, F.unfold / F.fold,
F.pad in its four modes, constant_pad_nd and the pixel / channel shuffles."""
from __future__ import annotations

from opdb import ALL, FLOATS, OpInfo, Sample, values

OPS: list[OpInfo] = []
_CONV_DTYPES = FLOATS + ("float16", "bfloat16", "int64")
# torch's bfloat16 transposed convs round every partial sum to bfloat16; ember's round once
_CONV_T_DTYPES = FLOATS + ("float16", "int64")


def _f(name, **fixed):
    """``lib.nn.functional.<name>(*args, **fixed, **kwargs)``."""
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **fixed, **kwargs)
    call.__name__ = name
    return call


def _v(dtype, rng, *shape):
    return values(dtype, shape, rng, -2.0, 2.0)


def _conv_samples(nd, transposed=False):
    """(input, weight[, bias]) samples with the option combinations that matter."""
    def make(dtype, rng):
        def s(*sp):
            return sp[:nd] if len(sp) >= nd else sp + sp[-1:] * (nd - len(sp))
        cin, cout = 4, 6
        wshape = (cin, cout // 2) if transposed else (cout, cin // 2)
        x = _v(dtype, rng, 2, cin, *s(5, 4, 3))
        w2 = _v(dtype, rng, *wshape, *s(3, 2, 2))
        w1 = _v(dtype, rng, *(wshape[0], wshape[1] * 2), *s(2, 3, 2))
        b = _v(dtype, rng, cout)
        out = [Sample((x, w1, b)), Sample((x, w1), {"stride": 2, "padding": 1}),
               Sample((x, w2, b), {"groups": 2, "dilation": s(2, 1, 1)}),
               Sample((x[0], w1, b), {"stride": s(1, 2, 1)})]
        if transposed:
            out.append(Sample((x, w2, b), {"stride": 2, "padding": 1, "output_padding": 1,
                                           "groups": 2}))
        else:
            out += [Sample((x, w1, b), {"padding": "same"}),
                    Sample((x, w2), {"padding": "same", "dilation": 2, "groups": 2}),
                    Sample((x, w1), {"padding": "valid"})]
        return out
    return make


for _nd in (1, 2, 3):
    OPS.append(OpInfo(f"conv{_nd}d", _f(f"conv{_nd}d"), _conv_samples(_nd),
                      dtypes=_CONV_DTYPES, rtol=1e-4, atol=1e-5, low_rtol=3e-2))
    OPS.append(OpInfo(f"conv_transpose{_nd}d", _f(f"conv_transpose{_nd}d"),
                      _conv_samples(_nd, True), dtypes=_CONV_T_DTYPES, rtol=1e-4, atol=1e-5,
                      low_rtol=3e-2))


def _conv_tbc_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 6, 2, 3), _v(dtype, rng, 3, 3, 4), _v(dtype, rng, 4))),
            Sample((_v(dtype, rng, 5, 3, 2), _v(dtype, rng, 2, 2, 3), _v(dtype, rng, 3)),
                   {"pad": 1})]


def _unfold_samples(dtype, rng):
    x = _v(dtype, rng, 2, 3, 5, 6)
    return [Sample((x, 2)), Sample((x, (2, 3)), {"dilation": (2, 1), "padding": 1,
                                                   "stride": (1, 2)}),
            Sample((x[0], 3), {"stride": 2})]


def _fold_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 12, 12), (4, 5), 2)),
            Sample((_v(dtype, rng, 3 * 6, 6), (5, 4), (2, 3)), {"padding": 1, "stride": 2}),
            Sample((_v(dtype, rng, 1, 8, 4), 4, 2), {"dilation": 2})]


OPS += [
    OpInfo("conv_tbc", lambda lib, *a, **k: lib.conv_tbc(*a, **k), _conv_tbc_samples,
           dtypes=FLOATS, rtol=1e-4, atol=1e-5),
    OpInfo("F.unfold", _f("unfold"), _unfold_samples, dtypes=FLOATS + ("float16", "bool")),
    OpInfo("F.fold", _f("fold"), _fold_samples, dtypes=FLOATS + ("float16",), rtol=1e-4),
]


def _pad_samples(mode):
    def make(dtype, rng):
        x3, x4, x5 = _v(dtype, rng, 2, 3, 5), _v(dtype, rng, 2, 3, 4, 5), \
            _v(dtype, rng, 1, 2, 3, 4, 3)
        out = [Sample((x3, (2, 1))), Sample((x3[0], (1, 3))), Sample((x4, (1, 2, 3, 0))),
               Sample((x4, (-1, 2, 1, -2))), Sample((x5, (1, 0, 2, 1, 1, 2))),
               Sample((x4[0], (2, 2, 0, 1)))]
        if mode == "constant":
            out += [Sample((x4, (1, 1)), {"value": 1.5}), Sample((x5, (2, -1, 0, 0, 1, 1, 1, 0))),
                    Sample((x3, (-1, -2)))]
        return out
    return make


for _mode, _dtypes in (("constant", ALL), ("reflect", FLOATS + ("int64", "complex64")),
                       ("replicate", FLOATS + ("float16",)), ("circular", FLOATS + ("bool",))):
    OPS.append(OpInfo(f"F.pad_{_mode}", _f("pad", mode=_mode), _pad_samples(_mode),
                      dtypes=_dtypes))


def _shuffle_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 8, 3, 2), 2)), Sample((_v(dtype, rng, 9, 2, 2), 3)),
            Sample((_v(dtype, rng, 2, 1, 4, 2, 3), 1))]


def _unshuffle_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 2, 4, 6), 2)), Sample((_v(dtype, rng, 1, 6, 3), 3))]


def _channel_samples(dtype, rng):
    return [Sample((_v(dtype, rng, 2, 6, 3), 3)), Sample((_v(dtype, rng, 1, 4, 2, 3, 2), 2)),
            Sample((_v(dtype, rng, 2, 6, 2), 1))]


OPS += [
    OpInfo("constant_pad_nd", lambda lib, *a: lib.constant_pad_nd(*a),
           lambda d, r: [Sample((_v(d, r, 2, 3, 4), (1, -1, 2, 0), 2)),
                         Sample((_v(d, r, 3, 4), (0, 2)))], dtypes=ALL),
    OpInfo("pixel_shuffle", lambda lib, *a: lib.pixel_shuffle(*a), _shuffle_samples,
           dtypes=ALL),
    OpInfo("pixel_unshuffle", lambda lib, *a: lib.pixel_unshuffle(*a), _unshuffle_samples,
           dtypes=ALL),
    OpInfo("channel_shuffle", lambda lib, *a: lib.channel_shuffle(*a), _channel_samples,
           dtypes=ALL),
    OpInfo("native_channel_shuffle", lambda lib, *a: lib.native_channel_shuffle(*a),
           _channel_samples, dtypes=FLOATS, grad=False, gradgrad=False),
]
