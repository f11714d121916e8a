// 2-D convolution on oneDNN: forward (bias and relu fused), backward data and backward weights (+bias).
// Activations are NHWC, weights are Keras's (KH, KW, CI/groups, CO) = oneDNN hwio / hwigo, both wrapped
// zero-copy. Each (shape, attrs, threads) gets a plan built once: primitive, weight reorders into the layout
// the primitive asked for (backward data gets its OWN weight layout, never the forward one), scratchpad.
// 3x3 stride-1 convolutions with >= 16 channels each side use oneDNN's Winograd F(4x4, 3x3) for the forward and
// backward-weights passes, and run backward data as a forward convolution of dy with the flipped, transposed
// kernel (brgconv, which beats the jit backward-data kernel; Winograd when oneDNN takes the padding). Measured on
// MNIST conv2 (docs/benchmarks.md); CONVKIT_CONV_WINOGRAD=0 turns all of this off. Backward weights runs as
// single-threaded primitives over slices of the batch, one slice per processor whatever the thread count (same
// bits at every count; Winograd also scales poorly across threads), partial dW / dB summed in order;
// CONVKIT_CONV_SPLIT_BWD_WEIGHTS=0 turns that off.
#include <algorithm>
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

struct Mds {
  memory::desc src, wei, bias, dst;     // user layouts
  memory::desc src_a, wei_a, dst_a;     // what the primitive may choose from
  memory::dims strides, dil, pl, pr;
};

Mds make_mds(const ConvParams& p, bool any) {
  Mds m;
  memory::dims src{p.n, p.ci, p.h, p.w}, dst{p.n, p.co, p.oh, p.ow};
  m.src = memory::desc(src, dt::f32, tag::nhwc);
  m.dst = memory::desc(dst, dt::f32, tag::nhwc);
  m.bias = memory::desc({p.co}, dt::f32, tag::x);
  memory::dims wd = p.groups == 1 ? memory::dims{p.co, p.ci, p.kh, p.kw}
                                  : memory::dims{p.groups, p.co / p.groups, p.ci / p.groups, p.kh, p.kw};
  m.wei = memory::desc(wd, dt::f32, p.groups == 1 ? tag::hwio : tag::hwigo);
  m.wei_a = memory::desc(wd, dt::f32, tag::any);
  m.src_a = any ? memory::desc(src, dt::f32, tag::any) : m.src;
  m.dst_a = any ? memory::desc(dst, dt::f32, tag::any) : m.dst;
  m.strides = {p.sh, p.sw};
  m.dil = {p.dh - 1, p.dw - 1};
  m.pl = {p.pt, p.pl};
  m.pr = {p.pb, p.pr};
  return m;
}

