"""torch.linalg: decompositions, solvers, inverses, norms and matrix functions."""
from ember._ops._linalg_common import _LinAlgError as LinAlgError
from ember._ops.blas import matmul
from ember._ops.blas_products import linalg_cross as cross
from ember._ops.linalg_decomp import (cholesky_ex, eig, eigh, eigvals, eigvalsh, linalg_cholesky,
                                      linalg_qr, linalg_svd, svdvals)
from ember._ops.linalg_det import linalg_det as det
from ember._ops.linalg_det import linalg_slogdet as slogdet
from ember._ops.linalg_det import matrix_rank
from ember._ops.linalg_inverse import inv, inv_ex, lstsq, pinv, tensorinv
from ember._ops.linalg_lu import (ldl_factor, ldl_factor_ex, ldl_solve, linalg_lu, lu_factor,
                                  lu_factor_ex)
from ember._ops.linalg_norms import cond, matrix_norm, norm, vector_norm
from ember._ops.linalg_products import (diagonal, householder_product, linalg_vander,
                                        matrix_exp, matrix_power, multi_dot, vecdot)
from ember._ops.linalg_solve import linalg_lu_solve as lu_solve
from ember._ops.linalg_solve import solve, solve_ex, solve_triangular, tensorsolve

cholesky = linalg_cholesky
qr = linalg_qr
svd = linalg_svd
lu = linalg_lu
vander = linalg_vander

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor",
           "ldl_factor_ex", "ldl_solve", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "matmul", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot",
           "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd",
           "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]
