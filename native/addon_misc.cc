// N-API glue for the plain-loop kernels (pooling, batch norm, activations, losses, randomness, element-wise,
// optimizers, image ops, threads): unpack, check buffer kinds and lengths, call, translate exceptions.
#include "addon.h"

namespace ck_glue {
namespace {

using Fn = Napi::Value (*)(const Info&);
#define UNDEF return info.Env().Undefined()

ck::PoolParams pool_params(const Args& a, size_t i) {
  auto v = a.params(i, 12);
  return {(int64_t)v[0], (int64_t)v[1], (int64_t)v[2], (int64_t)v[3], (int64_t)v[4], (int64_t)v[5],
          (int64_t)v[6], (int64_t)v[7], (int64_t)v[8], (int64_t)v[9], (int64_t)v[10], (int64_t)v[11]};
}
std::string pool_shapes(const ck::PoolParams& p) {
  return "x=" + dims({p.n, p.h, p.w, p.c}) + " pool=" + dims({p.ph, p.pw}) + " strides=" + dims({p.sh, p.sw}) + " y=" + dims({p.n, p.oh, p.ow, p.c});
}
auto lengths(const Info& info) {
  return [&info] {
    std::string s = "buffers of lengths [";
    for (size_t i = 0; i < info.Length(); i++)
      if (info[i].IsTypedArray()) s += std::to_string(info[i].As<Napi::TypedArray>().ElementLength()) + ",";
    return s + "]";
  };
}

Napi::Value MaxPoolForward(const Info& info) {
  Args a{info, "maxPool2dForward"};
  auto p = pool_params(a, 3);
  int64_t out = p.n * p.oh * p.ow * p.c;
  float* y = a.f32(0, "y", out);
  int32_t* am = a.i32(1, "argmax", out);
  const float* x = a.f32(2, "x", p.n * p.h * p.w * p.c);
  guarded(a, [&] { return pool_shapes(p); }, [&] { ck::max_pool_forward(y, am, x, p); });
  UNDEF;
}
Napi::Value MaxPoolBackward(const Info& info) {
  Args a{info, "maxPool2dBackward"};
  auto p = pool_params(a, 3);
  int64_t out = p.n * p.oh * p.ow * p.c, in = p.n * p.h * p.w * p.c;
  float* dx = a.f32(0, "dx", in);
  const float* dy = a.f32(1, "dy", out);
  const int32_t* am = a.i32(2, "argmax", out);
  for (int64_t i = 0; i < out; i++)
    if (am[i] >= in) a.fail("invalid 'argmax'. Expected indices below " + std::to_string(in) + ", received " + std::to_string(am[i]) + ".");
  guarded(a, [&] { return pool_shapes(p); }, [&] { ck::max_pool_backward(dx, dy, am, p); });
  UNDEF;
}
Napi::Value AvgPoolForward(const Info& info) {
  Args a{info, "avgPool2dForward"};
  auto p = pool_params(a, 2);
  float* y = a.f32(0, "y", p.n * p.oh * p.ow * p.c);
  const float* x = a.f32(1, "x", p.n * p.h * p.w * p.c);
  guarded(a, [&] { return pool_shapes(p); }, [&] { ck::avg_pool_forward(y, x, p); });
  UNDEF;
}
Napi::Value AvgPoolBackward(const Info& info) {
  Args a{info, "avgPool2dBackward"};
  auto p = pool_params(a, 2);
  float* dx = a.f32(0, "dx", p.n * p.h * p.w * p.c);
  const float* dy = a.f32(1, "dy", p.n * p.oh * p.ow * p.c);
  guarded(a, [&] { return pool_shapes(p); }, [&] { ck::avg_pool_backward(dx, dy, p); });
  UNDEF;
}
Napi::Value GlobalPoolForward(const Info& info) {
  Args a{info, "globalPool2dForward"};
  auto v = a.params(2, 4);
  int64_t n = v[0], hw = v[1], c = v[2];
  float* y = a.f32(0, "y", n * c);
  const float* x = a.f32(1, "x", n * hw * c);
  guarded(a, lengths(info), [&] { ck::global_pool_forward(y, x, n, hw, c, v[3] != 0); });
  UNDEF;
}
Napi::Value GlobalPoolBackward(const Info& info) {
  Args a{info, "globalPool2dBackward"};
  auto v = a.params(3, 4);
  int64_t n = v[0], hw = v[1], c = v[2];
  float* dx = a.f32(0, "dx", n * hw * c);
  const float* dy = a.f32(1, "dy", n * c);
  const float* x = a.f32(2, "x", n * hw * c);
  guarded(a, lengths(info), [&] { ck::global_pool_backward(dx, dy, x, n, hw, c, v[3] != 0); });
  UNDEF;
}

Napi::Value BnTraining(const Info& info) {
  Args a{info, "batchNormForwardTraining"};
  auto v = a.params(8, 4);
  int64_t count = v[0], c = v[1];
  float* y = a.f32(0, "y", count * c);
  float* mean = a.f32(1, "saveMean", c);
  float* inv = a.f32(2, "saveInvStd", c);
  const float* x = a.f32(3, "x", count * c);
  const float* g = a.f32(4, "gamma", c);
  const float* b = a.f32(5, "beta", c);
  float* mm = a.f32(6, "movingMean", c);
  float* mv = a.f32(7, "movingVar", c);
  guarded(a, lengths(info), [&] { ck::batch_norm_forward_training(y, mean, inv, x, g, b, mm, mv, count, c, v[2], v[3]); });
  UNDEF;
}
Napi::Value BnInference(const Info& info) {
  Args a{info, "batchNormForwardInference"};
  auto v = a.params(6, 3);
  int64_t count = v[0], c = v[1];
  float* y = a.f32(0, "y", count * c);
  const float* x = a.f32(1, "x", count * c);
  const float* g = a.f32(2, "gamma", c);
  const float* b = a.f32(3, "beta", c);
  const float* mm = a.f32(4, "movingMean", c);
  const float* mv = a.f32(5, "movingVar", c);
  guarded(a, lengths(info), [&] { ck::batch_norm_forward_inference(y, x, g, b, mm, mv, count, c, v[2]); });
  UNDEF;
}
Napi::Value BnBackward(const Info& info) {
  Args a{info, "batchNormBackward"};
  auto v = a.params(8, 3);
  int64_t count = v[0], c = v[1];
  float* dx = a.f32(0, "dx", count * c);
  float* dg = a.f32(1, "dGamma", c);
  float* db = a.f32(2, "dBeta", c);
  const float* dy = a.f32(3, "dy", count * c);
  const float* x = a.f32(4, "x", count * c);
  const float* g = a.f32(5, "gamma", c);
  const float* mean = a.f32(6, "saveMean", c);
  const float* inv = a.f32(7, "saveInvStd", c);
  guarded(a, lengths(info), [&] { ck::batch_norm_backward(dx, dg, db, dy, x, g, mean, inv, count, c, v[2] != 0); });
  UNDEF;
}

ck::ActParams act_params(const Args& a, size_t i) {
  auto v = a.params(i, 6);
  return {(int)v[0], v[1], v[2], v[3], v[4] != 0, (int64_t)v[5]};
}
Napi::Value ActForward(const Info& info) {
  Args a{info, "activationForward"};
  auto p = act_params(a, 2);
  int64_t len = a.len(1);
  float* y = a.f32(0, "y", len);
  const float* x = a.f32(1, "x", len);
  if (p.kind == ck::kSoftmax && (p.axis_size <= 0 || len % p.axis_size)) a.fail("invalid 'axisSize'. Expected a divisor of the length.");
  guarded(a, lengths(info), [&] { ck::activation_forward(y, x, len, p); });
  UNDEF;
}
Napi::Value ActBackward(const Info& info) {
  Args a{info, "activationBackward"};
  auto p = act_params(a, 4);
  int64_t len = a.len(1);
  float* dx = a.f32(0, "dx", len);
  const float* dy = a.f32(1, "dy", len);
  const float* x = a.f32(2, "x", len);
  const float* y = a.f32(3, "y", len);
  if (p.kind == ck::kSoftmax && (p.axis_size <= 0 || len % p.axis_size)) a.fail("invalid 'axisSize'. Expected a divisor of the length.");
  guarded(a, lengths(info), [&] { ck::activation_backward(dx, dy, x, y, len, p); });
  UNDEF;
}

Napi::Value LossForward(const Info& info) {
  Args a{info, "lossForward"};
  auto v = a.params(5, 5);
  int kind = (int)v[0];
  int64_t n = v[1], classes = v[2];
  float* losses = a.f32(0, "losses", n);
  float* d = a.f32(1, "dInput", n * classes, true);
  const float* input = a.f32(2, "input", n * classes);
  const float* target = a.f32(3, "target", kind == ck::kSparseCategorical ? n : n * classes);
  const float* sw = a.f32(4, "sampleWeight", n, true);
  int64_t bad = -1;
  guarded(a, lengths(info), [&] { bad = ck::loss_forward(losses, d, input, target, sw, kind, n, classes, v[3] != 0, v[4]); });
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

Napi::Value Random(const Info& info) {
  Args a{info, "random"};
  auto v = a.params(1, 5);
  float* out = a.f32(0, "out");
  int64_t len = a.len(0);
  guarded(a, lengths(info), [&] { ck::random_fill(out, len, v[0], v[1], (int)v[2], v[3], v[4]); });
  UNDEF;
}
Napi::Value Dropout(const Info& info) {
  Args a{info, "dropoutForward"};
  auto v = a.params(3, 6);
  int64_t len = a.len(2);
  float* y = a.f32(0, "y", len);
  float* mask = a.f32(1, "mask", len);
  const float* x = a.f32(2, "x", len);
  guarded(a, lengths(info), [&] { ck::dropout_forward(y, mask, x, len, v[0], v[1], v[2], (int64_t)v[3], (int64_t)v[4], (int64_t)v[5]); });
  UNDEF;
}

Napi::Value Axpby(const Info& info) {
  Args a{info, "axpby"};
  int64_t len = a.len(0);
  float* out = a.f32(0, "out");
  const float* x = a.f32(1, "a", len);
  const float* y = a.f32(2, "b", len);
  ck::axpby(out, x, y, len, a.num(3), a.num(4));
  UNDEF;
}
Napi::Value Multiply(const Info& info) {
  Args a{info, "multiply"};
  int64_t len = a.len(0);
  float* out = a.f32(0, "out");
  ck::multiply(out, a.f32(1, "a", len), a.f32(2, "b", len), len);
  UNDEF;
}
Napi::Value Scale(const Info& info) {
  Args a{info, "scale"};
  int64_t len = a.len(0);
  float* out = a.f32(0, "out");
  ck::scale(out, a.f32(1, "x", len), len, a.num(2));
  UNDEF;
}
Napi::Value Clip(const Info& info) {
  Args a{info, "clip"};
  int64_t len = a.len(0);
  float* out = a.f32(0, "out");
  ck::clip(out, a.f32(1, "x", len), len, a.num(2), a.num(3));
  UNDEF;
}
Napi::Value SumRows(const Info& info) {
  Args a{info, "sumRows"};
  int64_t rows = a.num(2), cols = a.num(3);
  float* out = a.f32(0, "out", cols);
  ck::sum_rows(out, a.f32(1, "x", rows * cols), rows, cols);
  UNDEF;
}
Napi::Value SumSquares(const Info& info) {
  Args a{info, "sumSquares"};
  return Napi::Number::New(info.Env(), ck::sum_squares(a.f32(0, "x"), a.len(0)));
}
Napi::Value ArgmaxRows(const Info& info) {
  Args a{info, "argmaxRows"};
  int64_t rows = a.num(2), cols = a.num(3);
  int32_t* out = a.i32(0, "out", rows);
  ck::argmax_rows(out, a.f32(1, "x", rows * cols), rows, cols);
  UNDEF;
}

Napi::Value Sgd(const Info& info) {
  Args a{info, "sgdUpdate"};
  auto v = a.params(3, 4);
  int64_t len = a.len(0);
  float* p = a.f32(0, "param");
  ck::sgd_update(p, a.f32(1, "grad", len), a.f32(2, "velocity", len, true), len, v[0], v[1], v[2] != 0, v[3]);
  UNDEF;
}
Napi::Value Adam(const Info& info) {
  Args a{info, "adamUpdate"};
  auto v = a.params(4, 6);
  int64_t len = a.len(0);
  float* p = a.f32(0, "param");
  ck::adam_update(p, a.f32(1, "grad", len), a.f32(2, "m", len), a.f32(3, "v", len), len, v[0], v[1], v[2], v[3], v[4], v[5]);
  UNDEF;
}
Napi::Value Rmsprop(const Info& info) {
  Args a{info, "rmspropUpdate"};
  auto v = a.params(5, 6);
  int64_t len = a.len(0);
  float* p = a.f32(0, "param");
  ck::rmsprop_update(p, a.f32(1, "grad", len), a.f32(2, "meanSquare", len), a.f32(3, "meanGrad", len, true),
                     a.f32(4, "momentumBuf", len, true), len, v[0], v[1], v[2], v[3], v[4] != 0, v[5]);
  UNDEF;
}

Napi::Value Resize(const Info& info) {
  Args a{info, "resizeImages"};
  auto v = a.params(2, 7);
  int64_t n = v[0], h = v[1], w = v[2], c = v[3], oh = v[4], ow = v[5];
  float* y = a.f32(0, "y", n * oh * ow * c);
  const float* x = a.f32(1, "x", n * h * w * c);
  guarded(a, lengths(info), [&] { ck::resize_images(y, x, n, h, w, c, oh, ow, (int)v[6]); });
  UNDEF;
}
Napi::Value Affine(const Info& info) {
  Args a{info, "affineTransform"};
  auto v = a.params(3, 7);
  int64_t n = v[0], h = v[1], w = v[2], c = v[3];
  float* y = a.f32(0, "y", n * h * w * c);
  const float* x = a.f32(1, "x", n * h * w * c);
  const float* t = a.f32(2, "transforms", n * 8);
  guarded(a, lengths(info), [&] { ck::affine_transform(y, x, t, n, h, w, c, v[4] != 0, (int)v[5], v[6]); });
  UNDEF;
}

Napi::Value SetThreads(const Info& info) {
  ck::set_threads(static_cast<int>(info[0].As<Napi::Number>().Int32Value()));
  UNDEF;
}
Napi::Value GetThreads(const Info& info) { return Napi::Number::New(info.Env(), ck::get_threads()); }

}  // namespace

void register_misc(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Fn> fns[] = {
      {"maxPool2dForward", MaxPoolForward}, {"maxPool2dBackward", MaxPoolBackward}, {"avgPool2dForward", AvgPoolForward},
      {"avgPool2dBackward", AvgPoolBackward}, {"globalPool2dForward", GlobalPoolForward}, {"globalPool2dBackward", GlobalPoolBackward},
      {"batchNormForwardTraining", BnTraining}, {"batchNormForwardInference", BnInference}, {"batchNormBackward", BnBackward},
      {"activationForward", ActForward}, {"activationBackward", ActBackward}, {"lossForward", LossForward},
      {"random", Random}, {"dropoutForward", Dropout}, {"axpby", Axpby}, {"multiply", Multiply}, {"scale", Scale},
      {"clip", Clip}, {"sumRows", SumRows}, {"sumSquares", SumSquares}, {"argmaxRows", ArgmaxRows},
      {"sgdUpdate", Sgd}, {"adamUpdate", Adam}, {"rmspropUpdate", Rmsprop}, {"resizeImages", Resize},
      {"affineTransform", Affine}, {"setThreads", SetThreads}, {"getThreads", GetThreads},
  };
  for (auto& [name, fn] : fns) exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace ck_glue
