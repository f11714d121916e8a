// Optimizer updates in place, Keras 3 formulas, element-wise (SGD/RMSprop in double, Adam in float) (OpenMP over large tensors):
// SGD (momentum, Nesterov), Adam/AdamW (bias correction folded into the step size; float math for speed), RMSprop (centered, momentum).
// Decoupled weight decay first: param -= lr * wd * param.
#include <cmath>

#include "kernels.h"

namespace ck {

void sgd_update(float* param, const float* grad, float* velocity, int64_t len, double lr, double momentum, bool nesterov, double wd) {
  apply_threads();
#pragma omp parallel for schedule(static) if (len > 32768)
  for (int64_t i = 0; i < len; i++) {
    double p = param[i], g = grad[i];
    if (wd != 0) p -= lr * wd * p;
    if (velocity && momentum != 0) {
      double v = momentum * velocity[i] - lr * g;
      velocity[i] = static_cast<float>(v);
      p += nesterov ? momentum * v - lr * g : v;
    } else {
      p -= lr * g;
    }
    param[i] = static_cast<float>(p);
  }
}

void adam_update(float* param, const float* grad, float* m, float* v, int64_t len, double lr, double beta1, double beta2,
                 double eps, double step, double wd) {
  apply_threads();
  // float arithmetic (vectorises 16-wide; double sqrt/divide made this the step's slowest small kernel).
  const float alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, step)) / (1.0 - std::pow(beta1, step)));
  const float b1 = static_cast<float>(1.0 - beta1), b2 = static_cast<float>(1.0 - beta2), e = static_cast<float>(eps);
  const float decay = static_cast<float>(1.0 - lr * wd);
#pragma omp parallel for schedule(static) if (len > 32768)
  for (int64_t i = 0; i < len; i++) {
    const float g = grad[i];
    const float mi = m[i] + (g - m[i]) * b1;
    const float vi = v[i] + (g * g - v[i]) * b2;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * decay - alpha * mi / (std::sqrt(vi) + e);
  }
}

void rmsprop_update(float* param, const float* grad, float* mean_square, float* mean_grad, float* momentum_buf, int64_t len,
                    double lr, double rho, double momentum, double eps, bool centered, double wd) {
  apply_threads();
#pragma omp parallel for schedule(static) if (len > 32768)
  for (int64_t i = 0; i < len; i++) {
    double p = param[i], g = grad[i];
    if (wd != 0) p -= lr * wd * p;
    double ms = rho * mean_square[i] + (1.0 - rho) * g * g;
    mean_square[i] = static_cast<float>(ms);
    double denom = ms + eps;
    if (centered && mean_grad) {
      double mg = rho * mean_grad[i] + (1.0 - rho) * g;
      mean_grad[i] = static_cast<float>(mg);
      denom = ms - mg * mg + eps;
    }
    double inc = lr * g / std::sqrt(denom);
    if (momentum > 0 && momentum_buf) {
      double mb = momentum * momentum_buf[i] + inc;
      momentum_buf[i] = static_cast<float>(mb);
      p -= mb;
    } else {
      p -= inc;
    }
    param[i] = static_cast<float>(p);
  }
}

}  // namespace ck
