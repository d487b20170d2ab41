"""The op protocol: `Op` (forward on backend arrays, backward in ember ops) and `apply`.

A public function calls ``apply(OpClass, inputs, **options)``. `inputs` are the operands
(Tensors or Python scalars): they are checked for a common device, promoted when the op
asks, unwrapped to arrays, and each gets an edge in the graph. `options` (dims, flags) pass
through to ``forward`` untouched. The Op instance that ran ``forward`` becomes the outputs'
``grad_fn`` when autograd records, and ``backward`` returns one gradient per input.
"""
from __future__ import annotations

from ember import _dtype as D
from ember._backend.numpy_backend import cast, cast_scalar
from ember._errors import shape_str
from ember._tensor import Tensor, _wrap
from ember.amp.autocast_mode import STATE as AUTOCAST
from ember.amp.autocast_mode import cast_inputs
from ember.autograd import anomaly_mode
from ember.autograd.grad_mode import STATE as GRAD
from ember.autograd.graph import _SEQ, Node, SavedTensor, grad_accumulator

__all__ = ["Op", "apply", "apply_inplace", "write_out", "edge", "ALL", "FLOAT"]

ALL = "all"        # promote every input to the common dtype
FLOAT = "float"    # ... and integer/bool results to the default float dtype

NO_EDGE = (None, 0)


class Op(Node):
    """A primitive op and, once recorded, its graph node.

    Class attributes: ``promote`` (None, ALL or FLOAT), ``save_inputs`` / ``save_outputs``
    (positions kept for backward, read back through ``self.saved`` in that order), and
    ``view`` (output 0 is a view sharing input 0's storage).
    """

    promote = None
    save_inputs = ()
    save_outputs = ()
    view = False
    casts_freely = False   # in-place result may be any dtype (copy_, fill_): no can_cast check
    autocast = None        # LOWER or FP32: how ember.autocast casts this op's inputs
    # {input position: positions of the inputs whose gradient needs it}; an input in
    # save_inputs is kept only if one of those requires grad (so x * 2 keeps nothing of x)
    saved_for = None

    def forward(self, be, *arrays, **options):
        raise NotImplementedError

    def backward(self, *grads):
        raise RuntimeError(f"the derivative for '{type(self).__name__}' is not implemented.")

    @property
    def saved(self):
        return self._unpack_saved()


def common_dtype(inputs, promote):
    dt = D.result_dtype(inputs)
    if promote is FLOAT and dt.category < D.FLOAT:
        dt = D.DEFAULTS.dtype
    return dt


def _device_error(a, b):
    return RuntimeError("Expected all tensors to be on the same device, but found at least two "
                        f"devices, {a.device} and {b.device}!")


def unwrap(inputs, promote):
    """(backend, arrays, compute dtype) for `inputs`, promoted as the op asks."""
    be = first = None
    for x in inputs:
        if isinstance(x, Tensor):
            if be is None:
                be, first = x._be, x
            elif x._be is not be:
                raise _device_error(first, x)
    if be is None:
        from ember._backend import CPU_BACKEND
        be = CPU_BACKEND
    if promote is None:
        return be, [x._arr if isinstance(x, Tensor) else x for x in inputs], None
    dt = common_dtype(inputs, promote)
    arrays = []
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x._arr if x.dtype is dt else cast(x._arr, dt))
        elif x is None:
            arrays.append(None)
        else:
            arrays.append(cast_scalar(x, dt))
    return be, arrays, dt


def wrap_outputs(out, be):
    if type(out) is tuple:
        return tuple(_wrap(o, be.dtype_of(o), be) for o in out)
    return _wrap(out, be.dtype_of(out), be)


def apply(cls, inputs, **options):
    """Run op `cls` on `inputs` and record it in the graph when gradients are needed."""
    if cls.autocast is not None and AUTOCAST.on:
        inputs = cast_inputs(cls.autocast, inputs)
    be, arrays, _ = unwrap(inputs, cls.promote)
    op = Op.__new__(cls)
    try:
        outs = wrap_outputs(op.forward(be, *arrays, **options), be)
    except ValueError as e:
        raise _as_broadcast_error(e, inputs) from None
    if cls.view:
        make_view(inputs[0], outs)
    if GRAD.inference:
        _mark_inference(outs)
    elif GRAD.grad and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        record(op, inputs, outs if type(outs) is tuple else (outs,))
    return outs


def _as_broadcast_error(error, inputs):
    """A NumPy broadcasting ValueError as torch's RuntimeError naming the bad dim."""
    if "broadcast" not in str(error):
        return error
    from ember._errors import broadcast_error
    shapes = [x._arr.shape for x in inputs if isinstance(x, Tensor)]
    for i in range(1, len(shapes)):
        err = broadcast_error(shapes[0], shapes[i])
        if "must match" in str(err):
            return err
    return broadcast_error(*shapes[:2]) if len(shapes) > 1 else error


def make_view(base, out):
    """Make `out` share `base`'s storage, version counter and view base."""
    out._root = base._root_array()
    out._vc = base._version_counter()
    out._base = base if base._base is None else base._base


