// Pooling kernels as OpenMP loops over NHWC: max (with flat argmax into x for the backward scatter), average
// ('same' divides by the real, non-padding cells), and global max/average. Padding is resolved by the caller.
// Backward passes over non-overlapping windows write each dx cell once (no zero fill + scatter).
#include <cstring>

#include "kernels.h"

namespace ck {
namespace {
/** Below this many input elements a pooling pass runs on the calling thread (fork/join would cost more). */
constexpr int64_t kPoolParallelMin = 1 << 16;
/** Max-pool order: larger wins, and the first NaN wins over any number, so NaN input is never pooled away. */
inline bool beats(float v, float cur) { return v > cur || (v != v && cur == cur); }
}  // namespace

void max_pool_forward(float* y, int32_t* argmax, const float* x, const PoolParams& p) {
  apply_threads();
  const int64_t C = p.c;
#pragma omp parallel for collapse(2) schedule(static) if (p.n * p.h * p.w * C > kPoolParallelMin)
  for (int64_t n = 0; n < p.n; n++) {
    for (int64_t oh = 0; oh < p.oh; oh++) {
      int64_t h0 = oh * p.sh - p.pt;
      for (int64_t ow = 0; ow < p.ow; ow++) {
        int64_t w0 = ow * p.sw - p.pl;
        float* yo = y + ((n * p.oh + oh) * p.ow + ow) * C;
        int32_t* ao = argmax + ((n * p.oh + oh) * p.ow + ow) * C;
        // Seeded with the window's first real cell, then branch-free compares over restrict pointers so the
        // channel loop vectorises (random data would mispredict a branchy max).
        const int64_t hs = h0 < 0 ? 0 : h0, ws = w0 < 0 ? 0 : w0;
        const int64_t he = h0 + p.ph < p.h ? h0 + p.ph : p.h, we = w0 + p.pw < p.w ? w0 + p.pw : p.w;
        float* __restrict yb = yo;
        int32_t* __restrict ab = ao;
        const int32_t C32 = static_cast<int32_t>(C);
        const int32_t first = static_cast<int32_t>(((n * p.h + hs) * p.w + ws) * C);
        const float* __restrict xf = x + first;
#pragma omp simd
        for (int32_t c = 0; c < C32; c++) {
          yb[c] = xf[c];
          ab[c] = first + c;
        }
        for (int64_t h = hs; h < he; h++) {
          for (int64_t w = (h == hs ? ws + 1 : ws); w < we; w++) {
            const int32_t base = static_cast<int32_t>(((n * p.h + h) * p.w + w) * C);
            const float* __restrict xi = x + base;
#pragma omp simd
            for (int32_t c = 0; c < C32; c++) {
              const float v = xi[c], cur = yb[c];
              const int32_t ci = ab[c];
              const bool take = beats(v, cur);
              yb[c] = take ? v : cur;
              ab[c] = take ? base + c : ci;
            }
          }
        }
      }
    }
  }
}

void max_pool_backward(float* dx, const float* dy, const int32_t* argmax, const PoolParams& p) {
  apply_threads();
  const int64_t C = p.c, in_image = p.h * p.w * C, out_image = p.oh * p.ow * C;
  if (p.sh >= p.ph && p.sw >= p.pw) {
    // Windows do not overlap: each input cell has at most one window, so write every dx cell once (no memset
    // + scatter): cells inside window (oh, ow) take dy where argmax points at them; cells in no window get 0.
    // When the windows tile the rows exactly (stride == pool, no padding, no remainder) nothing is pre-zeroed.
    const bool tiles_rows = p.pl == 0 && p.sw == p.pw && p.ow * p.sw == p.w;
    const int32_t C32 = static_cast<int32_t>(C);
#pragma omp parallel for collapse(2) schedule(static) if (p.n * in_image > kPoolParallelMin)
    for (int64_t n = 0; n < p.n; n++)
      for (int64_t h = 0; h < p.h; h++) {
        const int64_t hp = h + p.pt, oh = hp / p.sh;
        const bool row_in = oh < p.oh && hp - oh * p.sh < p.ph;
        float* __restrict d = dx + (n * p.h + h) * p.w * C;
        if (!row_in || !tiles_rows)
          for (int64_t i = 0; i < p.w * C; i++) d[i] = 0.f;  // cheap (in cache); covers cells in no window
        if (!row_in) continue;
        const int32_t row_base = static_cast<int32_t>((n * p.h + h) * p.w * C);
        for (int64_t ow = 0; ow < p.ow; ow++) {
          const int64_t o = ((n * p.oh + oh) * p.ow + ow) * C;
          const float* __restrict g = dy + o;
          const int32_t* __restrict a = argmax + o;
          for (int64_t kw = 0; kw < p.pw; kw++) {
            const int64_t w = ow * p.sw - p.pl + kw;
            if (w < 0 || w >= p.w) continue;
            const int32_t self = row_base + static_cast<int32_t>(w * C);
            float* __restrict dc = d + w * C;
#pragma omp simd
            for (int32_t c = 0; c < C32; c++) dc[c] = a[c] == self + c ? g[c] : 0.f;
          }
        }
      }
    return;
  }
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
  if (p.sh >= p.ph && p.sw >= p.pw) {
    // Windows do not overlap: one pass writing every dx cell once (dy / count inside a window, 0 elsewhere).
#pragma omp parallel for collapse(2) schedule(static) if (p.n * in_image > kPoolParallelMin)
    for (int64_t n = 0; n < p.n; n++)
      for (int64_t h = 0; h < p.h; h++) {
        const int64_t hp = h + p.pt, oh = hp / p.sh;
        float* __restrict d = dx + (n * p.h + h) * p.w * C;
        for (int64_t i = 0; i < p.w * C; i++) d[i] = 0.f;  // in cache; covers cells in no window
        if (oh >= p.oh || hp - oh * p.sh >= p.ph) continue;
        for (int64_t ow = 0; ow < p.ow; ow++) {
          int64_t h0, h1, w0, w1;
          window(p, oh, ow, h0, h1, w0, w1);
          const int64_t count = (h1 - h0) * (w1 - w0);
          if (count <= 0) continue;
          const float inv = 1.f / static_cast<float>(count);
          const float* __restrict g = dy + ((n * p.oh + oh) * p.ow + ow) * C;
          for (int64_t w = w0; w < w1; w++) {
            float* __restrict dc = d + w * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) dc[c] = g[c] * inv;
          }
        }
      }
    return;
  }
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
          if (beats(xi[s * c + k], yo[k])) yo[k] = xi[s * c + k];
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
          if (beats(xi[s * c + k], xi[best * c + k])) best = s;
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
