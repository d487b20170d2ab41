"""torch.special: special functions (Bessel, gamma, error and related functions, orthogonal
polynomials) and the numerically careful softmax family."""
from ember._ops.explog import exp2, expm1, log1p, logit, xlogy
from ember._ops.softmax import log_softmax, logsumexp, softmax
from ember._ops.special_fns import (entr, erfcx, gammainc, gammaincc, i0e, i1, i1e,
                                    log_ndtr, ndtr, ndtri, round, xlog1py, zeta)
from ember._ops.special_ops import digamma, erf, erfc, erfinv, i0, polygamma
from ember._ops.special_ops import digamma as psi
from ember._ops.special_ops import lgamma as gammaln
from ember._ops.special_ops import mvlgamma as multigammaln
from ember._ops.special_poly import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1,
                                     chebyshev_polynomial_t, chebyshev_polynomial_u,
                                     chebyshev_polynomial_v, chebyshev_polynomial_w,
                                     hermite_polynomial_h, hermite_polynomial_he,
                                     laguerre_polynomial_l, legendre_polynomial_p,
                                     modified_bessel_i0, modified_bessel_i1,
                                     modified_bessel_k0, modified_bessel_k1,
                                     scaled_modified_bessel_k0, scaled_modified_bessel_k1,
                                     shifted_chebyshev_polynomial_t,
                                     shifted_chebyshev_polynomial_u,
                                     shifted_chebyshev_polynomial_v,
                                     shifted_chebyshev_polynomial_w, spherical_bessel_j0)
from ember._ops.trig import sinc
from ember._ops.unary import sigmoid as expit

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e",
    "i1", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr",
    "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri",
    "polygamma", "psi", "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
    "spherical_bessel_j0", "xlog1py", "xlogy", "zeta",
]
