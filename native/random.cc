// Counter-based random numbers: an exact port of src/backend/random.ts's integer steps (mix32, streamKey,
// bitsAt, uniformAt), so uniform and dropout match the reference bit for bit; normals are computed in double.
#include <cmath>

#include "kernels.h"

namespace ck {
namespace {

constexpr uint32_t kGolden = 0x9e3779b9u;
constexpr double kTwoPowMinus24 = 1.0 / 16777216.0;

inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

/** JavaScript's ToUint32 (x >>> 0) of a double. */
inline uint32_t js_uint32(double v) {
  if (!std::isfinite(v)) return 0;
  double t = std::fmod(std::trunc(v), 4294967296.0);
  if (t < 0) t += 4294967296.0;
  return static_cast<uint32_t>(t);
}

inline uint32_t stream_key(double seed, int attempt) {
  int32_t im = static_cast<int32_t>(static_cast<uint32_t>(attempt) * kGolden);  // Math.imul(attempt, GOLDEN)
  return mix32(js_uint32(seed + static_cast<double>(im)) ^ kGolden);
}

inline uint32_t bits_at(uint32_t key, uint64_t counter) { return mix32(key ^ mix32(static_cast<uint32_t>(counter))); }

inline double uniform_at(uint32_t key, uint64_t counter) { return (bits_at(key, counter) >> 8) * kTwoPowMinus24; }

inline double normal_at(uint32_t key, uint64_t element) {
  double u1 = ((bits_at(key, 2 * element) >> 8) + 1) * kTwoPowMinus24;
  double u2 = (bits_at(key, 2 * element + 1) >> 8) * kTwoPowMinus24;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

inline double truncated_normal_at(double seed, uint64_t element) {
  for (int attempt = 0; attempt < 1000; attempt++) {
    double z = normal_at(stream_key(seed, attempt), element);
    if (std::fabs(z) <= 2) return z;
  }
  return 0;
}

inline uint64_t counter_base(double offset) { return offset > 0 ? static_cast<uint64_t>(offset) : 0; }

}  // namespace

void random_fill(float* out, int64_t len, double seed, double offset, int dist, double a, double b) {
  apply_threads();
  const uint32_t key = stream_key(seed, 0);
  const uint64_t base = counter_base(offset);
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) {
    uint64_t e = base + static_cast<uint64_t>(i);
    double v;
    if (dist == kUniform) v = a + (b - a) * uniform_at(key, e);
    else if (dist == kNormal) v = a + b * normal_at(key, e);
    else v = a + b * truncated_normal_at(seed, e);
    out[i] = static_cast<float>(v);
  }
}

void dropout_forward(float* y, float* mask, const float* x, int64_t len, double rate, double seed, double offset,
                     int64_t spatial_batch, int64_t spatial_size, int64_t spatial_channels) {
  apply_threads();
  const uint32_t key = stream_key(seed, 0);
  const uint64_t base = counter_base(offset);
  const double keep = 1.0 / (1.0 - rate);  // y = x * keep rounded once, as the reference does
#pragma omp parallel for schedule(static) if (len > 65536)
  for (int64_t i = 0; i < len; i++) {
    int64_t decision = i;
    if (spatial_size > 0) {  // (n, s, c) -> n * C + c
      int64_t c = i % spatial_channels, n = i / (spatial_size * spatial_channels);
      decision = n * spatial_channels + c;
    }
    const double m = uniform_at(key, base + static_cast<uint64_t>(decision)) < rate ? 0.0 : keep;
    mask[i] = static_cast<float>(m);
    y[i] = static_cast<float>(x[i] * m);
  }
  (void)spatial_batch;
}

}  // namespace ck
