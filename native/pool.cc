// Pooling kernels as OpenMP loops over NHWC: max (with flat argmax into x for the backward scatter), average
// ('same' divides by the real, non-padding cells), and global max/average. Padding is resolved by the caller.
#include <cstring>
#include <limits>

#include "kernels.h"

namespace ck {

void max_pool_forward(float* y, int32_t* argmax, const float* x, const PoolParams& p) {
  apply_threads();
  const int64_t C = p.c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < p.n; n++) {
    for (int64_t oh = 0; oh < p.oh; oh++) {
      int64_t h0 = oh * p.sh - p.pt;
      for (int64_t ow = 0; ow < p.ow; ow++) {
        int64_t w0 = ow * p.sw - p.pl;
        float* yo = y + ((n * p.oh + oh) * p.ow + ow) * C;
        int32_t* ao = argmax + ((n * p.oh + oh) * p.ow + ow) * C;
        for (int64_t c = 0; c < C; c++) {
          yo[c] = -std::numeric_limits<float>::infinity();
          ao[c] = -1;
        }
        for (int64_t kh = 0; kh < p.ph; kh++) {
          int64_t h = h0 + kh;
          if (h < 0 || h >= p.h) continue;
          for (int64_t kw = 0; kw < p.pw; kw++) {
            int64_t w = w0 + kw;
            if (w < 0 || w >= p.w) continue;
            int64_t base = ((n * p.h + h) * p.w + w) * C;
            const float* xi = x + base;
            for (int64_t c = 0; c < C; c++) {
              if (xi[c] > yo[c] || ao[c] < 0) {
                yo[c] = xi[c];
                ao[c] = static_cast<int32_t>(base + c);
              }
            }
          }
        }
      }
    }
  }
}

void max_pool_backward(float* dx, const float* dy, const int32_t* argmax, const PoolParams& p) {
  apply_threads();
  const int64_t in_image = p.h * p.w * p.c, out_image = p.oh * p.ow * p.c;
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < p.n; n++) {
    std::memset(dx + n * in_image, 0, sizeof(float) * in_image);
    const float* d = dy + n * out_image;
    const int32_t* a = argmax + n * out_image;
    for (int64_t i = 0; i < out_image; i++) {
      if (a[i] >= 0) dx[a[i]] += d[i];
    }
  }
}

namespace {
inline void window(const PoolParams& p, int64_t oh, int64_t ow, int64_t& h0, int64_t& h1, int64_t& w0, int64_t& w1) {
  h0 = oh * p.sh - p.pt;
  w0 = ow * p.sw - p.pl;
  h1 = h0 + p.ph;
  w1 = w0 + p.pw;
  if (h0 < 0) h0 = 0;
  if (w0 < 0) w0 = 0;
  if (h1 > p.h) h1 = p.h;
  if (w1 > p.w) w1 = p.w;
}
}  // namespace

void avg_pool_forward(float* y, const float* x, const PoolParams& p) {
  apply_threads();
  const int64_t C = p.c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < p.n; n++) {
    for (int64_t oh = 0; oh < p.oh; oh++) {
      for (int64_t ow = 0; ow < p.ow; ow++) {
        int64_t h0, h1, w0, w1;
        window(p, oh, ow, h0, h1, w0, w1);
        float* yo = y + ((n * p.oh + oh) * p.ow + ow) * C;
        for (int64_t c = 0; c < C; c++) yo[c] = 0.f;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const float* xi = x + ((n * p.h + h) * p.w + w) * C;
            for (int64_t c = 0; c < C; c++) yo[c] += xi[c];
          }
        int64_t count = (h1 - h0) * (w1 - w0);
        float inv = count > 0 ? 1.f / static_cast<float>(count) : 0.f;
        for (int64_t c = 0; c < C; c++) yo[c] *= inv;
      }
    }
  }
}

void avg_pool_backward(float* dx, const float* dy, const PoolParams& p) {
  apply_threads();
  const int64_t C = p.c, in_image = p.h * p.w * C;
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < p.n; n++) {
    std::memset(dx + n * in_image, 0, sizeof(float) * in_image);
    for (int64_t oh = 0; oh < p.oh; oh++)
      for (int64_t ow = 0; ow < p.ow; ow++) {
        int64_t h0, h1, w0, w1;
        window(p, oh, ow, h0, h1, w0, w1);
        int64_t count = (h1 - h0) * (w1 - w0);
        if (count <= 0) continue;
        float inv = 1.f / static_cast<float>(count);
        const float* d = dy + ((n * p.oh + oh) * p.ow + ow) * C;
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            float* di = dx + ((n * p.h + h) * p.w + w) * C;
            for (int64_t c = 0; c < C; c++) di[c] += d[c] * inv;
          }
      }
  }
}

void global_pool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c, bool max) {
  apply_threads();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) {
    float* yo = y + i * c;
    const float* xi = x + i * hw * c;
    if (max) {
      for (int64_t k = 0; k < c; k++) yo[k] = xi[k];
      for (int64_t s = 1; s < hw; s++)
        for (int64_t k = 0; k < c; k++)
          if (xi[s * c + k] > yo[k]) yo[k] = xi[s * c + k];
    } else {
      for (int64_t k = 0; k < c; k++) yo[k] = 0.f;
      for (int64_t s = 0; s < hw; s++)
        for (int64_t k = 0; k < c; k++) yo[k] += xi[s * c + k];
      float inv = 1.f / static_cast<float>(hw);
      for (int64_t k = 0; k < c; k++) yo[k] *= inv;
    }
  }
}

void global_pool_backward(float* dx, const float* dy, const float* x, int64_t n, int64_t hw, int64_t c, bool max) {
  apply_threads();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) {
    float* di = dx + i * hw * c;
    const float* d = dy + i * c;
    if (max) {
      const float* xi = x + i * hw * c;
      std::memset(di, 0, sizeof(float) * hw * c);
      for (int64_t k = 0; k < c; k++) {
        int64_t best = 0;
        for (int64_t s = 1; s < hw; s++)
          if (xi[s * c + k] > xi[best * c + k]) best = s;
        di[best * c + k] = d[k];
      }
    } else {
      float inv = 1.f / static_cast<float>(hw);
      for (int64_t s = 0; s < hw; s++)
        for (int64_t k = 0; k < c; k++) di[s * c + k] = d[k] * inv;
    }
  }
}

}  // namespace ck
