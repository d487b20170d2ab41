"""Primitives under torch.nn: bilinear's trilinear product, the weight-norm interface,
sequence packing and the identity node of module backward hooks, each one graph node named
as torch names it."""
from __future__ import annotations

from ember import _dtype as D
from ember._ops._registry import Op, apply

__all__ = ["bilinear", "norm_except_dim", "_weight_norm", "_pack_padded_sequence",
           "_pad_packed_sequence"]
FUNCTIONS_ONLY = ("bilinear", "norm_except_dim", "_weight_norm", "_pack_padded_sequence",
                  "_pad_packed_sequence")


# --- bilinear ---------------------------------------------------------------------------
class TrilinearBackward0(Op):
    """``y[n, o] = sum_ij x1[n, i] w[o, i, j] x2[n, j]`` (the core of torch.bilinear)."""

    save_inputs = (0, 1, 2)

    def forward(self, be, x1, w, x2):
        return be.xp.einsum("ni,oij,nj->no", x1, w, x2, optimize=True)

    def backward(self, g):
        x1, w, x2 = self.saved
        o, i, j = w.shape
        n = x1.shape[0]
        need_x1, need_w, need_x2 = self.needs_input_grad
        gx1 = gw = gx2 = None
        if need_x1 or need_x2:
            gw_x = g.mm(w.reshape(o, i * j)).view(n, i, j)      # sum_o g[n,o] w[o,i,j]
            if need_x1:
                gx1 = (gw_x * x2.unsqueeze(1)).sum(2)
            if need_x2:
                gx2 = (gw_x * x1.unsqueeze(2)).sum(1)
        if need_w:
            outer = (x1.unsqueeze(2) * x2.unsqueeze(1)).reshape(n, i * j)
            gw = g.t().mm(outer).view(o, i, j)
        return gx1, gw, gx2


def _check_bilinear(input1, input2, weight, bias):
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    for k, x in ((1, input1), (2, input2)):
        if x.shape[-1] != weight.shape[k]:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{x.shape[-1]} but expected {weight.shape[k]}")
    if bias is not None and bias.shape[-1] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1]} but expected {weight.shape[0]}")


def bilinear(input1, input2, weight, bias=None):
    """``x1^T W x2 + b`` over the last dims of `input1` and `input2` (torch.bilinear)."""
    _check_bilinear(input1, input2, weight, bias)
    batch = tuple(input1.shape[:-1])
    y = apply(TrilinearBackward0, (input1.reshape(-1, weight.shape[1]), weight,
                                    input2.reshape(-1, weight.shape[2])))
    y = y.view(*batch, weight.shape[0])
    return y if bias is None else y + bias


