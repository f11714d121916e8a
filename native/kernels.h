// C-like declarations of every native kernel: outputs first, const inputs next, sizes and flags last.
// Layout is the TypeScript interface's: images (N, H, W, C), conv kernels (KH, KW, CI/groups, CO), dense (IN, OUT).
#pragma once

#include <cstdint>

#include "common.h"

namespace ck {

// conv.cc (oneDNN)
void conv2d_forward(float* y, const float* x, const float* w, const float* b, const ConvParams& p);
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvParams& p);
void conv2d_backward_weights(float* dw, float* db, const float* x, const float* dy, const ConvParams& p);
/** conv_small.cc: hand-written forward / backward weights for 1-channel 3x3 inputs; false when not covered. */
bool conv2d_forward_small(float* y, const float* x, const float* w, const float* b, const ConvParams& p);
bool conv2d_backward_weights_small(float* dw, float* db, const float* x, const float* dy, const ConvParams& p);
/** The AVX-512 switch (conv_small.cc): hand-written kernels on/off at run time (CONVKIT_AVX512=0 starts off and
 *  also limits oneDNN to AVX2); whether they were compiled in; how many convolutions they ran. */
void set_avx512_kernels(bool on);
bool avx512_compiled();
bool avx512_kernels_on();
int64_t small_conv_calls();

// dense.cc (oneDNN matmul)
void dense_forward(float* y, const float* x, const float* w, const float* b, int64_t n, int64_t in, int64_t out, bool relu);
void dense_backward_data(float* dx, const float* dy, const float* w, int64_t n, int64_t in, int64_t out);
void dense_backward_weights(float* dw, float* db, const float* x, const float* dy, int64_t n, int64_t in, int64_t out);

// pool.cc
void max_pool_forward(float* y, int32_t* argmax, const float* x, const PoolParams& p);
void max_pool_backward(float* dx, const float* dy, const int32_t* argmax, const PoolParams& p);
void avg_pool_forward(float* y, const float* x, const PoolParams& p);
void avg_pool_backward(float* dx, const float* dy, const PoolParams& p);
void global_pool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c, bool max);
void global_pool_backward(float* dx, const float* dy, const float* x, int64_t n, int64_t hw, int64_t c, bool max);

// batch_norm.cc
void batch_norm_forward_training(float* y, float* mean, float* inv_std, const float* x, const float* gamma, const float* beta,
                                 float* moving_mean, float* moving_var, int64_t count, int64_t c, double eps, double momentum);
void batch_norm_forward_inference(float* y, const float* x, const float* gamma, const float* beta, const float* moving_mean,
                                  const float* moving_var, int64_t count, int64_t c, double eps);
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* gamma,
                         const float* mean, const float* inv_std, int64_t count, int64_t c, bool training);

// eltwise.cc
enum ActKind { kLinear, kRelu, kRelu6, kLeakyRelu, kElu, kSigmoid, kHardSigmoid, kTanh, kSoftmax, kSwish, kGelu, kSoftplus };
struct ActParams {
  int kind;
  double alpha, max_value, threshold;
  bool approximate;
  int64_t axis_size;
};
void activation_forward(float* y, const float* x, int64_t len, const ActParams& a);
void activation_backward(float* dx, const float* dy, const float* x, const float* y, int64_t len, const ActParams& a);
void axpby(float* out, const float* a, const float* b, int64_t len, double alpha, double beta);
void multiply(float* out, const float* a, const float* b, int64_t len);
void scale(float* out, const float* x, int64_t len, double alpha);
void clip(float* out, const float* x, int64_t len, double low, double high);
void sum_rows(float* out, const float* x, int64_t rows, int64_t cols);
double sum_squares(const float* x, int64_t len);
void argmax_rows(int32_t* out, const float* x, int64_t rows, int64_t cols);
/** True when no value is NaN or +-Inf (the only inputs from which a matmul or convolution can produce NaN). */
bool all_finite(const float* x, int64_t len);
/** y = relu(y) in place, NaN kept (oneDNN's fused relu maps NaN to 0). */
void relu_keep_nan(float* y, int64_t len);

// loss.cc: returns -1, or the sample index of the first out-of-range sparse label.
enum LossKind { kCategorical, kSparseCategorical, kBinary, kMse };
int64_t loss_forward(float* losses, float* d_input, const float* input, const float* target, const float* sample_weight,
                     int kind, int64_t n, int64_t classes, bool from_logits, double label_smoothing);

// random.cc
enum Distribution { kUniform, kNormal, kTruncatedNormal };
void random_fill(float* out, int64_t len, double seed, double offset, int dist, double a, double b);
void dropout_forward(float* y, float* mask, const float* x, int64_t len, double rate, double seed, double offset,
                     int64_t spatial_batch, int64_t spatial_size, int64_t spatial_channels);

// optim.cc
void sgd_update(float* param, const float* grad, float* velocity, int64_t len, double lr, double momentum, bool nesterov, double wd);
void adam_update(float* param, const float* grad, float* m, float* v, int64_t len, double lr, double beta1, double beta2,
                 double eps, double step, double wd);
void rmsprop_update(float* param, const float* grad, float* mean_square, float* mean_grad, float* momentum_buf, int64_t len,
                    double lr, double rho, double momentum, double eps, bool centered, double wd);

// image.cc
enum ResizeMethod { kBilinear, kNearest, kArea };
void resize_images(float* y, const float* x, int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow, int method);
enum FillMode { kConstant, kFillNearest, kReflect, kWrap };
void affine_transform(float* y, const float* x, const float* transforms, int64_t n, int64_t h, int64_t w, int64_t c,
                      bool bilinear, int fill_mode, double fill_value);

}  // namespace ck
