// Hand-written AVX-512 forward (bias, relu) and backward weights (+ bias) for convolutions with ONE input channel
// and 3x3 kernels over 16 or 32 output channels (the first layer of image models): the 9 x CO/16 kernel (or
// kernel-gradient) vectors stay in registers while the pixels stream past, so y / dy is touched once.
// Also the AVX-512 switch: CONVKIT_AVX512=0 (or set_avx512_kernels(false)) turns these kernels off and limits
// oneDNN to AVX2, so the path a machine without AVX-512 takes is testable on one that has it.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ck {

#if defined(__AVX512F__)
namespace {

/** Gradient sums of image `n` for output rows [oh0, oh1): acc[k * NV + v] += x(tap k) * dy, bias[v] += dy. */
template <int NV>
void accumulate_rows(float* tot, const float* x, const float* dy, const ConvParams& p, int64_t n, int64_t oh0, int64_t oh1) {
  constexpr int CO = NV * 16;
  __m512 acc[9 * NV], bias[NV];
  for (int i = 0; i < 9 * NV; i++) acc[i] = _mm512_setzero_ps();
  for (int v = 0; v < NV; v++) bias[v] = _mm512_setzero_ps();
  const float* xi = x + n * p.h * p.w;
  for (int64_t oh = oh0; oh < oh1; oh++) {
    const int64_t h0 = oh * p.sh - p.pt;
    for (int64_t ow = 0; ow < p.ow; ow++) {
      const int64_t w0 = ow * p.sw - p.pl;
      const float* d = dy + ((n * p.oh + oh) * p.ow + ow) * CO;
      __m512 g[NV];
      for (int v = 0; v < NV; v++) {
        g[v] = _mm512_loadu_ps(d + 16 * v);
        bias[v] = _mm512_add_ps(bias[v], g[v]);
      }
      const bool inside = h0 >= 0 && w0 >= 0 && h0 + 2 * p.dh < p.h && w0 + 2 * p.dw < p.w;
      for (int kh = 0; kh < 3; kh++)
        for (int kw = 0; kw < 3; kw++) {
          const int64_t h = h0 + kh * p.dh, w = w0 + kw * p.dw;
          float xv;
          if (inside) {
            xv = xi[h * p.w + w];
          } else {
            xv = h >= 0 && h < p.h && w >= 0 && w < p.w ? xi[h * p.w + w] : 0.f;
          }
          const __m512 b = _mm512_set1_ps(xv);
          for (int v = 0; v < NV; v++) acc[(kh * 3 + kw) * NV + v] = _mm512_fmadd_ps(b, g[v], acc[(kh * 3 + kw) * NV + v]);
        }
    }
  }
  for (int i = 0; i < 9 * NV; i++) _mm512_storeu_ps(tot + 16 * i, _mm512_add_ps(_mm512_loadu_ps(tot + 16 * i), acc[i]));
  for (int v = 0; v < NV; v++)
    _mm512_storeu_ps(tot + 9 * CO + 16 * v, _mm512_add_ps(_mm512_loadu_ps(tot + 9 * CO + 16 * v), bias[v]));
}

template <int NV>
void forward_c1(float* y, const float* x, const float* wt, const float* b, const ConvParams& p) {
  constexpr int CO = NV * 16;
  __m512 wv[9 * NV], bv[NV];
  for (int i = 0; i < 9 * NV; i++) wv[i] = _mm512_loadu_ps(wt + 16 * i);
  for (int v = 0; v < NV; v++) bv[v] = b ? _mm512_loadu_ps(b + 16 * v) : _mm512_setzero_ps();
  const __m512 zero = _mm512_setzero_ps();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < p.n; n++)
    for (int64_t oh = 0; oh < p.oh; oh++) {
      const float* xi = x + n * p.h * p.w;
      const int64_t h0 = oh * p.sh - p.pt;
      float* yo = y + (n * p.oh + oh) * p.ow * CO;
      for (int64_t ow = 0; ow < p.ow; ow++) {
        const int64_t w0 = ow * p.sw - p.pl;
        const bool inside = h0 >= 0 && w0 >= 0 && h0 + 2 * p.dh < p.h && w0 + 2 * p.dw < p.w;
        __m512 acc[NV];
        for (int v = 0; v < NV; v++) acc[v] = bv[v];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++) {
            const int64_t h = h0 + kh * p.dh, w = w0 + kw * p.dw;
            float xv;
            if (inside) {
              xv = xi[h * p.w + w];
            } else {
              xv = h >= 0 && h < p.h && w >= 0 && w < p.w ? xi[h * p.w + w] : 0.f;
            }
            const __m512 xb = _mm512_set1_ps(xv);
            for (int v = 0; v < NV; v++) acc[v] = _mm512_fmadd_ps(xb, wv[(kh * 3 + kw) * NV + v], acc[v]);
          }
        // max_ps returns its second operand when one is NaN: (zero, acc) keeps NaN as NaN.
        for (int v = 0; v < NV; v++) _mm512_storeu_ps(yo + ow * CO + 16 * v, p.relu ? _mm512_max_ps(zero, acc[v]) : acc[v]);
      }
    }
}

