"""Named result tuples of multi-output ops (torch.return_types): ``values, indices = x.max(0)``
and ``x.max(0).values`` both work, and the repr is torch's."""
from __future__ import annotations

__all__ = ["structseq"]

_FIELDS = {
    "max": ("values", "indices"), "min": ("values", "indices"),
    "median": ("values", "indices"), "nanmedian": ("values", "indices"),
    "mode": ("values", "indices"), "kthvalue": ("values", "indices"),
    "sort": ("values", "indices"), "topk": ("values", "indices"),
    "cummax": ("values", "indices"), "cummin": ("values", "indices"),
    "aminmax": ("min", "max"), "frexp": ("mantissa", "exponent"),
    "histogram": ("hist", "bin_edges"), "histogramdd": ("hist", "bin_edges"),
    "qr": ("Q", "R"), "svd": ("U", "S", "V"), "slogdet": ("sign", "logabsdet"),
    "geqrf": ("a", "tau"), "triangular_solve": ("solution", "cloned_coefficient"),
    "lu_unpack": ("P", "L", "U"),
    "linalg_cholesky_ex": ("L", "info"), "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"), "linalg_inv_ex": ("inverse", "info"),
    "linalg_ldl_factor": ("LD", "pivots"), "linalg_ldl_factor_ex": ("LD", "pivots", "info"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"), "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"), "linalg_qr": ("Q", "R"),
    "linalg_slogdet": ("sign", "logabsdet"), "linalg_solve_ex": ("result", "info"),
    "linalg_svd": ("U", "S", "Vh"),
}


def structseq(name, fields):
    """A tuple subclass ``ember.return_types.<name>`` with named fields."""
    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"{name}() takes a {len(fields)}-sequence "
                            f"({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"ember.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (cls, (tuple(self),))

    namespace = {"__new__": __new__, "__repr__": __repr__, "__reduce__": __reduce__,
                 "__slots__": (), "__module__": __name__, "n_fields": len(fields),
                 "n_sequence_fields": len(fields), "n_unnamed_fields": 0}
    for i, f in enumerate(fields):
        namespace[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), namespace)
    return cls


for _name, _fields in _FIELDS.items():
    globals()[_name] = structseq(_name, _fields)
    __all__.append(_name)
