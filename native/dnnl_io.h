// One user buffer bound to a oneDNN primitive argument: wraps the caller's memory zero-copy, and when the
// primitive wants another layout (blocked formats, reordered weights) owns the internal copy and the reorder.
#pragma once

#include <cstdlib>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>

#include "common.h"

namespace ck {

class BoundArg {
 public:
  /** user_md: the caller's layout; want: the primitive's. `input`: copied in before, else out after. */
  void init(const dnnl::memory::desc& user_md, const dnnl::memory::desc& want, bool input) {
    auto& eng = cpu_engine();
    user_ = dnnl::memory(user_md, eng, nullptr);
    if (want == user_md) {
      inner_ = user_;
      return;
    }
    inner_ = dnnl::memory(want, eng);  // owned scratch, allocated once with the plan
    copy_ = true;
    reorder_ = input ? dnnl::reorder(user_, inner_) : dnnl::reorder(inner_, user_);
    input_ = input;
  }
  /** Points at the caller's buffer; inputs are reordered now when needed. */
  void bind(const void* ptr, dnnl::stream& s) {
    user_.set_data_handle(const_cast<void*>(ptr));
    if (copy_ && input_) reorder_.execute(s, user_, inner_);
  }
  /** After the primitive ran: outputs are reordered back into the caller's buffer when needed. */
  void finish(dnnl::stream& s) {
    if (copy_ && !input_) reorder_.execute(s, inner_, user_);
  }
  dnnl::memory& mem() { return inner_; }

 private:
  dnnl::memory user_, inner_;
  dnnl::reorder reorder_;
  bool copy_ = false, input_ = true;
};

/** CONVKIT_CONV_LAYOUT=any lets oneDNN pick blocked activation layouts (reordered inside); default nhwc. */
inline bool conv_layout_any() {
  static const bool any = [] {
    const char* v = std::getenv("CONVKIT_CONV_LAYOUT");
    return v != nullptr && std::strcmp(v, "any") == 0;
  }();
  return any;
}

}  // namespace ck
