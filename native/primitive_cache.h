// A map from a kernel's full attribute key (shapes, strides, pads, flags, thread count) to the plan built for it
// once: oneDNN primitives plus the memory objects, reorders and scratch buffers they execute with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ck {

template <class Plan>
class PlanCache {
 public:
  /** The plan for `key`, built by `make()` the first time. Callers hold dnnl_mutex(). */
  template <class Make>
  Plan& get(const std::vector<int64_t>& key, Make make) {
    std::string k(reinterpret_cast<const char*>(key.data()), key.size() * sizeof(int64_t));
    auto it = plans_.find(k);
    if (it != plans_.end()) return *it->second;
    auto plan = make();
    Plan& ref = *plan;
    plans_.emplace(std::move(k), std::move(plan));
    return ref;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans_;
};

}  // namespace ck
