"""The activation functions torch exposes at the top level: selu, celu, rrelu, hardshrink,
threshold (and their in-place forms). nn.functional builds on the same nodes."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._pointwise import inplace, not_implemented
from ember._ops._registry import Op, apply
from ember._tensor import _wrap

__all__ = ["selu", "celu", "rrelu", "hardshrink", "threshold", "selu_", "celu_", "rrelu_",
           "threshold_"]
FUNCTIONS_ONLY = frozenset({"selu", "celu", "rrelu", "threshold", "selu_", "celu_",
                            "rrelu_", "threshold_"})
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _where(cond, a, b):
    from ember._ops.where import where
    return where(cond, a, b)


_C_INTS = {D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int",
           D.int64: "int64_t"}


def _check_fits(value, dt):
    info = D.iinfo(dt)
    if not info.min <= value <= info.max:
        raise RuntimeError(f"value cannot be converted to type {_C_INTS[dt]} without overflow")


def _floating(be, x, kernel):
    dt = be.dtype_of(x)
    if dt.category != D.FLOAT:
        raise not_implemented(kernel, dt)


class EluBackward0(Op):
    """scale * x above 0, alpha * scale * (exp(input_scale * x) - 1) at or below."""

    save_inputs = (0,)

    def forward(self, be, x, *, alpha, scale, input_scale):
        _floating(be, x, "elu_cpu")
        self.params = (alpha, scale, input_scale)
        return be.pointwise("elu", x, alpha=alpha, scale=scale, input_scale=input_scale)

    def backward(self, g):
        (x,) = self.saved
        alpha, scale, input_scale = self.params
        below = g * (input_scale * alpha * scale) * (x * input_scale).exp()
        return _where(x > 0, g * scale, below)


class EluBackward1(EluBackward0):
    """In place: the derivative is taken from the result."""

    save_inputs = ()
    save_outputs = (0,)

    def backward(self, g):
        (y,) = self.saved
        alpha, scale, input_scale = self.params
        return _where(y > 0, g * scale, g * input_scale * (y + alpha * scale))


class CeluBackward0(EluBackward0):
    pass


class CeluBackward1(EluBackward1):
    pass


class RreluWithNoiseBackward0(Op):
    """Randomized leaky ReLU: in training each element at or below 0 gets its own slope
    drawn from U(lower, upper) (the noise); in evaluation the slope is (lower + upper) / 2."""

    save_inputs = (0,)

    def forward(self, be, x, *, lower, upper, engine):
        _floating(be, x, "leaky_relu_cpu")
        self.slope, self.noise = (lower + upper) / 2, None
        if engine is None:
            return be.pointwise("leaky_relu", x, slope=self.slope)
        if be.dtype_of(x) is D.float16:
            raise not_implemented("rrelu_with_noise_out_cpu", D.float16)
        out, noise = be.rrelu_with_noise(engine, x, lower, upper)
        if upper - lower > 1e-6:            # torch's test for a real draw
            self.noise = _wrap(noise, be.dtype_of(noise), be)
        return out

    def backward(self, g):
        if self.noise is not None:
            return g * self.noise
        (x,) = self.saved
        return _where(x > 0, g, g * self.slope)


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    save_inputs = ()
    save_outputs = (0,)


class HardshrinkBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, lambd):
        _floating(be, x, "hardshrink_cpu")
        self.lambd = lambd
        return be.pointwise("hardshrink", x, lambd=lambd)

    def backward(self, g):
        (x,) = self.saved
        return _where((x >= -self.lambd) & (x <= self.lambd), 0.0, g)


class ThresholdBackward0(Op):
    save_inputs = (0,)

    def forward(self, be, x, *, threshold, value):
        dt = be.dtype_of(x)
        if dt is D.bool or dt.is_complex:
            raise not_implemented("threshold_cpu", dt)
        if dt.category == D.INT:
            _check_fits(value, dt)
        self.threshold = threshold
        return be.pointwise("threshold", x, threshold=threshold, value=value)

    def backward(self, g):
        (x,) = self.saved
        return _where(x <= self.threshold, 0.0, g)


class ThresholdBackward1(ThresholdBackward0):
    """In place: the input is overwritten, so the mask of replaced elements is kept."""

    save_inputs = ()

    def forward(self, be, x, *, threshold, value):
        self.replaced = _wrap(be.xp.asarray(be.xp.less_equal(x, threshold)), D.bool, be)
        return super().forward(be, x, threshold=threshold, value=value)

    def backward(self, g):
        return _where(self.replaced, 0.0, g)


def selu(input):
    """scale * elu(input, alpha) with the self-normalizing constants."""
    return apply(EluBackward0, (input,), alpha=SELU_ALPHA, scale=SELU_SCALE, input_scale=1.0)


def selu_(input):
    return inplace(EluBackward1, (input,), alpha=SELU_ALPHA, scale=SELU_SCALE,
                         input_scale=1.0)


def celu(input, alpha=1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return apply(CeluBackward0, (input,), alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha=1.0):
    return inplace(CeluBackward1, (input,), alpha=alpha, scale=1.0,
                         input_scale=1.0 / alpha)


def _rrelu_engine(input, training, generator):
    if not training:
        return None
    from ember._random import engine_for
    return engine_for(generator, input._be, "rrelu")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """Randomized leaky ReLU: slopes drawn from U(lower, upper) per element in training
    (from torch's CPU stream), the mean slope (lower + upper) / 2 in evaluation."""
    return apply(RreluWithNoiseBackward0, (input,), lower=lower, upper=upper,
                 engine=_rrelu_engine(input, training, generator))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return inplace(RreluWithNoiseBackward1, (input,), lower=lower, upper=upper,
                   engine=_rrelu_engine(input, training, generator))


def hardshrink(input, lambd=0.5):
    """input where |input| > lambd, else 0."""
    return apply(HardshrinkBackward0, (input,), lambd=lambd)


def threshold(input, threshold, value):
    """`value` where input <= threshold, else input."""
    return apply(ThresholdBackward0, (input,), threshold=threshold, value=value)


def threshold_(input, threshold, value):
    return inplace(ThresholdBackward1, (input,), threshold=threshold, value=value)
