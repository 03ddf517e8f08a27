// Per-axis and blocked parameters (ONNX QuantizeLinear / DequantizeLinear with `axis` and
// opset 21 `block_size`), with no transposes. A tensor of n = outer · D · inner elements
// (D = shape[axis], inner = the product of the dims after it) is walked in place:
//   per-axis (block == 0): element (o, a, i) uses parameter a (D parameters);
//   blocked  (block >= 1): element (o, a, i) uses parameter (o · nb + a / block) · inner + i,
//                          nb = ceil(D / block), so the last block may be partial.
// Each element gets exactly the bits of the per-tensor kernel with its own (scale, zero
// point): long runs sharing one parameter go to the table's per-tensor kernel, rows whose
// parameters change every element to its per-lane kernel (LaneParams).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {

struct AxisLayout {
  size_t outer;
  size_t axis_len;  // D
  size_t inner;
  size_t block;     // 0: per-axis
};

// How many (scale, zero point) pairs the layout needs: D per-axis, outer · nb · inner blocked.
size_t AxisParamCount(const AxisLayout& l);

// Work is split (across threads) into units of equal length: rows of `inner` elements when
// they are long, else whole outer rows of D · inner elements.
size_t AxisUnitCount(const AxisLayout& l);
size_t AxisUnitLength(const AxisLayout& l);

// lo[k] = float(qmin - zero_point[k]), hi[k] = float(qmax - zero_point[k]) for every
// parameter, or false when this layout never uses the per-lane kernel (they are not read).
bool AxisNeedsLanes(const AxisLayout& l);

// Index of the first scale that is not a positive finite float32 (NaN, ±0, a negative or an
// infinite value), or n when every one is. Scanned in branch-free chunks, so that the check a
// small per-axis call makes of every scale costs little beside the call itself.
size_t FirstBadScale(const float* scale, size_t n);

// Index of the first zero point outside [lo, hi], or n when every one is inside.
size_t FirstZeroPointOutside(const int32_t* zero_point, size_t n, int32_t lo, int32_t hi);

// lo[k] = qmin − zero_point[k] and hi[k] = qmax − zero_point[k] as floats: the per-lane clamp
// bounds of the lanes kernels (exact: both differences fit in 2^24).
void LaneBounds(const int32_t* zero_point, size_t n, int32_t qmin, int32_t qmax, float* lo, float* hi);

struct AxisQuantizeCall {
  QuantizeFn run;
  QuantizeRunsFn runs;
  QuantizeLanesFn lanes;
  const void* x;
  size_t in_size;  // bytes per x element
  void* q;
  size_t out_size;  // bytes per q element
  const float* scale;
  const int32_t* zero_point;
  const float* lo;  // may be null when !AxisNeedsLanes
  const float* hi;
  int32_t qmin, qmax;
  AxisLayout layout;
};

struct AxisDequantizeCall {
  DequantizeFn run;
  DequantizeLanesFn lanes;
  const void* q;
  size_t q_size;
  float* x;
  const float* scale;
  const int32_t* zero_point;
  AxisLayout layout;
};

// Units [begin, end) of the call (see AxisUnitCount).
void QuantizeAxis(const AxisQuantizeCall& c, size_t begin, size_t end);
void DequantizeAxis(const AxisDequantizeCall& c, size_t begin, size_t end);

// min and max of each parameter's elements, NaN ignored: out[2k] = min, out[2k + 1] = max,
// NaN, NaN for a parameter with no number (as MinMaxFn, -0 reported as +0). `minmax` is the
// table's per-tensor kernel for x's type, used on long per-axis rows.
void MinMaxAxis(MinMaxFn minmax, const void* x, bool is_f64, const AxisLayout& l, double* out);

}  // namespace quantkit
