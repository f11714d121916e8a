// Image kernels for data pipelines, OpenMP over output rows: resize (TensorFlow tf.image.resize semantics:
// half-pixel centers, bilinear / nearest / area, no antialias) and projective transforms with TensorFlow's
// ImageProjectiveTransformV3 coordinate mapping and fill modes.
#include <algorithm>
#include <cmath>

#include "kernels.h"

namespace ck {

void resize_images(float* y, const float* x, int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow, int method) {
  apply_threads();
  const double sy = static_cast<double>(h) / oh, sx = static_cast<double>(w) / ow;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; b++)
    for (int64_t oy = 0; oy < oh; oy++) {
      const float* img = x + b * h * w * c;
      for (int64_t ox = 0; ox < ow; ox++) {
        float* out = y + ((b * oh + oy) * ow + ox) * c;
        if (method == kNearest) {
          int64_t iy = std::min(static_cast<int64_t>(std::floor((oy + 0.5) * sy)), h - 1);
          int64_t ix = std::min(static_cast<int64_t>(std::floor((ox + 0.5) * sx)), w - 1);
          for (int64_t k = 0; k < c; k++) out[k] = img[(iy * w + ix) * c + k];
        } else if (method == kBilinear) {
          double fy = (oy + 0.5) * sy - 0.5, fx = (ox + 0.5) * sx - 0.5;
          double fly = std::floor(fy), flx = std::floor(fx);
          int64_t y0 = std::max<int64_t>(static_cast<int64_t>(fly), 0), y1 = std::min<int64_t>(static_cast<int64_t>(std::ceil(fy)), h - 1);
          int64_t x0 = std::max<int64_t>(static_cast<int64_t>(flx), 0), x1 = std::min<int64_t>(static_cast<int64_t>(std::ceil(fx)), w - 1);
          double ly = fy - fly, lx = fx - flx;
          for (int64_t k = 0; k < c; k++) {
            double top = img[(y0 * w + x0) * c + k] + (img[(y0 * w + x1) * c + k] - img[(y0 * w + x0) * c + k]) * lx;
            double bot = img[(y1 * w + x0) * c + k] + (img[(y1 * w + x1) * c + k] - img[(y1 * w + x0) * c + k]) * lx;
            out[k] = static_cast<float>(top + (bot - top) * ly);
          }
        } else {  // area: box average over [o * s, (o + 1) * s) with fractional edge weights
          double y0 = oy * sy, y1 = (oy + 1) * sy, x0 = ox * sx, x1 = (ox + 1) * sx;
          for (int64_t k = 0; k < c; k++) out[k] = 0.f;
          double total = 0;
          for (int64_t iy = static_cast<int64_t>(std::floor(y0)); iy < std::min<int64_t>(static_cast<int64_t>(std::ceil(y1)), h); iy++) {
            double wy = std::min<double>(iy + 1, y1) - std::max<double>(iy, y0);
            for (int64_t ix = static_cast<int64_t>(std::floor(x0)); ix < std::min<int64_t>(static_cast<int64_t>(std::ceil(x1)), w); ix++) {
              double wx = std::min<double>(ix + 1, x1) - std::max<double>(ix, x0), wgt = wy * wx;
              total += wgt;
              for (int64_t k = 0; k < c; k++) out[k] += static_cast<float>(wgt * img[(iy * w + ix) * c + k]);
            }
          }
          for (int64_t k = 0; k < c; k++) out[k] = static_cast<float>(out[k] / total);
        }
      }
    }
}

namespace {

/** TensorFlow's MapCoordinate for one axis of length len. */
double map_coord(double v, int64_t len, int mode) {
  if (mode == kConstant) return v;
  if (mode == kFillNearest) return std::min(std::max(v, 0.0), static_cast<double>(len - 1));
  if (len <= 1) return 0;
  if (mode == kReflect) {
    double sz2 = 2.0 * len;
    if (v < 0) {
      if (v < -sz2) v = sz2 * static_cast<int64_t>(-v / sz2) + v;
      v = v < -len ? v + sz2 : -v - 1;
    } else if (v > len - 1) {
      v -= sz2 * static_cast<int64_t>(v / sz2);
      if (v >= len) v = sz2 - v - 1;
    }
  } else {  // wrap
    double sz = len - 1.0;
    if (v < 0) v += len * (static_cast<int64_t>(-v / sz) + 1);
    else if (v > len - 1) v -= len * static_cast<int64_t>(v / sz);
  }
  return std::min(std::max(v, 0.0), static_cast<double>(len - 1));
}

}  // namespace

void affine_transform(float* y, const float* x, const float* transforms, int64_t n, int64_t h, int64_t w, int64_t c,
                      bool bilinear, int fill_mode, double fill_value) {
  apply_threads();
  const float fill = static_cast<float>(fill_value);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; b++)
    for (int64_t oy = 0; oy < h; oy++) {
      double t[8];  // in double: float products would round differently from the reference at .5 boundaries
      for (int i = 0; i < 8; i++) t[i] = transforms[b * 8 + i];
      const float* img = x + b * h * w * c;
      auto read = [&](int64_t iy, int64_t ix, int64_t k) -> double {
        return iy >= 0 && iy < h && ix >= 0 && ix < w ? img[(iy * w + ix) * c + k] : fill;
      };
      for (int64_t ox = 0; ox < w; ox++) {
        float* out = y + ((b * h + oy) * w + ox) * c;
        double k = t[6] * ox + t[7] * oy + 1.0;
        if (k == 0) {
          for (int64_t ch = 0; ch < c; ch++) out[ch] = fill;
          continue;
        }
        double fx = map_coord((t[0] * ox + t[1] * oy + t[2]) / k, w, fill_mode);
        double fy = map_coord((t[3] * ox + t[4] * oy + t[5]) / k, h, fill_mode);
        if (!bilinear) {
          int64_t iy = static_cast<int64_t>(std::round(fy)), ix = static_cast<int64_t>(std::round(fx));
          for (int64_t ch = 0; ch < c; ch++) out[ch] = static_cast<float>(read(iy, ix, ch));
          continue;
        }
        double y0 = std::floor(fy), x0 = std::floor(fx), y1 = y0 + 1, x1 = x0 + 1;
        int64_t iy0 = static_cast<int64_t>(y0), ix0 = static_cast<int64_t>(x0);
        for (int64_t ch = 0; ch < c; ch++) {
          double top = (x1 - fx) * read(iy0, ix0, ch) + (fx - x0) * read(iy0, ix0 + 1, ch);
          double bot = (x1 - fx) * read(iy0 + 1, ix0, ch) + (fx - x0) * read(iy0 + 1, ix0 + 1, ch);
          out[ch] = static_cast<float>((y1 - fy) * top + (fy - y0) * bot);
        }
      }
    }
}

}  // namespace ck
