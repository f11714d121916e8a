// Element-wise kernels as OpenMP loops: activations forward/backward (softmax over rows of axis_size; the
// transcendental ones in double to track the reference closely), axpby/multiply/scale/clip, and the small
// reductions (sumRows, sumSquares in double, argmaxRows with ties to the first).
#include <cmath>
#include <vector>

#include "kernels.h"

namespace ck {
namespace {

// Below these lengths a pass runs on the calling thread: an OpenMP fork/join costs more than it saves.
constexpr int64_t kCheapParallelMin = 1 << 16;   // one compare/copy per element
constexpr int64_t kCostlyParallelMin = 1 << 13;  // transcendental math per element
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kInvSqrt2Pi = 0.3989422804014327;

inline double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }

/** Keras 3 relu(x, negative_slope, max_value, threshold): x * (x > threshold), clipped to [0, max_value] when
 *  max_value is finite, minus negative_slope * max(threshold - x, 0). Exactly 0 at the threshold. */
inline double relu_general(double x, const ActParams& a) {
  double pos = x > a.threshold ? x : 0.0;
  if (!std::isinf(a.max_value)) pos = std::fmin(std::fmax(pos, 0.0), a.max_value);
  double neg = x < a.threshold ? a.threshold - x : 0.0;
  return pos - a.alpha * neg;
}

inline double forward1(double x, const ActParams& a) {
  if (std::isnan(x)) return x;  // NaN stays NaN: the compares and fmin/fmax below would turn it into a number
  switch (a.kind) {
    case kRelu: return relu_general(x, a);
    case kRelu6: return std::fmin(std::fmax(x, 0.0), 6.0);
    case kLeakyRelu: return x > 0 ? x : a.alpha * x;
    case kElu: return x > 0 ? x : a.alpha * std::expm1(x);
    case kSigmoid: return sigmoid(x);
    case kHardSigmoid: return std::fmin(std::fmax(x / 6.0 + 0.5, 0.0), 1.0);
    case kTanh: return std::tanh(x);
    case kSwish: return x * sigmoid(x);
    case kGelu:
      if (a.approximate) return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
      return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    case kSoftplus: return std::log1p(std::exp(-std::fabs(x))) + std::fmax(x, 0.0);
    default: return x;
  }
}

/** d act / dx at x (y = act(x) given for the kinds that use it). */
inline double derivative(double x, double y, const ActParams& a) {
  switch (a.kind) {
    case kRelu:
      if (x > a.threshold) return x < a.max_value && (std::isinf(a.max_value) || x >= 0) ? 1.0 : 0.0;
      return x < a.threshold ? a.alpha : 0.0;
    case kRelu6: return x > 0 && x < 6 ? 1.0 : 0.0;
    case kLeakyRelu: return x > 0 ? 1.0 : a.alpha;
    case kElu: return x > 0 ? 1.0 : a.alpha * std::exp(x);
    case kSigmoid: return y * (1.0 - y);
    case kHardSigmoid: return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0;
    case kTanh: return 1.0 - y * y;
    case kSwish: {
      double s = sigmoid(x);
      return s + x * s * (1.0 - s);
    }
    case kGelu:
      if (a.approximate) {
        double t = std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * kSqrt2OverPi * (1.0 + 3.0 * 0.044715 * x * x);
      }
      return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) * kInvSqrt2Pi;
    case kSoftplus: return sigmoid(x);
    default: return 1.0;
  }
}

/** ReLU6 and Keras ReLU(max_value=m) with no slope or threshold: min(max(x, 0), m), the fast path's case. Only
 *  when m is exactly a float, so that clipping in float gives the same bits as the double path. */
inline bool is_clipped_relu(const ActParams& a) {
  if (a.kind == kRelu6) return true;
  return a.kind == kRelu && a.alpha == 0 && a.threshold == 0 && std::isfinite(a.max_value) &&
         static_cast<double>(static_cast<float>(a.max_value)) == a.max_value;
}
inline float clip_top(const ActParams& a) { return a.kind == kRelu6 ? 6.f : static_cast<float>(a.max_value); }

}  // namespace

void activation_forward(float* y, const float* x, int64_t len, const ActParams& a) {
  apply_threads();
  if (a.kind == kSoftmax) {
    const int64_t k = a.axis_size, rows = len / k;
#pragma omp parallel for schedule(static) if (len > kCostlyParallelMin)
    for (int64_t r = 0; r < rows; r++) {
      const float* xi = x + r * k;
      float* yo = y + r * k;
      double m = xi[0];
      for (int64_t j = 1; j < k; j++) m = std::fmax(m, static_cast<double>(xi[j]));
      double s = 0;
      for (int64_t j = 0; j < k; j++) s += std::exp(xi[j] - m);
      for (int64_t j = 0; j < k; j++) yo[j] = static_cast<float>(std::exp(xi[j] - m) / s);
    }
    return;
  }
  if (a.kind == kLinear) {
#pragma omp parallel for schedule(static) if (len > kCheapParallelMin)
    for (int64_t i = 0; i < len; i++) y[i] = x[i];
    return;
  }
  if (a.kind == kRelu && a.alpha == 0 && a.threshold == 0 && std::isinf(a.max_value)) {
#pragma omp parallel for schedule(static) if (len > kCheapParallelMin)
    for (int64_t i = 0; i < len; i++) y[i] = x[i] > 0.f || x[i] != x[i] ? x[i] : 0.f;  // NaN stays NaN
    return;
  }
  if (is_clipped_relu(a)) {
    // ReLU6 (MobileNet): the general path's per-element switch and doubles made it the slowest layer of MobileNetV2.
    const float top = clip_top(a);
#pragma omp parallel for simd schedule(static) if (len > kCheapParallelMin)
    for (int64_t i = 0; i < len; i++) {
      const float v = x[i];
      const float low = v > 0.f ? v : 0.f;
      const float clipped = low < top ? low : top;
      y[i] = v != v ? v : clipped;  // NaN stays NaN
    }
    return;
  }
#pragma omp parallel for schedule(static) if (len > kCostlyParallelMin)
  for (int64_t i = 0; i < len; i++) y[i] = static_cast<float>(forward1(x[i], a));
}