def edge(t):
    """The edge along which a gradient flows into Tensor `t`."""
    fn = t._grad_fn
    if fn is not None:
        if t._view_version is not None:
            fn = t.grad_fn
        return (fn, t._output_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return NO_EDGE


def record(op, inputs, outs, inplace=False, original=None):
    """Make `op` the grad_fn of `outs`: edges and metadata of inputs, saved tensors.

    For an in-place op (``outs == (inputs[0],)``) inputs are saved at their version before
    the write, and the output after it; `original` is the copy of ``inputs[0]`` taken
    before the write (torch's ``original_self``) for backwards that read it.
    """
    op._seq = next(_SEQ)
    nxt = []
    meta = []
    needs = []
    for x in inputs:
        if isinstance(x, Tensor) and x._requires_grad:
            nxt.append(edge(x))
            meta.append((x._arr.shape, x.dtype))
            needs.append(True)
        else:
            nxt.append(NO_EDGE)
            meta.append(None)
            needs.append(False)
    op._next = tuple(nxt)
    op._meta = tuple(meta)
    op.needs_input_grad = tuple(needs)
    if op.save_inputs:
        saved_for = op.saved_for
        op._saved = tuple(
            None if saved_for is not None and i in saved_for and
            not any(needs[j] for j in saved_for[i]) else
            _save_input(original if i == 0 and original is not None else inputs[i])
            for i in op.save_inputs)
    if inplace:
        outs[0]._bump_version()
    n = len(outs)
    for i, o in enumerate(outs):
        if o.dtype.category >= D.FLOAT:
            o._grad_fn = op
            o._requires_grad = True
            o._output_nr = i
    if n > 1:
        op._n_out = n
        op._out_meta = tuple((o._arr.shape, o.dtype, o._be) if o._grad_fn is op else None
                             for o in outs)
    if op.save_outputs:
        op._saved = op._saved + tuple(SavedTensor(outs[j], True) for j in op.save_outputs)
    if op.view:
        outs[0]._view_version = outs[0]._version
    if anomaly_mode.STATE.enabled:
        anomaly_mode.record_forward(op)


def _save_input(x):
    if isinstance(x, Tensor):
        if x._inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors "
                "created in inference mode in computation tracked by autograd. To work around "
                "this, you can make a clone to get a normal tensor and use it in autograd, or "
                "use `ember.no_grad()` instead of `ember.inference_mode()`.")
        return SavedTensor(x)
    return x


def _mark_inference(outs):
    for o in (outs if type(outs) is tuple else (outs,)):
        o._inference = True


def check_inplace(self):
    """torch's refusals before writing into `self`."""
    if GRAD.grad and self._requires_grad and self._grad_fn is None and self._base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if self._inference and not GRAD.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if GRAD.grad and self._multi_view is not None:
        name = self._multi_view.name()
        raise RuntimeError(
            f"Output {self._output_nr} of {name[:name.rfind('Backward')]} is a view and is "
            "being modified inplace. This view is the output of a function that returns "
            "multiple views. Such functions do not allow the output views to be modified "
            "inplace. You should replace the inplace operation by an out-of-place one.")
    if GRAD.grad and self._base is not None and self._base._requires_grad and \
            self._base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def apply_inplace(cls, inputs, **options):
    """Run op `cls` and write its result into ``inputs[0]``, recording the graph."""
    self = inputs[0]
    check_inplace(self)
    original = original_self(cls, inputs)
    be, arrays, _ = unwrap(inputs, cls.promote)
    op = Op.__new__(cls)
    result = op.forward(be, *arrays, **options)
    write_into(self, result, be, cls.casts_freely)
    if GRAD.grad and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        from ember._ops.inplace import record_inplace
        record_inplace(op, inputs, self, original)
    else:
        self._bump_version()
    return self


def original_self(cls, inputs):
    """A copy of ``inputs[0]`` before an in-place write, when the op's backward reads it
    and the graph is being recorded (None otherwise). The copy is differentiable, so the
    in-place op's gradient is the out-of-place op's, double backward included."""
    if 0 in cls.save_inputs and GRAD.grad and \
            any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        return inputs[0].clone()
    return None


def write_into(self, result, be, casts_freely=False):
    """Copy array `result` into `self`, with torch's dtype and shape checks."""
    rdt = be.dtype_of(result)
    if not casts_freely and not D.can_cast(rdt, self.dtype):
        raise RuntimeError(f"result type {D.type_name(rdt)} can't be cast to the desired "
                           f"output type {D.type_name(self.dtype)}")
    if result.shape != self._arr.shape:
        from ember._errors import broadcast_shapes
        if broadcast_shapes(result.shape, self._arr.shape) != self._arr.shape:
            raise RuntimeError(f"output with shape {shape_str(self._arr.shape)} doesn't match "
                               f"the broadcast shape {shape_str(result.shape)}")
    be.copy_into(self._arr, result)


def write_out(result, out):
    """Store `result` into the user's `out=` tensor, resizing it as torch does."""
    if GRAD.grad and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            f"{_op_name(result)}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad.")
    if out._be is not result._be:
        raise _device_error(result, out)
    if out._arr.shape != result._arr.shape:
        out.resize_(result._arr.shape)
    write_into(out, result._arr, result._be)
    out._bump_version()
    return out


def _op_name(t):
    fn = t._grad_fn
    if fn is None:
        return "op"
    name = fn.name()
    return name[:name.rfind("Backward")].lower()


_RENAMED = {}


def rename_node(t, name):
    """Give `t`'s grad_fn torch's name for the composite that produced it (pdist's
    PdistBackward0 over a vector_norm node, t_copy's TBackward0_copy, ...). The node keeps
    its behaviour; only its class name changes."""
    fn = t._grad_fn
    if fn is not None and type(fn).__name__ != name:
        key = (type(fn), name)
        if key not in _RENAMED:
            _RENAMED[key] = type(name, (type(fn),), {})
        fn.__class__ = _RENAMED[key]
    return t

