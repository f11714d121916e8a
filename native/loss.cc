// Loss kernels, one sample per loop iteration (OpenMP), in double: categorical and sparse categorical
// cross-entropy (softmax fused when from logits), binary cross-entropy (sigmoid fused when from logits) and
// mean squared error. losses[n] = loss * weight; dInput = d(sum(losses) / N) / d input (sum_over_batch_size).
#include <algorithm>
#include <atomic>
#include <cmath>

#include "kernels.h"

namespace ck {
namespace {
// Keras clips probabilities to [1e-7, 1 - 1e-7] in float32, where 1 - 1e-7 rounds to 0.99999988: a saturated
// wrong prediction costs -log(1.19e-7) = 15.94, not -log(1e-7) = 16.12.
constexpr double kLow = static_cast<double>(1e-7f);
constexpr double kHigh = static_cast<double>(static_cast<float>(1.0 - 1e-7));
inline double clip_p(double p) { return std::min(std::max(p, kLow), kHigh); }
}  // namespace

int64_t loss_forward(float* losses, float* d_input, const float* input, const float* target, const float* sample_weight,
                     int kind, int64_t n, int64_t classes, bool from_logits, double label_smoothing) {
  apply_threads();
  std::atomic<int64_t> bad{-1};
  const double ls = label_smoothing;
#pragma omp parallel for schedule(static) if (n * classes > 256)
  for (int64_t s = 0; s < n; s++) {
    const float* x = input + s * classes;
    float* g = d_input ? d_input + s * classes : nullptr;
    const double w = sample_weight ? sample_weight[s] : 1.0;
    const double gscale = w / static_cast<double>(n);
    int64_t label = -1;
    if (kind == kSparseCategorical) {
      double t = target[s];
      label = t >= 0 && t < static_cast<double>(classes) ? static_cast<int64_t>(t) : -1;  // no cast of NaN or huge values
      if (!(t >= 0) || t >= classes || static_cast<double>(label) != t) {
        // Keep the lowest bad index whichever thread finds one first, so the message names the first bad sample.
        int64_t seen = bad.load();
        while ((seen < 0 || s < seen) && !bad.compare_exchange_weak(seen, s)) {
        }
        losses[s] = 0.f;
        if (g)
          for (int64_t j = 0; j < classes; j++) g[j] = 0.f;
        continue;
      }
    }
    auto tgt = [&](int64_t j) -> double {
      double t = kind == kSparseCategorical ? (j == label ? 1.0 : 0.0) : target[s * classes + j];
      return t * (1.0 - ls) + ls / static_cast<double>(classes);
    };
    double loss = 0;
    if (kind == kCategorical || kind == kSparseCategorical) {
      double tsum = 0;
      for (int64_t j = 0; j < classes; j++) tsum += tgt(j);
      if (from_logits) {
        double m = x[0];
        for (int64_t j = 1; j < classes; j++) m = std::max(m, static_cast<double>(x[j]));
        double z = 0;
        for (int64_t j = 0; j < classes; j++) z += std::exp(x[j] - m);
        double lz = std::log(z);
        for (int64_t j = 0; j < classes; j++) {
          double logp = x[j] - m - lz;
          loss -= tgt(j) * logp;
          if (g) g[j] = static_cast<float>((std::exp(logp) * tsum - tgt(j)) * gscale);
        }
      } else {
        // Keras: p / sum(p), clipped to [eps, 1 - eps]; clipped entries pass no gradient.
        double sum = 0;
        for (int64_t j = 0; j < classes; j++) sum += x[j];
        double common = 0;
        for (int64_t j = 0; j < classes; j++) {
          double q = x[j] / sum, qc = clip_p(q);
          loss -= tgt(j) * std::log(qc);
          if (q == qc) common += tgt(j);
        }
        if (g)
          for (int64_t j = 0; j < classes; j++) {
            double q = x[j] / sum, qc = clip_p(q);
            double own = q == qc ? -tgt(j) / (qc * sum) : 0.0;
            g[j] = static_cast<float>((own + common / sum) * gscale);
          }
      }
    } else if (kind == kBinary) {
      for (int64_t j = 0; j < classes; j++) {
        double t = target[s * classes + j] * (1.0 - ls) + 0.5 * ls, v = x[j], grad;
        if (from_logits) {
          loss += std::max(v, 0.0) - v * t + std::log1p(std::exp(-std::fabs(v)));
          double sig = v >= 0 ? 1.0 / (1.0 + std::exp(-v)) : std::exp(v) / (1.0 + std::exp(v));
          grad = sig - t;
        } else {
          double p = clip_p(v);
          loss -= t * std::log(p) + (1.0 - t) * std::log(1.0 - p);
          grad = p == v || v != v ? -t / p + (1.0 - t) / (1.0 - p) : 0.0;  // clipped: no gradient; NaN stays NaN
        }
        if (g) g[j] = static_cast<float>(grad / classes * gscale);
      }
      loss /= static_cast<double>(classes);
    } else {
      for (int64_t j = 0; j < classes; j++) {
        double d = x[j] - target[s * classes + j];
        loss += d * d;
        if (g) g[j] = static_cast<float>(2.0 * d / classes * gscale);
      }
      loss /= static_cast<double>(classes);
    }
    losses[s] = static_cast<float>(loss * w);
  }
  return bad.load();
}

}  // namespace ck
