// Shared helpers for the native kernels: thread-count control (OpenMP), the oneDNN engine/stream, the
// version shims that keep the code buildable on oneDNN 2.x and 3.x, and the kernel parameter structs.
#pragma once

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>
#include <oneapi/dnnl/dnnl.hpp>

namespace ck {

// ---- threads: one process-wide count; each calling thread applies it lazily (OpenMP ICVs are per thread) ----
inline std::atomic<int> g_threads{0};
inline thread_local int t_applied = -1;

/** The count when none is set: OMP_NUM_THREADS, else the processors this process may run on. Read once, at
 *  module init (Init calls it), before anything calls omp_set_num_threads. */
inline int default_threads() {
  static const int n = omp_get_max_threads();
  return n;
}
inline int get_threads() {
  int n = g_threads.load();
  return n > 0 ? n : default_threads();
}
inline void set_threads(int n) { g_threads.store(n > 0 ? n : 0); }
inline void apply_threads() {
  int n = get_threads();
  if (t_applied != n) {
    omp_set_num_threads(n);
    t_applied = n;
  }
}

// oneDNN objects are shared by every caller (main thread and worker_threads); one lock serialises their use.
inline std::mutex& dnnl_mutex() {
  static std::mutex m;
  return m;
}
/** CONVKIT_AVX512=0 limits oneDNN to AVX2 (conv_small.cc); must run before oneDNN creates anything. */
void limit_isa_from_env();
inline dnnl::engine& cpu_engine() {
  static dnnl::engine e = (limit_isa_from_env(), dnnl::engine(dnnl::engine::kind::cpu, 0));
  return e;
}
inline dnnl::stream& cpu_stream() {
  static dnnl::stream s(cpu_engine());
  return s;
}

// ---- sums split over fixed slices of the batch (conv and dense backward weights) ----
// One slice per processor, whatever the current thread count (fewer threads take several), each computed by a
// single-threaded primitive and summed in order: the same bits at every count the adaptive default may pick.

/** One stream per concurrent slice (oneDNN streams are not for concurrent use); callers hold dnnl_mutex. */
inline dnnl::stream& slice_stream(int i) {
  static std::vector<std::unique_ptr<dnnl::stream>> streams;
  while (static_cast<int>(streams.size()) <= i) streams.push_back(std::make_unique<dnnl::stream>(cpu_engine()));
  return *streams[i];
}

/** Builds primitives for the one thread they will run on (oneDNN sizes its work to the count at creation); the
 *  caller's count comes back even if building throws. */
struct SingleThreadedScope {
  int restore;
  explicit SingleThreadedScope(int restore_) : restore(restore_) { omp_set_num_threads(1); }
  ~SingleThreadedScope() { omp_set_num_threads(restore); }
};

inline void append_relu(dnnl::post_ops& po) {
#if DNNL_VERSION_MAJOR >= 3
  po.append_eltwise(dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#else
  po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#endif
}

/** Resolved convolution geometry (pads already resolved by the TypeScript side). */
struct ConvParams {
  int64_t n, h, w, ci, co, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups, oh, ow;
  bool relu;
};

struct PoolParams {
  int64_t n, h, w, c, ph, pw, sh, sw, pt, pl, oh, ow;
};

}  // namespace ck
