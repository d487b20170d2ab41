"""torch's errors for bad convolution, unfold and fold arguments: exception type and
message, case by case."""
from __future__ import annotations

import pytest

from nn._helpers import same_error


def _x(lib, *shape, dtype="float32"):
    return lib.ones(*shape, dtype=getattr(lib, dtype))


CONV_ERRORS = {
    "input_dims": lambda lib, F: F.conv2d(_x(lib, 2, 3), _x(lib, 4, 3, 3, 3)),
    "input_dims5": lambda lib, F: F.conv2d(_x(lib, 1, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3)),
    "weight_dims": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3)),
    "channels": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 2, 3, 3)),
    "channels_unbatched": lambda lib, F: F.conv2d(_x(lib, 3, 5, 5), _x(lib, 4, 2, 3, 3)),
    "bias_size": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                         _x(lib, 5)),
    "bias_dims": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                         _x(lib, 4, 1)),
    "stride0": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3), stride=0),
    "stride_len": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                          stride=(1, 1, 1)),
    "padding_neg": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                           padding=-1),
    "padding_len": lambda lib, F: F.conv1d(_x(lib, 2, 3, 5), _x(lib, 4, 3, 3),
                                           padding=(1, 1)),
    "dilation0": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                         dilation=0),
    "dilation0_f64": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="float64"),
                                             _x(lib, 4, 3, 3, 3, dtype="float64"),
                                             dilation=0),
    "groups0": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3), groups=0),
    "groups_channels": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                               groups=2),
    "groups_weight": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 1, 3, 3),
                                             groups=3),
    "empty_weight": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 0, 3, 3, 3)),
    "kernel_too_big": lambda lib, F: F.conv2d(_x(lib, 2, 3, 2, 2), _x(lib, 4, 3, 3, 3)),
    "same_stride": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                           padding="same", stride=2),
    "bad_string": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                          padding="foo"),
    "same_dilation_len": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                                 padding="same", dilation=(1, 1, 1)),
    "same_weight_dims": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3),
                                                padding="same"),
    "input_f64_weight_f32": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="float64"),
                                                    _x(lib, 4, 3, 3, 3)),
    "input_f32_weight_f64": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5),
                                                    _x(lib, 4, 3, 3, 3, dtype="float64")),
    "bias_dtype": lambda lib, F: F.conv1d(_x(lib, 2, 3, 5), _x(lib, 4, 3, 3),
                                          _x(lib, 4, dtype="float64")),
    "half_weight": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="float16"),
                                           _x(lib, 4, 3, 3, 3)),
    "long_weight": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="int64"),
                                           _x(lib, 4, 3, 3, 3)),
    "bool": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="bool"),
                                    _x(lib, 4, 3, 3, 3, dtype="bool")),
    "bool3d": lambda lib, F: F.conv3d(_x(lib, 2, 3, 2, 5, 5, dtype="bool"),
                                      _x(lib, 4, 3, 1, 3, 3, dtype="bool")),
    "int8_dilated": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5, dtype="int8"),
                                            _x(lib, 4, 3, 3, 3, dtype="int8"), dilation=2),
    "int32_transposed": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5, dtype="int32"),
                                                          _x(lib, 3, 4, 3, 3, dtype="int32")),
    "empty_spatial": lambda lib, F: F.conv2d(_x(lib, 2, 3, 0, 5), _x(lib, 4, 3, 3, 3),
                                             padding=2),
    "t_output_padding": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                          _x(lib, 3, 4, 3, 3),
                                                          output_padding=1),
    "t_output_padding_1d": lambda lib, F: F.conv_transpose1d(_x(lib, 2, 3, 5),
                                                             _x(lib, 3, 4, 3),
                                                             output_padding=1),
    "t_output_padding_3d": lambda lib, F: F.conv_transpose3d(_x(lib, 2, 3, 1, 5, 5),
                                                             _x(lib, 3, 4, 1, 3, 3),
                                                             output_padding=1),
    "t_output_padding_neg": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                              _x(lib, 3, 4, 3, 3),
                                                              output_padding=-1),
    "t_too_small": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5, dtype="float64"),
                                                     _x(lib, 3, 4, 3, 3, dtype="float64"),
                                                     padding=5),
    "t_too_small_f32": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                         _x(lib, 3, 4, 3, 3), padding=5),
    "t_channels": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 4, 3, 3)),
    "t_bias": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5), _x(lib, 3, 4, 3, 3),
                                                _x(lib, 3)),
    "t_bias_groups": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                       _x(lib, 3, 2, 3, 3), _x(lib, 4),
                                                       groups=3),
    "t_padding_str": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                       _x(lib, 3, 4, 3, 3), padding="same"),
    "t_input_dims": lambda lib, F: F.conv_transpose2d(_x(lib, 3, 5), _x(lib, 3, 4, 3, 3)),
    "t_bias_dtype_f32": lambda lib, F: F.conv_transpose2d(_x(lib, 2, 3, 5, 5),
                                                          _x(lib, 3, 4, 3, 3),
                                                          _x(lib, 4, dtype="float16")),
    "convolution_weight_dims": lambda lib, F: lib.convolution(
        _x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3), None, [1], [0], [1], False, [0], 1),
    "convolution_weight_1d": lambda lib, F: lib.convolution(
        _x(lib, 2, 3), _x(lib, 4, 3), None, [1], [0], [1], False, [0], 1),
    "stride_float": lambda lib, F: F.conv2d(_x(lib, 2, 3, 5, 5), _x(lib, 4, 3, 3, 3),
                                            stride=(1, 2.0)),
}


