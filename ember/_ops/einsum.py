"""einsum: torch's algorithm (diagonals for repeated labels, operands permuted to a common
label order, then contracted left to right by `sumproduct_pair`, a bmm), so the values,
the graph and the grad_fn names follow torch's."""
from __future__ import annotations

import string

from ember import _dtype as D
from ember._ops.blas import bmm
from ember._tensor import Tensor

__all__ = ["einsum"]
FUNCTIONS_ONLY = frozenset(__all__)

_ELLIPSIS = 52
_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _subscript(label, index):
    if not label.isalpha() or not label.isascii():
        raise RuntimeError(f"einsum(): invalid subscript given at index {index} in the equation "
                           "string, subscripts must be in [a-zA-Z]")
    return _LETTERS.index(label)


def _sublist_label(n):
    if n is Ellipsis:
        return "..."
    if isinstance(n, int) and 0 <= n < 52:
        return _LETTERS[n]
    raise ValueError("einsum(): subscript in subscript list is not within the valid range "
                     "[0, 52)")


def einsum(*args):
    """Einstein summation over operands given as (equation, *operands), (equation,
    [operands]) or the sublist form (op1, sub1, op2, sub2, ..., [out])."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):
        equation = ",".join("".join(_sublist_label(s) for s in sub) for sub in args[1::2])
        if len(args) % 2 == 1:
            equation += "->" + "".join(_sublist_label(s) for s in args[-1])
            operands = args[:-1:2]
        else:
            operands = args[::2]
    else:
        equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _einsum(equation, list(operands))


def _parse_inputs(lhs, num_ops):
    op_labels = [[] for _ in range(num_ops)]
    current, ellipsis_seen, i = 0, False, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if ellipsis_seen:
                raise RuntimeError(f"einsum(): found '.' for operand {current} for which an "
                                   "ellipsis was already found")
            if lhs[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for operand {current} that is not part "
                                   "of any ellipsis")
            op_labels[current].append(_ELLIPSIS)
            ellipsis_seen, i = True, i + 2
        elif c == ",":
            current += 1
            if current >= num_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                                   "equation")
            ellipsis_seen = False
        elif c != " ":
            op_labels[current].append(_subscript(c, i))
        i += 1
    if current != num_ops - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return op_labels


def _count_labels(op_labels, operands):
    counts = [0] * 52
    ell_num_dim = 0
    for i, (labels, op) in enumerate(zip(op_labels, operands)):
        ndims = op._arr.ndim
        has_ell = _ELLIPSIS in labels
        nlabels = len(labels) - has_ell
        if has_ell:
            ell_num_dim = max(ell_num_dim, ndims - nlabels)
        for s in labels:
            if s != _ELLIPSIS:
                counts[s] += 1
        if (nlabels > ndims) if has_ell else (nlabels != ndims):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nlabels}) " +
                ("is more than the number of dimensions (" if has_ell else
                 "does not match the number of dimensions (") +
                f"{ndims}) for operand {i}" + ("" if has_ell else " and no ellipsis was given"))
    return counts, ell_num_dim


def _output_order(equation, lhs, counts, ell_num_dim):
    """(label -> position, ellipsis start, ellipsis in output, out dims, total dims)."""
    perm_index = [-1] * 52
    pos, ell_index, ell_in_out = 0, 0, False
    arrow = equation.find("->")
    if arrow < 0:
        pos, ell_in_out = ell_num_dim, True
        for s in range(52):
            if counts[s] == 1:
                perm_index[s], pos = pos, pos + 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_out:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                                       "already found")
                if rhs[i:i + 3] != "...":
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis (...)")
                ell_index, pos, ell_in_out, i = pos, pos + ell_num_dim, True, i + 2
            elif c != " ":
                s = _subscript(c, len(lhs) + 2 + i)
                if counts[s] == 0 or perm_index[s] != -1:
                    why = " appears more than once in the output" if perm_index[s] != -1 else \
                        " does not appear in the equation for any input operand"
                    raise RuntimeError(f"einsum(): output subscript {c}{why}")
                perm_index[s], pos = pos, pos + 1
            i += 1
    out_dims = pos
    if not ell_in_out:
        ell_index, pos = pos, pos + ell_num_dim
    for s in range(52):
        if counts[s] > 0 and perm_index[s] == -1:
            perm_index[s], pos = pos, pos + 1
    return perm_index, ell_index, out_dims, pos


def _align(i, op, labels, perm_index, ell_index, ell_num_dim, total, sizes, dim_counts):
    """Operand `op` with diagonals taken, missing dims added and dims in label order."""
    label_size, ell_sizes = sizes
    ndim = op._arr.ndim
    permutation = [-1] * total
    dim = 0
    for s in labels:
        if s == _ELLIPSIS:
            covered = ndim - (len(labels) - 1)
            for j in range(ell_num_dim - covered, ell_num_dim):
                size = op._arr.shape[dim]
                if size != 1:
                    if ell_sizes[j] not in (1, size):
                        raise RuntimeError(
                            f"einsum(): dimension {dim} covered by ellipsis in operand {i}has "
                            f"size {size} which does not broadcast with previously seen "
                            f"ellipsis with size {ell_sizes[j]} for the respective dimension")
                    ell_sizes[j] = size
                    dim_counts[ell_index + j] += 1
                permutation[ell_index + j], dim = dim, dim + 1
        elif permutation[perm_index[s]] == -1:
            size = op._arr.shape[dim]
            if size != 1:
                if label_size[s] not in (1, size):
                    raise RuntimeError(
                        f"einsum(): subscript {_LETTERS[s]} has size {size} for operand {i} which "
                        f"does not broadcast with previously seen size {label_size[s]}")
                label_size[s] = size
                dim_counts[perm_index[s]] += 1
            permutation[perm_index[s]], dim = dim, dim + 1
        else:                                  # repeated label: take the diagonal
            prev = permutation[perm_index[s]]
            a, b = op._arr.shape[dim], op._arr.shape[prev]
            if a != b:
                raise RuntimeError(f"einsum(): subscript {_LETTERS[s]} is repeated for operand "
                                   f"{i} but the sizes don't match, {a} != {b}")
            op = op.diagonal(0, prev, dim).movedim(-1, prev)
    for k, val in enumerate(permutation):
        if val == -1:
            op = op.unsqueeze(dim)
            permutation[k], dim = dim, dim + 1
    return op.permute(permutation)


def _einsum(equation, operands):
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_inputs(lhs, len(operands))
    counts, ell_num_dim = _count_labels(op_labels, operands)
    perm_index, ell_index, out_dims, total = _output_order(equation, lhs, counts, ell_num_dim)
    sizes = ([1] * 52, [1] * ell_num_dim)
    dim_counts = [0] * total
    ops = [_align(i, op, labels, perm_index, ell_index, ell_num_dim, total, sizes, dim_counts)
           for i, (op, labels) in enumerate(zip(operands, op_labels))]
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        del ops[:2]
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_dims, total):
            sa, sb = a._arr.shape[d], b._arr.shape[d]
            if sa != 1 and sb != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if sa != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif sb != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = a.sum(a_sum, True)
        if b_sum:
            b = b.sum(b_sum, True)
        ops.insert(0, sumproduct_pair(a, b, sum_dims))
    result = ops[0]
    if total > out_dims:
        if len(operands) > 1:
            return result.view(result._arr.shape[:out_dims])
        return result.sum(list(range(out_dims, total)))
    return result


def sumproduct_pair(left, right, sum_dims):
    """``(left * right).sum(sum_dims, keepdim=True)`` as one bmm (equal ndims given)."""
    if not sum_dims:
        return left * right
    if left.dtype is not right.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(left.dtype)} but found "
                           f"{D.type_name(right.dtype)}")
    ndim = left._arr.ndim
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(ndim):
        sl, sr = left._arr.shape[i] != 1, right._arr.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                if left._arr.shape[i] != right._arr.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left._arr.shape[i]
            elif sl:
                left = left.sum(i, True)
            elif sr:
                right = right.sum(i, True)
        elif sl and sr:
            if left._arr.shape[i] != right._arr.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left._arr.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left._arr.shape[i]
        else:
            ro.append(i)
            ro_size *= right._arr.shape[i]
    out_size = ([left._arr.shape[d] for d in lro] + [left._arr.shape[d] for d in lo] +
                [1] * len(sum_dims) + [right._arr.shape[d] for d in ro])
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [0] * len(lperm)
    for i, d in enumerate(lperm):
        operm[d] = i
    lmat = left.permute(lperm).reshape(lro_size, lo_size, sum_size)
    rmat = right.permute(rperm).reshape(lro_size, sum_size, ro_size)
    return bmm(lmat, rmat).view(out_size).permute(operm)

