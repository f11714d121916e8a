// Argument unpacking and error translation shared by the N-API glue files (addon.cc, addon_misc.cc).
#pragma once

#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "kernels.h"

namespace ck_glue {

using Info = Napi::CallbackInfo;

struct Args {
  const Info& info;
  const char* kernel;

  [[noreturn]] void fail(const std::string& msg) const {
    throw Napi::TypeError::New(info.Env(), std::string("convkit native ") + kernel + ": " + msg);
  }
  template <class T, napi_typedarray_type Kind>
  T* typed(size_t i, const char* name, int64_t need, bool nullable) const {
    Napi::Value v = info[i];
    if (nullable && (v.IsNull() || v.IsUndefined())) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != Kind)
      fail(std::string("invalid '") + name + "'. Expected " + (Kind == napi_float32_array ? "a Float32Array" : "an Int32Array") + ".");
    auto arr = v.As<Napi::TypedArrayOf<T>>();
    if (static_cast<int64_t>(arr.ElementLength()) < need)
      fail(std::string("invalid '") + name + "'. Expected at least " + std::to_string(need) + " elements, received " +
           std::to_string(arr.ElementLength()) + ".");
    return arr.Data();
  }
  float* f32(size_t i, const char* name, int64_t need = 0, bool nullable = false) const {
    return typed<float, napi_float32_array>(i, name, need, nullable);
  }
  int32_t* i32(size_t i, const char* name, int64_t need = 0) const { return typed<int32_t, napi_int32_array>(i, name, need, false); }
  int64_t len(size_t i) const { return static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength()); }
  std::vector<double> params(size_t i, size_t count) const {
    if (!info[i].IsArray()) fail("invalid 'params'. Expected an array of numbers.");
    auto arr = info[i].As<Napi::Array>();
    if (arr.Length() < count) fail("invalid 'params'. Expected " + std::to_string(count) + " numbers.");
    std::vector<double> out(count);
    for (uint32_t k = 0; k < count; k++) out[k] = arr.Get(k).As<Napi::Number>().DoubleValue();
    return out;
  }
  double num(size_t i) const { return info[i].As<Napi::Number>().DoubleValue(); }
};

/** Runs a kernel; C++/oneDNN exceptions become a JS Error naming the kernel and the shapes. */
inline void guarded(const Args& a, const std::function<std::string()>& shapes, const std::function<void()>& body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(a.info.Env(), std::string("convkit native ") + a.kernel + " failed for " + shapes() + ": oneDNN error " +
                                             std::to_string(static_cast<int>(e.status)) + " (" + e.what() + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(a.info.Env(), std::string("convkit native ") + a.kernel + " failed for " + shapes() + ": " + e.what());
  }
}

inline std::string dims(std::initializer_list<int64_t> d) {
  std::string s = "[";
  for (auto v : d) s += (s.size() > 1 ? "," : "") + std::to_string(v);
  return s + "]";
}

void register_misc(Napi::Env env, Napi::Object exports);

}  // namespace ck_glue
