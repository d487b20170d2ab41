"""BackwardHook: routes a module's full backward (pre-)hooks through identity graph nodes
placed on its tensor inputs and outputs (torch.utils.hooks.BackwardHook)."""
from __future__ import annotations

import warnings

from ember._tensor import Tensor
from ember.autograd.grad_mode import STATE as GRAD

__all__ = ["BackwardHook"]


class BackwardHook:
    """One module call's backward hooks.

    The output node's hook runs the pre-hooks on the outputs' gradients (None for outputs
    that got none); the input node's hook then runs the full hooks with the inputs'
    gradients (None for non-tensor arguments) and lets them replace those gradients.
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _set_user_hook(self, grad_fn):
        def hook(grad_input, _):
            if self.grad_outputs is None:
                # the output node did not run: gradients bypassed the module's outputs
                return None
            res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, res)

        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        from ember._ops.nn_prims import backward_hook_identity
        tensors_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (GRAD.grad and any(t._requires_grad for t in tensors)):
            return args, None
        new_tensors = backward_hook_identity(tensors)
        fn(next(t._grad_fn for t in new_tensors if t._grad_fn is not None))
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors):
            arg_list[idx] = val
        out = tuple(arg_list) if type(args) is tuple else type(args)(*arg_list)
        return out, tensors_idx

    def setup_input_hook(self, args):
        """Route the module's tensor inputs through an identity node; returns the new args."""
        res, input_idx = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_idx
        return res

    def _run_pre_hooks(self):
        expected = len(self.grad_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != expected:
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {expected}")
            self.grad_outputs = new

    def _run_hooks_without_inputs(self):
        warnings.warn(
            "Full backward hook is firing when gradients are computed with respect to module "
            "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/"
            "main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook "
            "for more details.", stacklevel=5)
        grad_inputs = (None,) * self.n_inputs
        for user_hook in self.user_hooks:
            res = user_hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None and not (isinstance(res, tuple) and
                                        all(el is None for el in res)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                   "should always return None or None for all gradients.")
        self.grad_outputs = None

    def _set_output_hook(self, grad_fn):
        def hook(_, grad_output):
            self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                     self.n_outputs)
            if self.user_pre_hooks:
                self._run_pre_hooks()
            local_grad_outputs = self.grad_outputs
            if self.input_tensors_index is None:
                self._run_hooks_without_inputs()
            if local_grad_outputs is not None:
                return tuple(local_grad_outputs[i] for i in self.output_tensors_index)
            return None

        grad_fn.register_hook(hook)

    def setup_output_hook(self, args):
        """Route the module's tensor outputs through an identity node; returns the result."""
        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, output_idx = self._apply_on_tensors(self._set_output_hook, args)
        self.n_outputs = len(args)
        self.output_tensors_index = output_idx
        return res if is_tuple else res[0]