@pytest.mark.parametrize("case", sorted(CONV_ERRORS))
def test_conv_errors(case):
    same_error(lambda lib: CONV_ERRORS[case](lib, lib.nn.functional),
               exact=case not in ("stride_float", "convolution_weight_dims"))


FOLD_ERRORS = {
    "unfold_2d": lambda F, lib: F.unfold(lib.ones(4, 5), 2),
    "unfold_5d": lambda F, lib: F.unfold(lib.ones(1, 2, 3, 4, 5), 2),
    "unfold_kernel0": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), 0),
    "unfold_dilation0": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), 2, dilation=0),
    "unfold_padding": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), 2, padding=-1),
    "unfold_stride": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), 2, stride=0),
    "unfold_big_kernel": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), 6),
    "unfold_kernel_len": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5), (2, 3, 4)),
    "unfold_zero_channels": lambda F, lib: F.unfold(lib.ones(2, 0, 4, 5), 2),
    "unfold_long": lambda F, lib: F.unfold(lib.ones(2, 3, 4, 5, dtype=lib.int64), 2),
    "fold_1d": lambda F, lib: F.fold(lib.ones(4), 3, 2),
    "fold_channels": lambda F, lib: F.fold(lib.ones(2, 12, 4), 3, 3),
    "fold_blocks": lambda F, lib: F.fold(lib.ones(2, 12, 4), 4, 2),
    "fold_kernel0": lambda F, lib: F.fold(lib.ones(2, 12, 4), 3, 0),
    "fold_stride0": lambda F, lib: F.fold(lib.ones(2, 12, 4), 3, 2, stride=0),
    "fold_output0": lambda F, lib: F.fold(lib.ones(2, 12, 4), 0, 2),
    "fold_output_len": lambda F, lib: F.fold(lib.ones(2, 12, 4), (3, 3, 3), 2),
    "fold_long": lambda F, lib: F.fold(lib.ones(2, 12, 4, dtype=lib.int64), 3, 2),
}


@pytest.mark.parametrize("case", sorted(FOLD_ERRORS))
def test_fold_errors(case):
    same_error(lambda lib: FOLD_ERRORS[case](lib.nn.functional, lib))
