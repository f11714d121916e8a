// Batch normalization over the last axis of x: (count, C): training forward (batch statistics, moving averages
// updated Keras-3 style with the biased variance), inference forward, and the backward of either.
// Per-channel sums accumulate in double over fixed row ranges, then combine in order (same bits at any thread count).
#include <cmath>
#include <vector>

#include "kernels.h"

namespace ck {
namespace {

/** out[c] = sum over rows of f(row, c), in double. Rows split into one fixed range per processor (not per
 *  running thread), partial sums combined in order: the same bits at every thread count and on every run. */
template <class F>
void column_sums(std::vector<double>& out, int64_t count, int64_t c, F f) {
  const int parts = default_threads(), threads = get_threads();
  std::vector<double> partial(static_cast<size_t>(parts) * c, 0.0);
#pragma omp parallel for schedule(static) num_threads(threads < parts ? threads : parts)
  for (int i = 0; i < parts; i++) {
    double* local = partial.data() + static_cast<size_t>(i) * c;
    for (int64_t r = i * count / parts; r < (i + 1) * count / parts; r++)
      for (int64_t k = 0; k < c; k++) local[k] += f(r, k);
  }
  out.assign(c, 0.0);
  for (int i = 0; i < parts; i++)
    for (int64_t k = 0; k < c; k++) out[k] += partial[static_cast<size_t>(i) * c + k];
}

}  // namespace

void batch_norm_forward_training(float* y, float* mean, float* inv_std, const float* x, const float* gamma, const float* beta,
                                 float* moving_mean, float* moving_var, int64_t count, int64_t c, double eps, double momentum) {
  apply_threads();
  std::vector<double> sum, sq;
  column_sums(sum, count, c, [&](int64_t r, int64_t k) { return static_cast<double>(x[r * c + k]); });
  std::vector<double> mu(c);
  for (int64_t k = 0; k < c; k++) mu[k] = sum[k] / static_cast<double>(count);
  column_sums(sq, count, c, [&](int64_t r, int64_t k) {
    double d = x[r * c + k] - mu[k];
    return d * d;
  });
  std::vector<float> a(c), b(c);
  for (int64_t k = 0; k < c; k++) {
    double var = sq[k] / static_cast<double>(count);
    double inv = 1.0 / std::sqrt(var + eps);
    mean[k] = static_cast<float>(mu[k]);
    inv_std[k] = static_cast<float>(inv);
    a[k] = static_cast<float>(gamma[k] * inv);
    b[k] = static_cast<float>(beta[k] - gamma[k] * inv * mu[k]);
    moving_mean[k] = static_cast<float>(moving_mean[k] * momentum + mu[k] * (1.0 - momentum));
    moving_var[k] = static_cast<float>(moving_var[k] * momentum + var * (1.0 - momentum));
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < count; r++)
    for (int64_t k = 0; k < c; k++) y[r * c + k] = x[r * c + k] * a[k] + b[k];
}

void batch_norm_forward_inference(float* y, const float* x, const float* gamma, const float* beta, const float* moving_mean,
                                  const float* moving_var, int64_t count, int64_t c, double eps) {
  apply_threads();
  std::vector<float> a(c), b(c);
  for (int64_t k = 0; k < c; k++) {
    double inv = 1.0 / std::sqrt(static_cast<double>(moving_var[k]) + eps);
    a[k] = static_cast<float>(gamma[k] * inv);
    b[k] = static_cast<float>(beta[k] - gamma[k] * inv * moving_mean[k]);
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < count; r++)
    for (int64_t k = 0; k < c; k++) y[r * c + k] = x[r * c + k] * a[k] + b[k];
}

void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* gamma,
                         const float* mean, const float* inv_std, int64_t count, int64_t c, bool training) {
  apply_threads();
  std::vector<double> sdy, sdyx;
  column_sums(sdy, count, c, [&](int64_t r, int64_t k) { return static_cast<double>(dy[r * c + k]); });
  column_sums(sdyx, count, c, [&](int64_t r, int64_t k) {
    return static_cast<double>(dy[r * c + k]) * (static_cast<double>(x[r * c + k]) - mean[k]) * inv_std[k];
  });
  std::vector<float> g(c), m1(c), m2(c);
  for (int64_t k = 0; k < c; k++) {
    dbeta[k] = static_cast<float>(sdy[k]);
    dgamma[k] = static_cast<float>(sdyx[k]);
    g[k] = gamma[k] * inv_std[k];
    m1[k] = training ? static_cast<float>(sdy[k] / count) : 0.f;
    m2[k] = training ? static_cast<float>(sdyx[k] / count) : 0.f;
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < count; r++)
    for (int64_t k = 0; k < c; k++) {
      float xhat = (x[r * c + k] - mean[k]) * inv_std[k];
      dx[r * c + k] = g[k] * (dy[r * c + k] - m1[k] - xhat * m2[k]);
    }
}

}  // namespace ck
