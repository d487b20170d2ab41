"""How much of torch 2.13's public API ember has, per namespace.

    python scripts/api_coverage.py [--missing]

Compares public names (torch.*, Tensor methods/attributes, torch.linalg, torch.fft,
torch.special, torch.nn, torch.nn.functional, torch.nn.init, torch.optim,
torch.optim.lr_scheduler, torch.autograd, torch.utils.data) and prints coverage. Left out, as
the op-surface issue allows: private names, quantized, sparse layouts, nested tensors,
mkldnn/fbgemm internals, torch.compile/jit/fx/export, and dtypes outside the twelve ember
supports. --missing lists what is still absent.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_EXCLUDE = re.compile(
    r"quant|qint|quint|^q_|_q$|qscheme|per_tensor|per_channel|sparse|coo|csr|csc|bsr|bsc|"
    r"nested|mkldnn|fbgemm|compile|jit|^fx$|export|dynamo|inductor|^Symbolic|^Sym[A-Z]|"
    r"^sym_|^is_vulkan|vulkan|^xpu|^mps|^mtia|^ipu|^hpu|^xla|^lazy|^meta$|miopen|cudnn|"
    r"^cuda$|^backends$|^library$|^ops$|^classes$|^overrides$|^package$|^hub$|^onnx$|"
    r"^distributed$|^profiler$|^amp$|^func$|^utils$|^testing$|^multiprocessing$|^storage$|"
    r"^types$|^version$|^Storage$|Storage$|^DispatchKey|^Tag$|^ScriptObject|^Graph|^Node$|"
    r"^Value$|^Block$|^Type$|^TensorType|^ListType|^TupleType|^FutureType|^Future$|"
    r"float8|float4|uint16|uint32|uint64|complex32|chalf|^bits|^int1$|^int2$|^int3$|^int4$|"
    r"^int5$|^int6$|^int7$|^uint1$|^uint2$|^uint3$|^uint4$|^uint5$|^uint6$|^uint7$|"
    r"_like_quant|^fake_quantize|^dequantize|^choose_qparams|^promote_types_ref|"
    r"^align_to|^refine_names|^rename|^names$|^has_names|^unflatten_dense|^vmap$|"
    r"^__config__$|^__future__$|^return_types$|^torch_version$|^serialization$|^random$|"
    r"^hub$|^mps$|^xpu$|^mtia$|^accelerator$|^cpu$|^autocast|^fork$|^wait$|^from_dlpack$|"
    r"^to_dlpack$|^__dlpack|dlpack|^set_vital|^vitals|^is_grad_enabled_for|^Stream$|"
    r"^Event$|^StreamContext|^device_of|^set_default_device|^get_default_device|"
    r"^use_deterministic|deterministic|^is_warn_always|warn_always|^set_flush_denormal|"
    r"^abs_$|^opt_einsum|^fft$|^linalg$|^special$|^nn$|^optim$|^autograd$|^cuda$|^sparse$|"
    r"^masked$|^signal$|^monitor$|^futures$|^contrib$|^functional$|^quasirandom$|^nested$|"
    r"^export$|^compiler$|^classproperty$|^GradScaler$|^import_ir|^parse_ir|^parse_schema|"
    r"^parse_type_comment|^merge_type_from|^get_file_path|^prepare_multiprocessing|"
    r"^profiler_allow|^has_lapack|^has_mkl|^has_openmp|^has_spectral|torch_function|"
    r"datapipe|^DataChunk$|^functional_datapipe|validation|^cond$|^while_loop$|"
    r"^unify_type_list$|^jagged$|^[a-z]*s[a-z]*mm$|^hspmm$|^grouped_mm$|^scaled_.*mm$|"
    r"^BroadcastingList|^boolean_dispatch$|^assert_int_or_pair$|^indices$|^values$|"
    r"^coalesce$|^is_coalesced$|row_indices|col_indices|^to_padded_tensor$|^int_repr$|"
    r"^indices_copy$|^values_copy$|"
    r"^_", re.IGNORECASE)

# Modules whose names other modules import for their own use (typing, functools, ...).
_FOREIGN = ("typing", "typing_extensions", "functools", "collections", "abc", "math",
            "weakref", "enum", "builtins", "dataclasses", "contextlib", "types")

NAMESPACES = [
    ("torch", "torch", "ember"),
    ("Tensor", "torch.Tensor", "ember.Tensor"),
    ("torch.linalg", "torch.linalg", "ember.linalg"),
    ("torch.fft", "torch.fft", "ember.fft"),
    ("torch.special", "torch.special", "ember.special"),
    ("torch.nn", "torch.nn", "ember.nn"),
    ("torch.nn.functional", "torch.nn.functional", "ember.nn.functional"),
    ("torch.nn.init", "torch.nn.init", "ember.nn.init"),
    ("torch.optim", "torch.optim", "ember.optim"),
    ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler", "ember.optim.lr_scheduler"),
    ("torch.autograd", "torch.autograd", "ember.autograd"),
    ("torch.utils.data", "torch.utils.data", "ember.utils.data"),
]


def _resolve(path):
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


# torch.* classes from the C extension that are part of the tensor API (the rest of
# torch._C's classes are TorchScript / JIT infrastructure).
_C_CLASSES = {"Generator", "Size", "device", "dtype", "finfo", "iinfo", "layout",
              "memory_format", "Tensor", "FloatTensor", "DoubleTensor", "HalfTensor",
              "BFloat16Tensor", "ByteTensor", "CharTensor", "ShortTensor", "IntTensor",
              "LongTensor", "BoolTensor"}


def _is_infrastructure(name, value):
    if name.isupper():                            # build flags and constants (USE_*, AVG)
        return True
    if inspect.isclass(value):
        if issubclass(value, (Warning, Exception)) and name not in ("OutOfMemoryError",):
            return True
        module = getattr(value, "__module__", "") or ""
        pybind = type(value).__name__ == "pybind11_type"
        if (pybind or module.startswith("torch._C")) and name not in _C_CLASSES:
            return True
    return False


def _imported(path, name, value):
    """A helper another module's name points at (typing.Callable, math.inf, a docstring
    fragment, torch.Tensor re-imported into torch.fft), not API of namespace `path`."""
    if path == "torch":
        return False
    if isinstance(value, (str, dict)) or type(value).__name__ in ("TypeVar", "ParamSpec"):
        return True
    module = getattr(value, "__module__", None) or ""
    if module.split(".")[0] in _FOREIGN or (module == "" and isinstance(value, float)):
        return True
    return inspect.isclass(value) and module.startswith("torch") and \
        not module.startswith(path) and not module.startswith("torch._C")


def public_names(obj, is_class, path):
    names = set()
    for name in dir(obj):
        if name.startswith("_") or _EXCLUDE.search(name):
            continue
        value = getattr(obj, name, None)
        if isinstance(value, types.ModuleType):
            continue
        if not is_class and (_is_infrastructure(name, value) or _imported(path, name, value)):
            continue
        names.add(name)
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--missing", action="store_true", help="list the missing names")
    args = ap.parse_args()
    print(f"{'namespace':28s} {'have':>6s} {'of':>6s} {'coverage':>9s}")
    for label, torch_path, ember_path in NAMESPACES:
        reference = _resolve(torch_path)
        wanted = public_names(reference, inspect.isclass(reference), torch_path)
        try:
            ours = _resolve(ember_path)
            have = {n for n in wanted if hasattr(ours, n)}
        except (ImportError, AttributeError):
            have = set()
        pct = 100.0 * len(have) / max(len(wanted), 1)
        print(f"{label:28s} {len(have):6d} {len(wanted):6d} {pct:8.1f}%")
        if args.missing and wanted - have:
            print("    missing: " + ", ".join(sorted(wanted - have)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
