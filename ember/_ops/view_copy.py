"""The ``*_copy`` forms of the view ops (torch.t_copy, torch.expand_copy, ...) and the
``unsafe_`` splits.

A ``*_copy`` op returns a fresh contiguous tensor holding what the view would show; its
grad_fn is the view's node under torch's ``<Node>_copy`` name. ``unsafe_split`` and friends
are split without the in-place refusal on their outputs.
"""
from __future__ import annotations

from ember._ops import split as _split
from ember._ops import view as _view
from ember._ops._registry import rename_node
from ember._tensor import _wrap

__all__ = ["alias_copy", "as_strided_copy", "detach_copy", "diagonal_copy", "expand_copy",
           "permute_copy", "select_copy", "slice_copy", "split_copy", "split_with_sizes_copy",
           "squeeze_copy", "t_copy", "transpose_copy", "unbind_copy", "unfold_copy",
           "unsqueeze_copy", "view_copy", "view_as_real_copy", "view_as_complex_copy",
           "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk"]
FUNCTIONS_ONLY = frozenset(n for n in __all__ if n.endswith("_copy"))

def _materialize(view):
    be = view._be
    out = _wrap(be.xp.array(view._arr, order="C", copy=True), view.dtype, be)
    fn = view._grad_fn
    if fn is not None and view._requires_grad:
        name = type(fn).__name__
        rename_node(view, name if name.endswith("_copy") else name + "_copy")
        out._grad_fn, out._requires_grad, out._output_nr = view._grad_fn, True, view._output_nr
    return out


def _copying(view_fn, name):
    def fn(input, *args, out=None, **kwargs):
        result = view_fn(input, *args, **kwargs)
        result = tuple(_materialize(v) for v in result) if isinstance(result, tuple) \
            else _materialize(result)
        if out is not None:
            from ember._ops._registry import write_out
            return write_out(result, out)
        return result
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"A contiguous copy of what ``{view_fn.__name__}`` would view."
    return fn


alias_copy = _copying(_view.alias, "alias_copy")
as_strided_copy = _copying(_view.as_strided, "as_strided_copy")
diagonal_copy = _copying(_view.diagonal, "diagonal_copy")
expand_copy = _copying(_view.expand, "expand_copy")
permute_copy = _copying(_view.permute, "permute_copy")
select_copy = _copying(_view.select, "select_copy")
squeeze_copy = _copying(_view.squeeze, "squeeze_copy")
t_copy = _copying(_view.t, "t_copy")
transpose_copy = _copying(_view.transpose, "transpose_copy")
unfold_copy = _copying(_view.unfold, "unfold_copy")
unsqueeze_copy = _copying(_view.unsqueeze, "unsqueeze_copy")
view_copy = _copying(_view.view, "view_copy")
view_as_real_copy = _copying(_view.view_as_real, "view_as_real_copy")
view_as_complex_copy = _copying(_view.view_as_complex, "view_as_complex_copy")
split_copy = _copying(_split.split, "split_copy")
split_with_sizes_copy = _copying(_split.split_with_sizes, "split_with_sizes_copy")
unbind_copy = _copying(_split.unbind, "unbind_copy")


def slice_copy(input, dim=0, start=None, end=None, step=1, *, out=None):
    """A contiguous copy of ``input`` sliced along `dim` (SliceBackward0_copy)."""
    return _copying(_view.slice_dim, "slice_copy")(input, dim, start, end, step, out=out)


def detach_copy(input, *, out=None):
    """A contiguous copy of ``input.detach()``."""
    result = _materialize(input.detach())
    if out is not None:
        from ember._ops._registry import write_out
        return write_out(result, out)
    return result


def _unsafe(pieces, name):
    """Split pieces sharing storage but not tracked as views by autograd (torch's unsafe_
    forms): in-place writes to them are allowed and not seen by the input's graph."""
    for p in pieces:
        rename_node(p, name)
        p._multi_view = p._base = p._view_version = None
    return pieces


def unsafe_split(tensor, split_size, dim=0):
    return _unsafe(_split.split(tensor, split_size, dim), "UnsafeSplitBackward0")


def unsafe_split_with_sizes(tensor, split_sizes, dim=0):
    return _unsafe(_split.split_with_sizes(tensor, split_sizes, dim),
                   "UnsafeSplitWithSizesBackward0")


def unsafe_chunk(input, chunks, dim=0):
    return _unsafe(_split.chunk(input, chunks, dim), "UnsafeSplitBackward0")