template <int NV>
void backward_weights_c1(float* dw, float* db, const float* x, const float* dy, const ConvParams& p) {
  constexpr int CO = NV * 16, LEN = 10 * CO;  // 9 taps + bias
  // Partial sums per bucket, one bucket per processor whatever the current thread count (fewer threads take
  // several), each a fixed range of work items summed in order: dW has the same bits at every count the adaptive
  // default may switch to.
  const int buckets = default_threads(), threads = get_threads();
  std::vector<float> partial(static_cast<size_t>(buckets) * LEN, 0.f);
  // Work items: (image, block of up to 8 output rows), flushed to the bucket's sums after each (pairwise-ish
  // summation keeps float error near the reference's).
  const int64_t rb = 8, blocks = (p.oh + rb - 1) / rb, items = p.n * blocks;
#pragma omp parallel for schedule(static) num_threads(threads < buckets ? threads : buckets)
  for (int k = 0; k < buckets; k++) {
    float* tot = partial.data() + static_cast<size_t>(k) * LEN;
    for (int64_t it = k * items / buckets; it < (k + 1) * items / buckets; it++) {
      const int64_t n = it / blocks, oh0 = (it % blocks) * rb, oh1 = oh0 + rb < p.oh ? oh0 + rb : p.oh;
      accumulate_rows<NV>(tot, x, dy, p, n, oh0, oh1);
    }
  }
  for (int i = 0; i < 9 * CO; i++) {
    float s = 0.f;
    for (int k = 0; k < buckets; k++) s += partial[k * LEN + i];
    dw[i] = s;
  }
  if (db)
    for (int i = 0; i < CO; i++) {
      float s = 0.f;
      for (int k = 0; k < buckets; k++) s += partial[k * LEN + 9 * CO + i];
      db[i] = s;
    }
}

}  // namespace
#endif

namespace {
bool avx512_env_on() {
  const char* v = std::getenv("CONVKIT_AVX512");
  return v == nullptr || std::strcmp(v, "0") != 0;
}
std::atomic<bool> g_avx512_on{avx512_env_on()};
std::atomic<int64_t> g_small_calls{0};
}  // namespace

void limit_isa_from_env() {
  // Before oneDNN creates anything; an ONEDNN_MAX_CPU_ISA the user set wins (the call then fails, ignored).
  if (!avx512_env_on()) dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2);
}
void set_avx512_kernels(bool on) { g_avx512_on.store(on); }
bool avx512_compiled() {
#if defined(__AVX512F__)
  return true;
#else
  return false;
#endif
}
bool avx512_kernels_on() { return avx512_compiled() && g_avx512_on.load(); }
int64_t small_conv_calls() { return g_small_calls.load(); }

bool conv2d_forward_small(float* y, const float* x, const float* w, const float* b, const ConvParams& p) {
#if defined(__AVX512F__)
  if (!g_avx512_on.load(std::memory_order_relaxed)) return false;
  if (p.ci != 1 || p.groups != 1 || p.kh != 3 || p.kw != 3 || (p.co != 16 && p.co != 32)) return false;
  g_small_calls.fetch_add(1, std::memory_order_relaxed);
  apply_threads();
  if (p.co == 16)
    forward_c1<1>(y, x, w, b, p);
  else
    forward_c1<2>(y, x, w, b, p);
  return true;
#else
  return false;
#endif
}

bool conv2d_backward_weights_small(float* dw, float* db, const float* x, const float* dy, const ConvParams& p) {
#if defined(__AVX512F__)
  if (!g_avx512_on.load(std::memory_order_relaxed)) return false;
  if (p.ci != 1 || p.groups != 1 || p.kh != 3 || p.kw != 3 || (p.co != 16 && p.co != 32)) return false;
  g_small_calls.fetch_add(1, std::memory_order_relaxed);
  apply_threads();
  if (p.co == 16)
    backward_weights_c1<1>(dw, db, x, dy, p);
  else
    backward_weights_c1<2>(dw, db, x, dy, p);
  return true;
#else
  return false;
#endif
}

}  // namespace ck