# --- weight norm ------------------------------------------------------------------------
def _other_dims(ndim, dim):
    return tuple(d for d in range(ndim) if d != dim)


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm of `v` over every dim but `dim`, keeping dims (all of them if dim=-1)."""
    if dim == -1:
        return v.norm(pow)
    last = v.dim() - 1
    if dim == 0:
        flat = v.contiguous().view(v.size(0), -1).norm(pow, 1)
        return flat.view((v.size(0),) + (1,) * last)
    if dim == last:
        flat = v.contiguous().view(-1, v.size(-1)).norm(pow, 0)
        return flat.view((1,) * last + (v.size(-1),))
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


class WeightNormInterfaceBackward0(Op):
    """``v * (g / ||v||)``, the norm taken over every dim but `dim` (0 or the last)."""

    save_inputs = (0, 1)

    def forward(self, be, v, g, *, dim):
        self.dims = _other_dims(v.ndim, dim)
        norm = be.xp.sqrt(be.xp.sum(v * v, axis=self.dims, keepdims=True))
        return v * (g / norm)

    def backward(self, grad):
        v, g = self.saved
        norm = (v * v).sum(self.dims, keepdim=True).sqrt()
        grad_g = (grad * v).sum(self.dims, keepdim=True) / norm
        grad_v = (g / norm) * (grad - v * (grad_g / norm))
        return grad_v, grad_g.reshape(g.shape)


def _weight_norm(v, g, dim=0):
    """``v * (g / norm_except_dim(v, 2, dim))``, one graph node for dim 0 or the last dim."""
    ndim = v.dim()
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                         f"{ndim - 1}], but got {dim})")
    if dim in (0, ndim - 1):
        return apply(WeightNormInterfaceBackward0, (v, g), dim=dim)
    # NOTE(torch): other dims (and -1, the whole tensor) are computed unfused
    return v * (g / norm_except_dim(v, 2, dim))


# --- sequence packing -------------------------------------------------------------------
class PackPaddedSequenceBackward0(Op):
    """Time-major gather of the valid steps of a padded batch (sorted by decreasing length)."""

    def forward(self, be, x, lengths, *, batch_first):
        xp = be.xp
        if batch_first:
            x = xp.swapaxes(x, 0, 1)
        mask = xp.arange(int(lengths[0]))[:, None] < lengths[None, :]
        self.batch_first = batch_first
        self.in_shape = x.shape
        self.flat_index = xp.flatnonzero(mask)
        return x[:mask.shape[0]][mask], mask.sum(axis=1).astype(xp.int64)

    def backward(self, g, _):
        from ember._tensor import _wrap
        steps, batch = self.in_shape[:2]
        be = g._be
        index = _wrap(self.flat_index, be.dtype_of(self.flat_index), be)
        full = g.new_zeros((steps * batch,) + tuple(g.shape[1:])).index_put((index,), g)
        full = full.view(steps, batch, *g.shape[1:])
        return (full.transpose(0, 1) if self.batch_first else full), None


def _check_lengths(input, lengths, batch_first):
    if lengths.dim() != 1 or lengths.dtype is not D.int64 or lengths.device.type != "cpu":
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D {lengths.device.type} "
                           f"{D.type_name(lengths.dtype)} tensor")
    values = lengths.tolist()
    batch = input.shape[0 if batch_first else 1]
    if len(values) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(values)} (batch_size={batch})")
    if any(a < b for a, b in zip(values, values[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    if values and values[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    steps = input.shape[1 if batch_first else 0]
    if values and values[0] > steps:
        # NOTE(torch): torch reads past the end here; ember refuses
        raise RuntimeError(f"pack_padded_sequence(): a length ({values[0]}) exceeds the "
                           f"sequence dimension of the input ({steps})")


def _pack_padded_sequence(input, lengths, batch_first):
    """(data, batch_sizes) of a padded batch whose `lengths` are sorted in decreasing order."""
    _check_lengths(input, lengths, batch_first)
    return apply(PackPaddedSequenceBackward0, (input, lengths), batch_first=batch_first)


def _pad_packed_sequence(data, batch_sizes, batch_first, padding_value, total_length):
    """(padded, lengths): the inverse of _pack_padded_sequence, padded to `total_length`."""
    from ember._ops.creation import arange
    steps = batch_sizes.shape[0]
    batch = int(batch_sizes[0]) if steps else 0
    out = data.new_full((total_length, batch) + tuple(data.shape[1:]), padding_value)
    valid = arange(batch).view(1, -1) < batch_sizes.view(-1, 1)       # (steps, batch)
    out[:steps][valid] = data
    lengths = valid.sum(0)
    return (out.transpose(0, 1) if batch_first else out), lengths


# --- module backward hooks --------------------------------------------------------------
class BackwardHookFunctionBackward(Op):
    """Identity over a module's tensor inputs or outputs: the node where nn.Module's full
    backward (pre-)hooks see the gradients of those tensors."""

    def forward(self, be, *arrays):
        return arrays

    def backward(self, *grads):
        return grads


def backward_hook_identity(tensors):
    """`tensors` passed through one BackwardHookFunctionBackward node (torch's
    BackwardHookFunction): outputs share storage and version counter with their inputs;
    those whose input needs no grad stay out of the graph but still receive zeros."""
    outs = apply(BackwardHookFunctionBackward, tuple(tensors))
    for src, out in zip(tensors, outs):
        out._root, out._offset = src._root_array(), src._offset
        out._vc = src._version_counter()
        if not src._requires_grad and out._grad_fn is not None:
            out._grad_fn = None
            out._requires_grad = False
    return outs
