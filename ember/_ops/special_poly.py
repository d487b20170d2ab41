"""torch.special's Bessel and Airy functions and orthogonal polynomials (public through
ember.special). torch defines no derivatives for them: their results never require grad.
float16, bfloat16 and complex inputs are refused, as torch's CPU kernels refuse them."""
from __future__ import annotations

from ember._ops._elementwise import _with_out, unary_op
from ember._ops._pointwise import COMPLEX, LOW, Pointwise, binary
from ember._tensor import Tensor

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
           "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "spherical_bessel_j0", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
           "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
           "legendre_polynomial_p"]


def _detached(x):
    return x.detach() if isinstance(x, Tensor) else x


def _unary(name):
    cls = type(name, (Pointwise,), {"kernel": name, "refuse": COMPLEX | LOW})

    def fn(input, *, out=None):
        return _with_out(unary_op(cls, input.detach()), out)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}: elementwise, not differentiable."
    return fn


def _polynomial(name):
    cls = type(name, (Pointwise,), {"kernel": name, "refuse": COMPLEX | LOW})

    def fn(input, n, *, out=None):
        return _with_out(binary(cls, _detached(input), _detached(n)), out)
    fn.__name__ = name
    fn.__doc__ = (f"torch.special.{name}(input, n): the degree-n polynomial at input (n is "
                  "truncated to an integer; negative degrees give 0). Not differentiable.")
    return fn


airy_ai = _unary("airy_ai")
bessel_j0 = _unary("bessel_j0")
bessel_j1 = _unary("bessel_j1")
bessel_y0 = _unary("bessel_y0")
bessel_y1 = _unary("bessel_y1")
modified_bessel_i0 = _unary("modified_bessel_i0")
modified_bessel_i1 = _unary("modified_bessel_i1")
modified_bessel_k0 = _unary("modified_bessel_k0")
modified_bessel_k1 = _unary("modified_bessel_k1")
scaled_modified_bessel_k0 = _unary("scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _unary("scaled_modified_bessel_k1")
spherical_bessel_j0 = _unary("spherical_bessel_j0")
chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")
