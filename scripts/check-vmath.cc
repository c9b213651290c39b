// Exhaustive accuracy check of native/vmath.h against double-precision libm over every float32
// input: the largest error in ulps of the float32 result, and how many results differ from the
// correctly rounded one. Not part of the build or CI (run by hand after changing vmath.h):
//   g++ -O2 -ffp-contract=off -std=c++17 scripts/check-vmath.cc -o /tmp/check-vmath && /tmp/check-vmath
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../native/vmath.h"

static double ulpOf(double ref) {
  float f = static_cast<float>(ref);
  if (std::isinf(f)) return std::ldexp(1.0, 104);
  float next = std::nextafter(std::fabs(f), INFINITY);
  return next - std::fabs(f) > 0 ? next - std::fabs(f) : std::ldexp(1.0, -149);
}

template <typename F, typename R>
static void check(const char* name, F f, R ref) {
  double worst = 0;
  float worstX = 0;
  uint64_t off = 0, bad = 0;
  for (uint64_t u = 0; u < (1ull << 32); ++u) {
    uint32_t b = static_cast<uint32_t>(u);
    float x;
    std::memcpy(&x, &b, 4);
    const float got = f(x);
    const double want = ref(static_cast<double>(x));
    if (std::isnan(want) || std::isnan(got)) {
      if (std::isnan(want) != std::isnan(got)) ++bad;
      continue;
    }
    if (got != static_cast<float>(want)) ++off;
    if (std::isinf(got) || std::isinf(static_cast<float>(want))) {
      if (got != static_cast<float>(want)) ++bad;
      continue;
    }
    const double e = std::fabs(got - want) / ulpOf(want);
    if (e > worst) worst = e, worstX = x;
  }
  std::printf("%-8s max error %.3f ulp (at %.9g), %llu not correctly rounded, %llu wrong special values\n", name,
              worst, worstX, static_cast<unsigned long long>(off), static_cast<unsigned long long>(bad));
}

int main() {
  check("exp", vmath::expf, [](double x) { return std::exp(x); });
  check("sigmoid", vmath::sigmoidf, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
  check("tanh", vmath::tanhf, [](double x) { return std::tanh(x); });
}
