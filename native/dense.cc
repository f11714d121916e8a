// Dense (fully connected) kernels on oneDNN matmul over the caller's row-major buffers, zero-copy:
// y = act(x @ w + b), dx = dy @ w^T (w read transposed through strides), dw = x^T @ dy, db = column sums of dy.
// From kSplitBatchMin rows on, dw is summed over fixed slices of the batch (common.h): oneDNN then splits the
// reduction over threads itself, and its bits would depend on the thread count.
#include <exception>
#include <unordered_map>
#include <vector>

#include "dnnl_io.h"
#include "kernels.h"
#include "primitive_cache.h"

namespace ck {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Plan {
  dnnl::matmul prim;
  BoundArg a, b, c, d;
  memory scratch;
  std::unordered_map<int, memory> args;
  std::vector<float> part;  // dw split over the batch: this slice's partial dw
};

PlanCache<Plan> g_cache;

/** Measured on oneDNN 2.6: below 2048 rows its matmul gives the same dw bits at 1 and 2 threads; above, not. */
constexpr int64_t kSplitBatchMin = 1024;

/** C (M, K) x (K, N) matmul plan; `a_tag`/`b_tag` say how A and B sit in the caller's memory. */
std::unique_ptr<Plan> make_plan(int64_t m, int64_t k, int64_t n, tag a_tag, tag b_tag, bool with_bias, bool relu) {
  auto plan = std::make_unique<Plan>();
  memory::desc a({m, k}, dt::f32, a_tag), b({k, n}, dt::f32, b_tag), c({m, n}, dt::f32, tag::ab);
  memory::desc bias = with_bias ? memory::desc({1, n}, dt::f32, tag::ab) : memory::desc();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (relu) {
    dnnl::post_ops po;
    append_relu(po);
    attr.set_post_ops(po);
  }
#if DNNL_VERSION_MAJOR >= 3
  dnnl::matmul::primitive_desc pd(cpu_engine(), a, b, bias, c, attr);
#else
  dnnl::matmul::desc d(a, b, bias, c);
  dnnl::matmul::primitive_desc pd(d, attr, cpu_engine());
#endif
  plan->prim = dnnl::matmul(pd);
  plan->a.init(a, pd.src_desc(), true);
  plan->b.init(b, pd.weights_desc(), true);
  plan->c.init(c, pd.dst_desc(), false);
  plan->args = {{DNNL_ARG_SRC, plan->a.mem()}, {DNNL_ARG_WEIGHTS, plan->b.mem()}, {DNNL_ARG_DST, plan->c.mem()}};
  if (with_bias) {
    plan->d.init(bias, pd.bias_desc(), true);
    plan->args[DNNL_ARG_BIAS] = plan->d.mem();
  }
  plan->scratch = memory(pd.scratchpad_desc(), cpu_engine());
  plan->args[DNNL_ARG_SCRATCHPAD] = plan->scratch;
  return plan;
}

void run(Plan& plan, float* c, const float* a, const float* b, const float* bias, dnnl::stream& s = cpu_stream()) {
  plan.a.bind(a, s);
  plan.b.bind(b, s);
  plan.c.bind(c, s);
  if (bias) plan.d.bind(bias, s);
  plan.prim.execute(s, plan.args);
  plan.c.finish(s);
  s.wait();
}

/** dw = x^T @ dy as single-threaded matmuls over fixed slices of the batch, summed in order. False: not taken. */
bool backward_weights_split(float* dw, const float* x, const float* dy, int64_t n, int64_t in, int64_t out) {
  const int S = default_threads(), T = get_threads();
  if (n < kSplitBatchMin || S < 2) return false;
  std::vector<Plan*> parts(S);
  std::vector<int64_t> start(S + 1);
  for (int i = 0; i <= S; i++) start[i] = i * n / S;
  for (int i = 0; i < S; i++) {
    const int64_t rows = start[i + 1] - start[i];
    parts[i] = &g_cache.get({3, rows, in, out, i}, [&] {
      SingleThreadedScope one(T);
      auto plan = make_plan(in, rows, out, tag::ba, tag::ab, false, false);
      plan->part.resize(in * out);
      return plan;
    });
  }
  for (int i = 0; i < S; i++) slice_stream(i);
  std::exception_ptr error;  // exceptions must not leave the parallel region
#pragma omp parallel num_threads(T < S ? T : S)
  for (int i = omp_get_thread_num(); i < S; i += omp_get_num_threads()) {
    try {
      run(*parts[i], i == 0 ? dw : parts[i]->part.data(), x + start[i] * in, dy + start[i] * out, nullptr, slice_stream(i));
    } catch (...) {
#pragma omp critical(ck_dense_split_error)
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  for (int i = 1; i < S; i++) {
    const float* src = parts[i]->part.data();
#pragma omp simd
    for (int64_t j = 0; j < in * out; j++) dw[j] += src[j];
  }
  return true;
}

}  // namespace

void dense_forward(float* y, const float* x, const float* w, const float* b, int64_t n, int64_t in, int64_t out, bool relu) {
  // oneDNN's fused relu turns NaN into 0; NaN can only come from a non-finite input, so fuse only without one.
  const bool fuse = relu && all_finite(x, n * in) && all_finite(w, in * out) && (!b || all_finite(b, out));
  {
    std::lock_guard<std::mutex> lock(dnnl_mutex());
    apply_threads();
    std::vector<int64_t> key{0, n, in, out, b != nullptr, fuse, get_threads()};
    Plan& plan = g_cache.get(key, [&] { return make_plan(n, in, out, tag::ab, tag::ab, b != nullptr, fuse); });
    run(plan, y, x, w, b);
  }
  if (relu && !fuse) relu_keep_nan(y, n * out);
}

void dense_backward_data(float* dx, const float* dy, const float* w, int64_t n, int64_t in, int64_t out) {
  std::lock_guard<std::mutex> lock(dnnl_mutex());
  apply_threads();
  std::vector<int64_t> key{1, n, in, out, get_threads()};
  // dx (N, IN) = dy (N, OUT) @ w^T: w (IN, OUT) row-major is (OUT, IN) in 'ba'.
  Plan& plan = g_cache.get(key, [&] { return make_plan(n, out, in, tag::ab, tag::ba, false, false); });
  run(plan, dx, dy, w, nullptr);
}

void dense_backward_weights(float* dw, float* db, const float* x, const float* dy, int64_t n, int64_t in, int64_t out) {
  {
    std::lock_guard<std::mutex> lock(dnnl_mutex());
    apply_threads();
    if (backward_weights_split(dw, x, dy, n, in, out)) {
      if (db) sum_rows(db, dy, n, out);
      return;
    }
    std::vector<int64_t> key{2, n, in, out, get_threads()};
    // dw (IN, OUT) = x^T (IN, N) @ dy (N, OUT): x (N, IN) row-major is (IN, N) in 'ba'.
    Plan& plan = g_cache.get(key, [&] { return make_plan(in, n, out, tag::ba, tag::ab, false, false); });
    run(plan, dw, x, dy, nullptr);
  }
  if (db) sum_rows(db, dy, n, out);
}

}  // namespace ck
