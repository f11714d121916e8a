// N-API glue for the native backend, part 1: module init, conv and dense (the other kernels: addon_misc.cc).
// Unpacks typed arrays (zero-copy) and numeric parameter arrays, checks buffer kinds and lengths, calls the
// C-like kernels, and turns any C++/oneDNN exception into a JS Error naming the kernel and shapes. No math here.
#include "addon.h"

namespace {

using namespace ck_glue;

// params: [N, H, W, CI, CO, KH, KW, SH, SW, DH, DW, PT, PB, PL, PR, G, OH, OW, relu]
ck::ConvParams conv_params(const Args& a, size_t i) {
  auto v = a.params(i, 19);
  ck::ConvParams p{};
  int64_t* f[] = {&p.n, &p.h, &p.w, &p.ci, &p.co, &p.kh, &p.kw, &p.sh, &p.sw, &p.dh, &p.dw, &p.pt, &p.pb, &p.pl, &p.pr, &p.groups, &p.oh, &p.ow};
  for (int k = 0; k < 18; k++) *f[k] = static_cast<int64_t>(v[k]);
  p.relu = v[18] != 0;
  // Sizes, strides and dilations below 1 (or negative pads) would divide by zero or index out of bounds in the kernels.
  for (int k = 0; k < 11; k++)
    if (*f[k] < 1) a.fail("batch, sizes, channels, kernel, strides and dilations must be >= 1.");
  for (int k = 11; k < 15; k++)
    if (*f[k] < 0) a.fail("pads must be >= 0.");
  if (p.oh < 1 || p.ow < 1) a.fail("the output height and width must be >= 1.");
  if (p.groups <= 0 || p.ci % p.groups || p.co % p.groups) a.fail("groups must divide inChannels and outChannels.");
  return p;
}
std::string conv_shapes(const ck::ConvParams& p) {
  return "x=" + dims({p.n, p.h, p.w, p.ci}) + " w=" + dims({p.kh, p.kw, p.ci / p.groups, p.co}) + " y=" + dims({p.n, p.oh, p.ow, p.co}) +
         " strides=" + dims({p.sh, p.sw}) + " dilations=" + dims({p.dh, p.dw}) + " pads(t,b,l,r)=" + dims({p.pt, p.pb, p.pl, p.pr}) +
         " groups=" + std::to_string(p.groups);
}

Napi::Value Conv2dForward(const Info& info) {
  Args a{info, "conv2dForward"};
  auto p = conv_params(a, 4);
  float* y = a.f32(0, "y", p.n * p.oh * p.ow * p.co);
  const float* x = a.f32(1, "x", p.n * p.h * p.w * p.ci);
  const float* w = a.f32(2, "w", p.kh * p.kw * p.ci / p.groups * p.co);
  const float* b = a.f32(3, "b", p.co, true);
  guarded(a, [&] { return conv_shapes(p); }, [&] { ck::conv2d_forward(y, x, w, b, p); });
  return info.Env().Undefined();
}

Napi::Value Conv2dBackwardData(const Info& info) {
  Args a{info, "conv2dBackwardData"};
  auto p = conv_params(a, 3);
  float* dx = a.f32(0, "dx", p.n * p.h * p.w * p.ci);
  const float* dy = a.f32(1, "dy", p.n * p.oh * p.ow * p.co);
  const float* w = a.f32(2, "w", p.kh * p.kw * p.ci / p.groups * p.co);
  guarded(a, [&] { return conv_shapes(p); }, [&] { ck::conv2d_backward_data(dx, dy, w, p); });
  return info.Env().Undefined();
}

Napi::Value Conv2dBackwardWeights(const Info& info) {
  Args a{info, "conv2dBackwardWeights"};
  auto p = conv_params(a, 4);
  float* dw = a.f32(0, "dw", p.kh * p.kw * p.ci / p.groups * p.co);
  float* db = a.f32(1, "db", p.co, true);
  const float* x = a.f32(2, "x", p.n * p.h * p.w * p.ci);
  const float* dy = a.f32(3, "dy", p.n * p.oh * p.ow * p.co);
  guarded(a, [&] { return conv_shapes(p); }, [&] { ck::conv2d_backward_weights(dw, db, x, dy, p); });
  return info.Env().Undefined();
}

// dense params: [N, IN, OUT, relu]
std::string dense_shapes(int64_t n, int64_t in, int64_t out) {
  return "x=" + dims({n, in}) + " w=" + dims({in, out}) + " y=" + dims({n, out});
}

Napi::Value DenseForward(const Info& info) {
  Args a{info, "denseForward"};
  auto v = a.params(4, 4);
  int64_t n = v[0], in = v[1], out = v[2];
  float* y = a.f32(0, "y", n * out);
  const float* x = a.f32(1, "x", n * in);
  const float* w = a.f32(2, "w", in * out);
  const float* b = a.f32(3, "b", out, true);
  guarded(a, [&] { return dense_shapes(n, in, out); }, [&] { ck::dense_forward(y, x, w, b, n, in, out, v[3] != 0); });
  return info.Env().Undefined();
}

Napi::Value DenseBackwardData(const Info& info) {
  Args a{info, "denseBackwardData"};
  auto v = a.params(3, 3);
  int64_t n = v[0], in = v[1], out = v[2];
  float* dx = a.f32(0, "dx", n * in);
  const float* dy = a.f32(1, "dy", n * out);
  const float* w = a.f32(2, "w", in * out);
  guarded(a, [&] { return dense_shapes(n, in, out); }, [&] { ck::dense_backward_data(dx, dy, w, n, in, out); });
  return info.Env().Undefined();
}

Napi::Value DenseBackwardWeights(const Info& info) {
  Args a{info, "denseBackwardWeights"};
  auto v = a.params(4, 3);
  int64_t n = v[0], in = v[1], out = v[2];
  float* dw = a.f32(0, "dw", in * out);
  float* db = a.f32(1, "db", out, true);
  const float* x = a.f32(2, "x", n * in);
  const float* dy = a.f32(3, "dy", n * out);
  guarded(a, [&] { return dense_shapes(n, in, out); }, [&] { ck::dense_backward_weights(dw, db, x, dy, n, in, out); });
  return info.Env().Undefined();
}

// The AVX-512 switch, for tests and for machines where the AVX-512 path misbehaves (CONVKIT_AVX512=0 at start).
Napi::Value SetAvx512Kernels(const Info& info) {
  Args a{info, "setAvx512Kernels"};
  if (!info[0].IsBoolean()) a.fail("invalid 'on'. Expected true or false.");
  ck::set_avx512_kernels(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

/** Which code paths run: AVX-512 kernels compiled / on, how often they ran, and oneDNN's effective ISA. */
Napi::Value KernelInfo(const Info& info) {
  auto out = Napi::Object::New(info.Env());
  ck::cpu_engine();  // applies CONVKIT_AVX512=0 first: asking for the ISA fixes it
  const int isa = static_cast<int>(dnnl_get_effective_cpu_isa());
  out.Set("avx512Compiled", ck::avx512_compiled());
  out.Set("avx512Kernels", ck::avx512_kernels_on());
  out.Set("smallConvCalls", static_cast<double>(ck::small_conv_calls()));
  out.Set("onednnIsa", isa);
  out.Set("onednnAvx512", (isa & 0x8) != 0 || (isa & 0x20) != 0);  // avx512_mic / avx512_core families
  return out;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto set = [&](const char* name, Napi::Value (*fn)(const Info&)) { exports.Set(name, Napi::Function::New(env, fn, name)); };
  set("conv2dForward", Conv2dForward);
  set("conv2dBackwardData", Conv2dBackwardData);
  set("conv2dBackwardWeights", Conv2dBackwardWeights);
  set("denseForward", DenseForward);
  set("denseBackwardData", DenseBackwardData);
  set("denseBackwardWeights", DenseBackwardWeights);
  set("setAvx512Kernels", SetAvx512Kernels);
  set("kernelInfo", KernelInfo);
  ck_glue::register_misc(env, exports);
  ck::default_threads();  // capture OMP_NUM_THREADS before any kernel sets a count
  exports.Set("dnnlVersion", Napi::String::New(env, std::to_string(DNNL_VERSION_MAJOR) + "." + std::to_string(DNNL_VERSION_MINOR) + "." +
                                                         std::to_string(DNNL_VERSION_PATCH)));
  return exports;
}

NODE_API_MODULE(convkit_native, Init)