dnnl::primitive_attr scratch_attr() {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

/** Winograd suits (measured on MNIST conv2, 2 threads): 3x3, stride 1, no dilation or groups, >= 16 channels. */
bool winograd_ok(const ConvParams& p) {
  static const bool enabled = [] {
    const char* v = std::getenv("CONVKIT_CONV_WINOGRAD");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return enabled && p.groups == 1 && p.kh == 3 && p.kw == 3 && p.sh == 1 && p.sw == 1 && p.dh == 1 && p.dw == 1 &&
         p.ci >= 16 && p.co >= 16 && p.ci % 16 == 0 && p.co % 16 == 0;
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvParams& p, const Mds& m, bool with_bias, bool relu,
                                                     dnnl::algorithm alg = dnnl::algorithm::convolution_direct) {
  auto attr = scratch_attr();
  if (relu) {
    dnnl::post_ops po;
    append_relu(po);
    attr.set_post_ops(po);
  }
  memory::desc bias = with_bias ? m.bias : memory::desc();
#if DNNL_VERSION_MAJOR >= 3
  return {cpu_engine(), dnnl::prop_kind::forward_training, alg, m.src_a, m.wei_a, bias, m.dst_a,
          m.strides, m.dil, m.pl, m.pr, attr};
#else
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, alg, m.src_a, m.wei_a, bias,
                                    m.dst_a, m.strides, m.dil, m.pl, m.pr);
  return {d, attr, cpu_engine()};
#endif
}

/** Measured: NHWC suits every pass except backward weights with few input channels, where oneDNN's NHWC
 *  kernel is slow and the blocked one plus reorders wins (MNIST conv1: 0.39 vs 0.58 ms, 2 threads). */
bool blocked_for_backward_weights(const ConvParams& p) { return p.groups == 1 && p.ci <= 4; }

std::vector<int64_t> key_of(int kind, const ConvParams& p, bool with_bias) {
  return {kind, p.n, p.h, p.w, p.ci, p.co, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pb, p.pl, p.pr, p.groups, p.relu,
          with_bias, get_threads(), conv_layout_any()};
}

struct Plan {
  dnnl::primitive prim;
  BoundArg a, b, c, d;  // meaning depends on the pass (see the builders)
  memory scratch;
  std::unordered_map<int, memory> args;
  std::vector<float> flipped;  // backward data as a forward convolution: the flipped, transposed kernel
  std::vector<float> part;     // backward weights split over the batch: this part's dW then dB
  bool wino = false;           // the primitive is oneDNN's Winograd
};

void finish_plan(Plan& plan, const memory::desc& scratch_md) {
  plan.scratch = memory(scratch_md, cpu_engine());
  plan.args[DNNL_ARG_SCRATCHPAD] = plan.scratch;
}

PlanCache<Plan> g_cache;

/** Forward plan (Winograd when `wino` and oneDNN has it for this shape, else direct). */
std::unique_ptr<Plan> forward_plan(const ConvParams& p, bool with_bias, bool relu, bool wino) {
  auto plan = std::make_unique<Plan>();
  Mds m = make_mds(p, conv_layout_any() || wino);
  dnnl::convolution_forward::primitive_desc pd;
  try {
    if (!wino) throw dnnl::error(dnnl_unimplemented, "direct");
    pd = forward_pd(p, m, with_bias, relu, dnnl::algorithm::convolution_winograd);
    plan->wino = true;
  } catch (const dnnl::error&) {
    m = make_mds(p, conv_layout_any());
    pd = forward_pd(p, m, with_bias, relu);
  }
  plan->prim = dnnl::convolution_forward(pd);
  plan->a.init(m.src, pd.src_desc(), true);
  plan->b.init(m.wei, pd.weights_desc(), true);
  plan->c.init(m.dst, pd.dst_desc(), false);
  plan->args = {{DNNL_ARG_SRC, plan->a.mem()}, {DNNL_ARG_WEIGHTS, plan->b.mem()}, {DNNL_ARG_DST, plan->c.mem()}};
  if (with_bias) {
    plan->d.init(m.bias, pd.bias_desc(), true);
    plan->args[DNNL_ARG_BIAS] = plan->d.mem();
  }
  finish_plan(*plan, pd.scratchpad_desc());
  return plan;
}

void run_forward(Plan& plan, float* y, const float* x, const float* w, const float* b,
                 dnnl::stream& s = cpu_stream()) {
  plan.a.bind(x, s);
  plan.b.bind(w, s);
  plan.c.bind(y, s);
  if (b) plan.d.bind(b, s);
  plan.prim.execute(s, plan.args);
  plan.c.finish(s);
  s.wait();
}

/** dx = full correlation of dy with the kernel flipped in space and transposed in channels (stride 1 only). */
ConvParams flipped_params(const ConvParams& p) {
  ConvParams q = p;
  q.h = p.oh, q.w = p.ow, q.ci = p.co, q.co = p.ci, q.oh = p.h, q.ow = p.w, q.relu = false;
  q.pt = p.kh - 1 - p.pt, q.pb = p.kh - 1 - p.pb, q.pl = p.kw - 1 - p.pl, q.pr = p.kw - 1 - p.pr;
  return q;
}

/** The hand-written 1-input-channel kernels of conv_small.cc (CONVKIT_CONV_SMALL=0 or layout any: oneDNN). */
bool small_kernels_on() {
  static const bool on = [] {
    const char* v = std::getenv("CONVKIT_CONV_SMALL");
    return (v == nullptr || std::strcmp(v, "0") != 0) && !conv_layout_any();
  }();
  return on;
}

bool env_on(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr || std::strcmp(v, "0") != 0;
}

/** w (kh, kw, ci, co) -> f (kh', kw', co, ci) with kh' = KH-1-kh: the forward kernel over dy. */
void flip_kernel(float* f, const float* w, const ConvParams& p) {
  const int64_t KH = p.kh, KW = p.kw, CI = p.ci, CO = p.co;
  for (int64_t kh = 0; kh < KH; kh++)
    for (int64_t kw = 0; kw < KW; kw++) {
      const float* src = w + (kh * KW + kw) * CI * CO;
      float* dst = f + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CO * CI;
      for (int64_t i = 0; i < CI; i++)
        for (int64_t o = 0; o < CO; o++) dst[o * CI + i] = src[i * CO + o];
    }
}

/** Backward weights plan: Winograd when winograd_ok and oneDNN has it, else direct. */
std::unique_ptr<Plan> backward_weights_plan(const ConvParams& p, bool with_bias) {
  auto plan = std::make_unique<Plan>();
  const bool blocked = conv_layout_any() || blocked_for_backward_weights(p);
  auto attr = scratch_attr();
  auto make_pd = [&](const Mds& m, dnnl::algorithm alg) {
    memory::desc bias = with_bias ? m.bias : memory::desc();
    auto hint = forward_pd(p, m, with_bias, false, alg);
#if DNNL_VERSION_MAJOR >= 3
    return dnnl::convolution_backward_weights::primitive_desc(cpu_engine(), alg, m.src_a, m.wei_a, bias, m.dst_a, m.strides,
                                                              m.dil, m.pl, m.pr, hint, attr);
#else
    dnnl::convolution_backward_weights::desc d(alg, m.src_a, m.wei_a, bias, m.dst_a, m.strides, m.dil, m.pl, m.pr);
    return dnnl::convolution_backward_weights::primitive_desc(d, attr, cpu_engine(), hint);
#endif
  };
  Mds m = make_mds(p, true);
  dnnl::convolution_backward_weights::primitive_desc pd;
  try {
    if (!winograd_ok(p)) throw dnnl::error(dnnl_unimplemented, "direct");
    pd = make_pd(m, dnnl::algorithm::convolution_winograd);
    plan->wino = true;
  } catch (const dnnl::error&) {  // direct, in the layouts chosen without Winograd
    m = make_mds(p, blocked);
    pd = make_pd(m, dnnl::algorithm::convolution_direct);
  }
  plan->prim = dnnl::convolution_backward_weights(pd);
  plan->a.init(m.src, pd.src_desc(), true);
  plan->b.init(m.dst, pd.diff_dst_desc(), true);
  plan->c.init(m.wei, pd.diff_weights_desc(), false);
  plan->args = {{DNNL_ARG_SRC, plan->a.mem()}, {DNNL_ARG_DIFF_DST, plan->b.mem()}, {DNNL_ARG_DIFF_WEIGHTS, plan->c.mem()}};
  if (with_bias) {
    plan->d.init(m.bias, pd.diff_bias_desc(), false);
    plan->args[DNNL_ARG_DIFF_BIAS] = plan->d.mem();
  }
  finish_plan(*plan, pd.scratchpad_desc());
  return plan;
}

void run_backward_weights(Plan& plan, float* dw, float* db, const float* x, const float* dy, dnnl::stream& s) {
  plan.a.bind(x, s);
  plan.b.bind(dy, s);
  plan.c.bind(dw, s);
  if (db) plan.d.bind(db, s);
  plan.prim.execute(s, plan.args);
  plan.c.finish(s);
  if (db) plan.d.finish(s);
  s.wait();
}

/** Backward weights split over the batch: single-threaded primitives over slices of the batch, run concurrently
 *  (oneDNN runs sequentially inside an OpenMP parallel region), partial dW / dB summed in order. The slices are
 *  one per processor (at most one per image) whatever the current thread count (fewer threads take several
 *  each), so dW has the same bits at every count the adaptive default may switch to; oneDNN's own threaded
 *  reduction does not. False: not taken (CONVKIT_CONV_SPLIT_BWD_WEIGHTS=0, or layout any). */
bool backward_weights_split(float* dw, float* db, const float* x, const float* dy, const ConvParams& p) {
  static const bool on = env_on("CONVKIT_CONV_SPLIT_BWD_WEIGHTS");
  const int T = get_threads();
  const int S = static_cast<int>(std::min<int64_t>(default_threads(), p.n));
  if (!on || conv_layout_any()) return false;
  const bool with_bias = db != nullptr;
  std::vector<Plan*> parts(S);
  std::vector<int64_t> start(S + 1);
  for (int i = 0; i <= S; i++) start[i] = i * p.n / S;
  for (int i = 0; i < S; i++) {
    ConvParams q = p;
    q.n = start[i + 1] - start[i];
    auto key = key_of(5, q, with_bias);
    key.push_back(i);
    parts[i] = &g_cache.get(key, [&] {
      SingleThreadedScope one(T);
      auto plan = backward_weights_plan(q, with_bias);
      plan->part.resize(p.kh * p.kw * p.ci / p.groups * p.co + p.co);
      return plan;
    });
  }
  for (int i = 0; i < S; i++) slice_stream(i);
  const int64_t xs = p.h * p.w * p.ci, ys = p.oh * p.ow * p.co, nw = p.kh * p.kw * p.ci / p.groups * p.co;
  std::exception_ptr error;  // exceptions must not leave the parallel region
#pragma omp parallel num_threads(T < S ? T : S)
  for (int i = omp_get_thread_num(); i < S; i += omp_get_num_threads()) {
    Plan& pl = *parts[i];
    float* w_out = i == 0 ? dw : pl.part.data();
    float* b_out = !with_bias ? nullptr : i == 0 ? db : pl.part.data() + nw;
    try {
      run_backward_weights(pl, w_out, b_out, x + start[i] * xs, dy + start[i] * ys, slice_stream(i));
    } catch (...) {
#pragma omp critical(ck_split_error)
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  for (int i = 1; i < S; i++) {
    const float* src = parts[i]->part.data();
#pragma omp simd
    for (int64_t j = 0; j < nw; j++) dw[j] += src[j];
    if (with_bias)
      for (int64_t j = 0; j < p.co; j++) db[j] += src[nw + j];
  }
  return true;
}

}  // namespace

void conv2d_forward(float* y, const float* x, const float* w, const float* b, const ConvParams& p) {
  if (small_kernels_on() && conv2d_forward_small(y, x, w, b, p)) return;  // its relu keeps NaN itself
  // oneDNN's fused relu turns NaN into 0; NaN can only come from a non-finite input, so fuse only without one.
  ConvParams q = p;
  q.relu = p.relu && all_finite(x, p.n * p.h * p.w * p.ci) && all_finite(w, p.kh * p.kw * (p.ci / p.groups) * p.co) &&
           (!b || all_finite(b, p.co));
  {
    std::lock_guard<std::mutex> lock(dnnl_mutex());
    apply_threads();
    bool with_bias = b != nullptr;
    Plan& plan = g_cache.get(key_of(0, q, with_bias), [&] { return forward_plan(q, with_bias, q.relu, winograd_ok(q)); });
    run_forward(plan, y, x, w, b);
  }
  if (p.relu && !q.relu) relu_keep_nan(y, p.n * p.oh * p.ow * p.co);
}

void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvParams& p) {
  std::lock_guard<std::mutex> lock(dnnl_mutex());
  apply_threads();
  if (winograd_ok(p) && p.pt < p.kh && p.pb < p.kh && p.pl < p.kw && p.pr < p.kw) {
    Plan& plan = g_cache.get(key_of(3, p, false), [&] {
      auto plan = forward_plan(flipped_params(p), false, false, true);
      plan->flipped.resize(p.kh * p.kw * p.ci * p.co);
      return plan;
    });
    float* f = plan.flipped.data();
    flip_kernel(f, w, p);
    run_forward(plan, dx, dy, f, nullptr);
    return;
  }
  Plan& plan = g_cache.get(key_of(1, p, false), [&] {
    auto plan = std::make_unique<Plan>();
    Mds m = make_mds(p, conv_layout_any());
    auto hint = forward_pd(p, m, false, false);
    auto attr = scratch_attr();
#if DNNL_VERSION_MAJOR >= 3
    dnnl::convolution_backward_data::primitive_desc pd(cpu_engine(), dnnl::algorithm::convolution_direct, m.src_a, m.wei_a, m.dst_a,
                                                       m.strides, m.dil, m.pl, m.pr, hint, attr);
#else
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, m.src_a, m.wei_a, m.dst_a, m.strides, m.dil, m.pl,
                                            m.pr);
    dnnl::convolution_backward_data::primitive_desc pd(d, attr, cpu_engine(), hint);
#endif
    plan->prim = dnnl::convolution_backward_data(pd);
    plan->a.init(m.dst, pd.diff_dst_desc(), true);
    plan->b.init(m.wei, pd.weights_desc(), true);  // the backward-data layout, not the forward one
    plan->c.init(m.src, pd.diff_src_desc(), false);
    plan->args = {{DNNL_ARG_DIFF_DST, plan->a.mem()}, {DNNL_ARG_WEIGHTS, plan->b.mem()}, {DNNL_ARG_DIFF_SRC, plan->c.mem()}};
    finish_plan(*plan, pd.scratchpad_desc());
    return plan;
  });
  auto& s = cpu_stream();
  plan.a.bind(dy, s);
  plan.b.bind(w, s);
  plan.c.bind(dx, s);
  plan.prim.execute(s, plan.args);
  plan.c.finish(s);
  s.wait();
}

void conv2d_backward_weights(float* dw, float* db, const float* x, const float* dy, const ConvParams& p) {
  if (small_kernels_on() && conv2d_backward_weights_small(dw, db, x, dy, p)) return;
  std::lock_guard<std::mutex> lock(dnnl_mutex());
  apply_threads();
  if (backward_weights_split(dw, db, x, dy, p)) return;
  bool with_bias = db != nullptr;
  Plan& plan = g_cache.get(key_of(2, p, with_bias), [&] { return backward_weights_plan(p, with_bias); });
  run_backward_weights(plan, dw, with_bias ? db : nullptr, x, dy, cpu_stream());
}

}  // namespace ck