void activation_backward(float* dx, const float* dy, const float* x, const float* y, int64_t len, const ActParams& a) {
  apply_threads();
  if (a.kind == kSoftmax) {
    const int64_t k = a.axis_size, rows = len / k;
#pragma omp parallel for schedule(static) if (len > kCostlyParallelMin)
    for (int64_t r = 0; r < rows; r++) {
      const float* yi = y + r * k;
      const float* di = dy + r * k;
      double dot = 0;
      for (int64_t j = 0; j < k; j++) dot += static_cast<double>(di[j]) * yi[j];
      for (int64_t j = 0; j < k; j++) dx[r * k + j] = static_cast<float>(yi[j] * (di[j] - dot));
    }
    return;
  }
  if (a.kind == kRelu && a.alpha == 0 && a.threshold == 0 && std::isinf(a.max_value)) {
#pragma omp parallel for schedule(static) if (len > kCheapParallelMin)
    for (int64_t i = 0; i < len; i++) {
      const float d = dy[i];  // loaded unconditionally so the select vectorises (random signs mispredict)
      dx[i] = x[i] > 0.f ? d : 0.f;
    }
    return;
  }
  if (is_clipped_relu(a)) {
    const float top = clip_top(a);
#pragma omp parallel for simd schedule(static) if (len > kCheapParallelMin)
    for (int64_t i = 0; i < len; i++) {
      const float d = dy[i], v = x[i];
      dx[i] = v > 0.f && v < top ? d : 0.f;  // as derivative(): 0 at both kinks and for NaN inputs
    }
    return;
  }
#pragma omp parallel for schedule(static) if (len > kCostlyParallelMin)
  for (int64_t i = 0; i < len; i++) dx[i] = static_cast<float>(dy[i] * derivative(x[i], y[i], a));
}

void axpby(float* out, const float* a, const float* b, int64_t len, double alpha, double beta) {
  apply_threads();
  const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) out[i] = fa * a[i] + fb * b[i];
}

void multiply(float* out, const float* a, const float* b, int64_t len) {
  apply_threads();
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) out[i] = a[i] * b[i];
}

void scale(float* out, const float* x, int64_t len, double alpha) {
  apply_threads();
  const float f = static_cast<float>(alpha);
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) out[i] = x[i] * f;
}

void clip(float* out, const float* x, int64_t len, double low, double high) {
  apply_threads();
  const float lo = static_cast<float>(low), hi = static_cast<float>(high);
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) out[i] = x[i] != x[i] ? x[i] : std::fmin(std::fmax(x[i], lo), hi);
}

void sum_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  std::vector<double> acc(cols, 0.0);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) acc[c] += x[r * cols + c];
  for (int64_t c = 0; c < cols; c++) out[c] = static_cast<float>(acc[c]);
}

double sum_squares(const float* x, int64_t len) {
  apply_threads();
  // Fixed slices (one per processor, not per running thread) summed in order: same bits at every thread count.
  const int parts = default_threads(), threads = get_threads();
  std::vector<double> partial(parts, 0.0);
#pragma omp parallel for schedule(static) num_threads(threads < parts ? threads : parts) if (len > 65536)
  for (int i = 0; i < parts; i++) {
    double s = 0;
    for (int64_t j = i * len / parts; j < (i + 1) * len / parts; j++) s += static_cast<double>(x[j]) * x[j];
    partial[i] = s;
  }
  double s = 0;
  for (int i = 0; i < parts; i++) s += partial[i];
  return s;
}

bool all_finite(const float* x, int64_t len) {
  apply_threads();
  // x - x is 0 for a finite value and NaN otherwise; the sum stays 0 only when every value is finite.
  float acc = 0.f;
#pragma omp parallel for simd reduction(+ : acc) schedule(static) if (len > kCheapParallelMin)
  for (int64_t i = 0; i < len; i++) acc += x[i] - x[i];
  return acc == 0.f;
}

void relu_keep_nan(float* y, int64_t len) {
  apply_threads();
#pragma omp parallel for schedule(static) if (len > kCheapParallelMin)
  for (int64_t i = 0; i < len; i++) y[i] = y[i] > 0.f || y[i] != y[i] ? y[i] : 0.f;
}

void argmax_rows(int32_t* out, const float* x, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float* xi = x + r * cols;
    int64_t best = 0;
    for (int64_t c = 1; c < cols; c++)
      if (xi[c] > xi[best]) best = c;
    out[r] = static_cast<int32_t>(best);
  }
}

}  // namespace ck
