"""Complex numbers from and to their parts: angle, polar, complex (real / imag, conj and
view_as_real live with the views and unary ops)."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._elementwise import _with_out
from ember._ops._pointwise import Pointwise, not_implemented, unary
from ember._ops._registry import Op, apply
from ember._tensor import Tensor

__all__ = ["angle", "polar", "complex"]
FUNCTIONS_ONLY = frozenset({"polar", "complex"})


class AngleBackward0(Pointwise):
    """The argument of each element in radians: atan2(imag, real) for complex input, pi for
    negative reals and 0 otherwise (real output)."""

    kernel = "angle"
    save_inputs = (0,)

    def backward(self, g):
        from ember._ops.creation import zeros_like
        from ember._ops.where import where
        (x,) = self.saved
        if not x.dtype.is_complex:
            return zeros_like(x)
        return where(x == 0, 0.0, g * x / (x.abs() * x.abs()) * 1j)


class PolarBackward0(Op):
    save_outputs = (0,)

    def forward(self, be, magnitude, angle):
        return be.polar(magnitude, angle)

    def backward(self, g):
        (z,) = self.saved
        gc = g.conj()
        need_abs, need_angle = self.needs_input_grad
        return ((gc * z.sgn()).real if need_abs else None,
                (gc * (z * 1j)).real if need_angle else None)


class ComplexBackward0(Op):
    def forward(self, be, real, imag):
        return be.complex(real, imag)

    def backward(self, g):
        need_re, need_im = self.needs_input_grad
        return (g.real if need_re else None), (g.imag if need_im else None)


_PARTS = (D.float16, D.float32, D.float64)


def _check_parts(name, args, a, b):
    for arg, position, v in ((args[0], 1, a), (args[1], 2, b)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be "
                            f"Tensor, not {type(v).__name__}")
    if a.dtype not in _PARTS or b.dtype not in _PARTS:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D.type_name(a.dtype)} and {D.type_name(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {D.type_name(a.dtype)} but got "
                           f"scalar type {D.type_name(b.dtype)} for second argument")
    if a.dtype is D.float16:
        if name == "polar":
            raise not_implemented("polar_cpu", a.dtype)
        raise NotImplementedError("torch.complex on float16 parts gives a complex32 "
                                  "(ComplexHalf) tensor, which ember does not have")


def polar(abs, angle, *, out=None):
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    _check_parts("polar", ("abs", "angle"), abs, angle)
    return _with_out(apply(PolarBackward0, (abs, angle)), out)


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i imag`` (float32 parts give complex64, float64 parts
    complex128).

    Differences from PyTorch: float16 parts raise NotImplementedError (ember has no
    complex32)."""
    _check_parts("complex", ("real", "imag"), real, imag)
    return _with_out(apply(ComplexBackward0, (real, imag)), out)


angle = unary(AngleBackward0, "angle")[0]
