// The golden integer interpreter (docs/qnet-format.md semantics; docs/golden.md design).
#include "ecg/infer.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>

#include "ecg/error.h"

// Hot loops are compiled twice (with AVX2 / with POPCNT, and for baseline x86-64) and the
// dynamic linker picks by CPU feature at load time (GCC function multiversioning).
// ECG_GOLDEN_BASELINE builds one plain version (tests of the code older CPUs would run).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && !defined(ECG_GOLDEN_BASELINE)
#define ECG_HOT __attribute__((target_clones("avx2", "default")))
#define ECG_HOT_POPCNT __attribute__((target_clones("popcnt", "default")))
// 64-bit lanes: AVX-512F has the arithmetic 64-bit shift that AVX2 lacks.
#define ECG_HOT_WIDE __attribute__((target_clones("avx512f", "avx2", "default")))
#define ECG_INLINE __attribute__((always_inline)) inline  // so each clone gets its own copy
#else
#define ECG_HOT
#define ECG_HOT_POPCNT
#define ECG_HOT_WIDE
#define ECG_INLINE inline
#endif

namespace ecg {

int argmax_first(const std::int32_t* v, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return static_cast<int>(best);
}

namespace {

enum class Kernel { kNone, kAcc32, kAcc64, kXnor };

// Interval arithmetic on declared ranges, to prove accumulator widths and output ranges.
struct Interval {
  std::int64_t lo = 0, hi = 0;
};

std::int64_t abs_max(const Range& r) { return std::max(std::abs(r.lo), std::abs(r.hi)); }

struct Tap {
  std::int32_t w;
  std::int32_t offset;
};

struct Step {
  const Layer* layer = nullptr;
  Kernel kernel = Kernel::kNone;
  bool check = true;       // check outputs against out_range at run time
  bool binary_out = false; // every output is -1 or +1 (feeds XNOR layers)
  bool narrow = false;     // requant: 32-bit arithmetic is exact
  Range out_range;
  int cin_g = 0, cout_g = 0, n_terms = 0;
  int padded_len = 0;      // conv: L + pad_left + pad_right
  int phase_len = 0;       // conv with stride > 1: ceil(padded_len / stride)
  const std::int32_t* w = nullptr;  // weight tensor data
  int row_stride = 0;               // conv: distance between padded input rows
  std::vector<Tap> taps;            // conv: nonzero weights with their input offsets
  std::vector<std::size_t> tap_begin;
  std::vector<std::int64_t> bias;   // per output (0 when the layer has none)
  std::vector<std::int32_t> bias32;
  int words = 0;                    // xnor: 64-bit words per packed vector
  std::vector<std::uint64_t> wbits; // xnor: bit set where the weight is -1
};

[[noreturn]] void range_violation(const Network& net, const Layer& l, std::int64_t v, long idx) {
  const Range r = int_range(l.out_bits, l.out_signed);
  throw InputError(fmt::format("{}: layer '{}' ({}) output {} at [{}][{}] outside its {}-bit {} range [{}, {}]",
                               net.origin, l.name, layer_type_name(l.type), v, idx / std::max(1, l.out.l),
                               idx % std::max(1, l.out.l), l.out_bits, l.out_signed ? "signed" : "unsigned",
                               r.lo, r.hi));
}

// ---- conv1d / dense kernels -------------------------------------------------------------

// First output outside the declared range (found before narrowing a 64-bit sum).
struct Violation {
  long index = -1;
  std::int64_t value = 0;
};

// Multiply-accumulate conv over pre-padded (and, for stride > 1, phase-split) input rows.
// Output channel o has taps s.taps[s.tap_begin[o] .. s.tap_begin[o+1]): each a nonzero
// weight and the offset of the first input it meets, so y[o][t] = bias + sum w*in[off + t].
// Outputs are computed in blocks of kBlock held in registers across all taps.
template <typename A>
ECG_INLINE void conv_mac(const Step& s, const std::int32_t* padded, std::int32_t* y, Violation* bad) {
  constexpr int kBlock = 16;
  const Layer& l = *s.layer;
  const int lout = l.out.l;
  for (int o = 0; o < l.out.c; ++o) {
    const A b = static_cast<A>(s.bias[static_cast<std::size_t>(o)]);
    const Tap* tb = s.taps.data() + s.tap_begin[static_cast<std::size_t>(o)];
    const Tap* te = s.taps.data() + s.tap_begin[static_cast<std::size_t>(o) + 1];
    std::int32_t* yo = y + static_cast<long>(o) * lout;
    int t0 = 0;
    for (; t0 + kBlock <= lout; t0 += kBlock) {
      A acc[kBlock];
      for (int j = 0; j < kBlock; ++j) acc[j] = b;
      for (const Tap* tp = tb; tp != te; ++tp) {
        const std::int32_t* src = padded + tp->offset + t0;
        const A w = static_cast<A>(tp->w);
        for (int j = 0; j < kBlock; ++j) acc[j] += w * static_cast<A>(src[j]);
      }
      if constexpr (std::is_same_v<A, std::int64_t>) {  // 64-bit sums are range-checked before narrowing
        for (int j = 0; j < kBlock; ++j)
          if (bad->index < 0 && !s.out_range.contains(acc[j])) *bad = {static_cast<long>(o) * lout + t0 + j, acc[j]};
      }
      for (int j = 0; j < kBlock; ++j) yo[t0 + j] = static_cast<std::int32_t>(acc[j]);
    }
    for (int t = t0; t < lout; ++t) {
      A acc = b;
      for (const Tap* tp = tb; tp != te; ++tp) acc += static_cast<A>(tp->w) * static_cast<A>(padded[tp->offset + t]);
      if constexpr (std::is_same_v<A, std::int64_t>) {
        if (bad->index < 0 && !s.out_range.contains(acc)) *bad = {static_cast<long>(o) * lout + t, acc};
      }
      yo[t] = static_cast<std::int32_t>(acc);
    }
  }
}

#if defined(__GNUC__)
// 32-bit accumulation with GCC vector extensions (8 lanes; AVX2 in the avx2 clone): the
// auto-vectoriser does not keep a 16-output block in registers across the tap loop.
using V8 = std::int32_t __attribute__((vector_size(32)));

ECG_HOT void conv_mac32(const Step& s, const std::int32_t* padded, std::int32_t* y) {
  const Layer& l = *s.layer;
  const int lout = l.out.l;
  for (int o = 0; o < l.out.c; ++o) {
    const std::int32_t b = static_cast<std::int32_t>(s.bias[static_cast<std::size_t>(o)]);
    const Tap* tb = s.taps.data() + s.tap_begin[static_cast<std::size_t>(o)];
    const Tap* te = s.taps.data() + s.tap_begin[static_cast<std::size_t>(o) + 1];
    std::int32_t* yo = y + static_cast<long>(o) * lout;
    int t0 = 0;
    for (; t0 + 16 <= lout; t0 += 16) {
      V8 a0 = V8{} + b, a1 = V8{} + b;
      for (const Tap* tp = tb; tp != te; ++tp) {
        V8 x0, x1;
        std::memcpy(&x0, padded + tp->offset + t0, sizeof x0);
        std::memcpy(&x1, padded + tp->offset + t0 + 8, sizeof x1);
        const V8 w = V8{} + tp->w;
        a0 += w * x0;
        a1 += w * x1;
      }
      std::memcpy(yo + t0, &a0, sizeof a0);
      std::memcpy(yo + t0 + 8, &a1, sizeof a1);
    }
    if (t0 + 8 <= lout) {  // short rows (late layers) still get one vector
      V8 a0 = V8{} + b;
      for (const Tap* tp = tb; tp != te; ++tp) {
        V8 x0;
        std::memcpy(&x0, padded + tp->offset + t0, sizeof x0);
        a0 += (V8{} + tp->w) * x0;
      }
      std::memcpy(yo + t0, &a0, sizeof a0);
      t0 += 8;
    }
    for (int t = t0; t < lout; ++t) {
      std::int32_t acc = b;
      for (const Tap* tp = tb; tp != te; ++tp) acc += tp->w * padded[tp->offset + t];
      yo[t] = acc;
    }
  }
}
#else
void conv_mac32(const Step& s, const std::int32_t* padded, std::int32_t* y) {
  conv_mac<std::int32_t>(s, padded, y, nullptr);
}
#endif

ECG_HOT void conv_mac64(const Step& s, const std::int32_t* padded, std::int32_t* y, Violation* bad) {
  conv_mac<std::int64_t>(s, padded, y, bad);
}

// 64 bits of a bit stream starting at bit `b` (the stream has one spare word at the end).
inline std::uint64_t bits_at(const std::uint64_t* stream, long b) {
  const long w = b >> 6;
  const int sh = static_cast<int>(b & 63);
  return (stream[w] >> sh) | ((stream[w + 1] << 1) << (63 - sh));  // branch-free, sh = 0 included
}

// XNOR conv over a bit stream per group: padded time p, channel i is bit p*cin_g + i (set
// when the value is -1), so the window of output t is the contiguous n_terms = K*cin_g bits
// from t*stride*cin_g, matched against the weights packed the same way (k-major, one
// stream of `words` words per output channel). y = bias + n - 2*popcount(w ^ x).
ECG_HOT_POPCNT void conv_xnor(const Step& s, const std::uint64_t* streams, long stream_words, std::int32_t* y) {
  const Layer& l = *s.layer;
  const int lout = l.out.l, W = s.words;
  const long step = static_cast<long>(l.stride) * s.cin_g;
  const std::uint64_t last_mask = s.n_terms % 64 ? (std::uint64_t{1} << (s.n_terms % 64)) - 1 : ~std::uint64_t{0};
  constexpr int kMaxWords = 64;  // windows up to 4096 bits use the stack buffer
  std::uint64_t win_buf[kMaxWords];
  std::vector<std::uint64_t> win_heap(W > kMaxWords ? static_cast<std::size_t>(W) : 0);
  std::uint64_t* win = W > kMaxWords ? win_heap.data() : win_buf;
  for (int g = 0; g < l.groups; ++g) {
    const std::uint64_t* sg = streams + g * stream_words;
    for (int t = 0; t < lout; ++t) {
      // the window's words, extracted once and matched against every output channel
      for (int j = 0; j < W; ++j) win[j] = bits_at(sg, t * step + 64 * j);
      win[W - 1] &= last_mask;
      for (int o = g * s.cout_g; o < (g + 1) * s.cout_g; ++o) {
        const std::uint64_t* wo = s.wbits.data() + static_cast<long>(o) * W;
        int pop = 0;
        for (int j = 0; j < W; ++j) pop += __builtin_popcountll(wo[j] ^ win[j]);
        y[static_cast<long>(o) * lout + t] =
            static_cast<std::int32_t>(s.bias[static_cast<std::size_t>(o)] + s.n_terms - 2 * pop);
      }
    }
  }
}

template <typename A>
ECG_INLINE void dense_mac(const Step& s, const std::int32_t* v, std::int32_t* y, Violation* bad) {
  const Layer& l = *s.layer;
  const int I = s.n_terms;
  for (int o = 0; o < l.out.c; ++o) {
    const std::int32_t* wo = s.w + static_cast<long>(o) * I;
    A acc = static_cast<A>(s.bias[static_cast<std::size_t>(o)]);
    for (int i = 0; i < I; ++i) acc += static_cast<A>(wo[i]) * static_cast<A>(v[i]);
    if constexpr (std::is_same_v<A, std::int64_t>)
      if (bad->index < 0 && !s.out_range.contains(acc)) *bad = {o, acc};
    y[o] = static_cast<std::int32_t>(acc);
  }
}

ECG_HOT void dense_mac32(const Step& s, const std::int32_t* v, std::int32_t* y) {
  dense_mac<std::int32_t>(s, v, y, nullptr);
}
ECG_HOT void dense_mac64(const Step& s, const std::int32_t* v, std::int32_t* y, Violation* bad) {
  dense_mac<std::int64_t>(s, v, y, bad);
}

ECG_HOT_POPCNT void dense_xnor(const Step& s, const std::uint64_t* vbits, std::int32_t* y) {
  const Layer& l = *s.layer;
  for (int o = 0; o < l.out.c; ++o) {
    const std::uint64_t* wo = s.wbits.data() + static_cast<long>(o) * s.words;
    int pop = 0;
    for (int j = 0; j < s.words; ++j) pop += __builtin_popcountll(wo[j] ^ vbits[j]);
    y[o] = static_cast<std::int32_t>(s.bias[static_cast<std::size_t>(o)] + s.n_terms - 2 * pop);
  }
}

// ---- element-wise and pooling layers ----------------------------------------------------

template <typename A>
ECG_INLINE void requant_impl(const Layer& l, const std::int32_t* x, std::int32_t* y) {
  // Layer fields are copied to locals: y could alias them as far as the compiler knows,
  // which would block vectorisation.
  const int C = l.in.c, n = l.in.l;
  for (int c = 0; c < C; ++c) {
    const A m = l.mult[static_cast<std::size_t>(c)];
    const int sh = l.shift[static_cast<std::size_t>(c)];
    const A rnd = sh > 0 ? A{1} << (sh - 1) : 0;
    const A lo = l.lo, hi = l.hi;
    const std::int32_t* xc = x + static_cast<long>(c) * n;
    std::int32_t* yc = y + static_cast<long>(c) * n;
    for (int t = 0; t < n; ++t) {
      // >> of a negative integer is an arithmetic (floor) shift in GCC/Clang (and C++20).
      const A v = (static_cast<A>(xc[t]) * m + rnd) >> sh;
      yc[t] = static_cast<std::int32_t>(v < lo ? lo : (v > hi ? hi : v));
    }
  }
}
// 32-bit only where the plan proved |x*mult| + rounding < 2^31 and shift <= 30.
ECG_HOT void requant32(const Layer& l, const std::int32_t* x, std::int32_t* y) { requant_impl<std::int32_t>(l, x, y); }
ECG_HOT_WIDE void requant64(const Layer& l, const std::int32_t* x, std::int32_t* y) { requant_impl<std::int64_t>(l, x, y); }

ECG_HOT void threshold(const Layer& l, const std::int32_t* x, std::int32_t* y) {
  const int C = l.in.c, n = l.in.l;
  for (int c = 0; c < C; ++c) {
    const std::int32_t th = l.t[static_cast<std::size_t>(c)], lo = l.lo, hi = l.hi;
    const std::int32_t* xc = x + static_cast<long>(c) * n;
    std::int32_t* yc = y + static_cast<long>(c) * n;
    if (l.dir[static_cast<std::size_t>(c)] > 0)
      for (int t = 0; t < n; ++t) yc[t] = xc[t] >= th ? hi : lo;
    else
      for (int t = 0; t < n; ++t) yc[t] = xc[t] <= th ? hi : lo;
  }
}

// Window j covers input [j*stride - pad_left, +k); padded positions are ignored, i.e. the
// window is clipped to the input (never empty: pads < k is checked when loading).
inline std::int32_t pool_window(const std::int32_t* xc, int n, int j, int k, int stride, int pad) {
  const int start = j * stride - pad;
  const int a = std::max(start, 0), b = std::min(start + k, n);
  std::int32_t m = xc[a];
  for (int p = a + 1; p < b; ++p) m = std::max(m, xc[p]);
  return m;
}

template <int K>
ECG_INLINE void pool_interior(const std::int32_t* base, std::int32_t* yc, int j_lo, int j_hi, int stride) {
  if (stride == 2) {
    for (int j = j_lo; j < j_hi; ++j) {
      std::int32_t m = base[2 * j];
      for (int p = 1; p < K; ++p) m = std::max(m, base[2 * j + p]);
      yc[j] = m;
    }
    return;
  }
  for (int j = j_lo; j < j_hi; ++j) {
    const std::int32_t* w = base + static_cast<long>(j) * stride;
    std::int32_t m = w[0];
    for (int p = 1; p < K; ++p) m = std::max(m, w[p]);
    yc[j] = m;
  }
}

ECG_HOT void maxpool(const Layer& l, const std::int32_t* x, std::int32_t* y) {
  const int C = l.in.c, n = l.in.l, nout = l.out.l, k = l.k, stride = l.stride, pad = l.pad_left;
  // Windows [j_lo, j_hi) lie fully inside the input and need no clipping.
  const int j_lo = std::min(nout, (pad + stride - 1) / stride);
  const int j_hi = std::max(j_lo, std::min(nout, n + pad - k >= 0 ? (n + pad - k) / stride + 1 : 0));
  for (int c = 0; c < C; ++c) {
    const std::int32_t* xc = x + static_cast<long>(c) * n;
    std::int32_t* yc = y + static_cast<long>(c) * nout;
    for (int j = 0; j < j_lo; ++j) yc[j] = pool_window(xc, n, j, k, stride, pad);
    const std::int32_t* base = xc - pad;
    switch (k) {  // fixed window sizes unroll; 2:1 pooling also vectorises
      case 2: pool_interior<2>(base, yc, j_lo, j_hi, stride); break;
      case 3: pool_interior<3>(base, yc, j_lo, j_hi, stride); break;
      case 4: pool_interior<4>(base, yc, j_lo, j_hi, stride); break;
      case 5: pool_interior<5>(base, yc, j_lo, j_hi, stride); break;
      case 7: pool_interior<7>(base, yc, j_lo, j_hi, stride); break;
      default:
        for (int j = j_lo; j < j_hi; ++j) {
          const std::int32_t* w = base + j * stride;
          std::int32_t m = w[0];
          for (int p = 1; p < k; ++p) m = std::max(m, w[p]);
          yc[j] = m;
        }
    }
    for (int j = j_hi; j < nout; ++j) yc[j] = pool_window(xc, n, j, k, stride, pad);
  }
}

// ---- reference loops (Options::fast = false): the format's formulas, 64-bit throughout ----

void conv_reference(const Layer& l, const Tensor& w, const Tensor* bias, const std::int32_t* x, std::int64_t* wide) {
  const int cin_g = l.in.c / l.groups, cout_g = l.out.c / l.groups;
  for (int o = 0; o < l.out.c; ++o) {
    const int g = o / cout_g;
    for (int t = 0; t < l.out.l; ++t) {
      std::int64_t acc = bias ? bias->data[static_cast<std::size_t>(o)] : 0;
      for (int i = 0; i < cin_g; ++i) {
        for (int k = 0; k < l.k; ++k) {
          const int p = t * l.stride + k - l.pad_left;
          const std::int64_t xv = (p < 0 || p >= l.in.l) ? l.pad_value : x[(g * cin_g + i) * l.in.l + p];
          acc += static_cast<std::int64_t>(w.data[static_cast<std::size_t>((o * cin_g + i) * l.k + k)]) * xv;
        }
      }
      wide[o * l.out.l + t] = acc;
    }
  }
}

void dense_reference(const Layer& l, const Tensor& w, const Tensor* bias, const std::int32_t* v, std::int64_t* wide) {
  const long I = l.in.numel();
  for (int o = 0; o < l.out.c; ++o) {
    std::int64_t acc = bias ? bias->data[static_cast<std::size_t>(o)] : 0;
    for (long i = 0; i < I; ++i) acc += static_cast<std::int64_t>(w.data[static_cast<std::size_t>(o * I + i)]) * v[i];
    wide[o] = acc;
  }
}

}  // namespace

struct Interpreter::Impl {
  const Network& net;
  Options opt;
  std::vector<Step> steps;
  Range input_range;
  std::vector<std::int32_t> buf[2];
  std::vector<std::int32_t> padded;      // conv input rows with padding (phase-split when strided)
  std::vector<std::int64_t> wide;        // reference path: unclamped layer results
  std::vector<std::uint64_t> bits;       // xnor: packed input columns / vector

  Impl(const Network& n, Options o) : net(n), opt(o) { plan(); }

  void plan() {
    input_range = int_range(net.input.bits, net.input.is_signed);
    std::size_t max_pad = 0, max_bits = 0;
    bool prev_binary = false;
    Range cur = input_range;
    for (const Layer& l : net.layers) {
      Step s;
      s.layer = &l;
      s.out_range = int_range(l.out_bits, l.out_signed);
      // Values entering this layer lie in the declared range and in the interval proven
      // for the previous layer's outputs (padding adds pad_value).
      Range in_r = int_range(l.in_bits, l.in_signed);
      in_r = {std::max(in_r.lo, cur.lo), std::min(in_r.hi, cur.hi)};
      if (l.type == LayerType::kConv1d && l.pad_left + l.pad_right > 0)
        in_r = {std::min<std::int64_t>(in_r.lo, l.pad_value), std::max<std::int64_t>(in_r.hi, l.pad_value)};
      Interval out{};
      switch (l.type) {
        case LayerType::kConv1d:
        case LayerType::kDense: {
          const Tensor& w = net.tensors[static_cast<std::size_t>(l.weight)];
          const Tensor* b = l.bias >= 0 ? &net.tensors[static_cast<std::size_t>(l.bias)] : nullptr;
          s.w = w.data.data();
          const bool conv = l.type == LayerType::kConv1d;
          s.cin_g = conv ? l.in.c / l.groups : static_cast<int>(l.in.numel());
          s.cout_g = conv ? l.out.c / l.groups : l.out.c;
          s.n_terms = conv ? s.cin_g * l.k : static_cast<int>(l.in.numel());
          s.bias.assign(static_cast<std::size_t>(l.out.c), 0);
          if (b) std::copy(b->data.begin(), b->data.end(), s.bias.begin());
          // Worst-case |partial sum| and the exact output interval from the input range.
          std::int64_t worst = 0;
          out = {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
          for (int o = 0; o < l.out.c; ++o) {
            std::int64_t sum_abs = 0, lo = s.bias[static_cast<std::size_t>(o)], hi = lo;
            for (int j = 0; j < s.n_terms; ++j) {
              const std::int64_t wv = w.data[static_cast<std::size_t>(o) * static_cast<std::size_t>(s.n_terms) + static_cast<std::size_t>(j)];
              sum_abs += std::abs(wv);
              lo += std::min(wv * in_r.lo, wv * in_r.hi);
              hi += std::max(wv * in_r.lo, wv * in_r.hi);
            }
            worst = std::max(worst, std::abs(s.bias[static_cast<std::size_t>(o)]) + sum_abs * abs_max(in_r));
            out.lo = std::min(out.lo, lo);
            out.hi = std::max(out.hi, hi);
          }
          bool all_pm1 = std::all_of(w.data.begin(), w.data.end(), [](std::int32_t v) { return v == 1 || v == -1; });
          bool pad_pm1 = !conv || (l.pad_left + l.pad_right == 0) || l.pad_value == 1 || l.pad_value == -1;
          const bool fits32 = worst <= std::numeric_limits<std::int32_t>::max();
          // XNOR pays off when a packed word holds many channels and is reused by many outputs;
          // narrow inputs (e.g. the first layer, 1 channel) are faster on the 32-bit MAC path.
          if (opt.fast && all_pm1 && prev_binary && pad_pm1 && s.cout_g >= 2 && fits32 && (!conv || s.cin_g >= 8)) {
            s.kernel = Kernel::kXnor;
            pack_weights(s, w, conv);
          } else {
            s.kernel = fits32 ? Kernel::kAcc32 : Kernel::kAcc64;
          }
          if (conv) {
            s.padded_len = l.in.l + l.pad_left + l.pad_right;
            s.phase_len = (s.padded_len + l.stride - 1) / l.stride;
            s.row_stride = l.stride == 1 ? s.padded_len : s.phase_len * l.stride;
            make_taps(s);
            max_pad = std::max(max_pad, static_cast<std::size_t>(l.in.c) * static_cast<std::size_t>(s.phase_len * l.stride + l.stride));
            max_bits = std::max(max_bits, static_cast<std::size_t>(l.groups) * stream_words(s));
          } else {
            max_bits = std::max(max_bits, static_cast<std::size_t>(s.words));
          }
          s.binary_out = false;
          break;
        }
        case LayerType::kRequant:
          s.narrow = true;  // 32-bit requant when x*mult + rounding provably fits
          for (int c = 0; c < l.in.c; ++c) {
            const int sh = l.shift[static_cast<std::size_t>(c)];
            const std::int64_t m = std::abs(static_cast<std::int64_t>(l.mult[static_cast<std::size_t>(c)]));
            const std::int64_t rnd = sh > 0 ? std::int64_t{1} << (sh - 1) : 0;
            if (sh > 30 || abs_max(in_r) * m + rnd > std::numeric_limits<std::int32_t>::max()) s.narrow = false;
          }
          s.narrow = s.narrow && opt.fast;
          out = {l.lo, l.hi};
          break;
        case LayerType::kThreshold:
          out = {l.lo, l.hi};
          s.binary_out = (l.type == LayerType::kThreshold && l.lo == -1 && l.hi == 1) ||
                         (l.type == LayerType::kThreshold && l.lo == 1 && l.hi == -1);
          break;
        case LayerType::kMaxPool:
          out = {in_r.lo, in_r.hi};
          s.binary_out = prev_binary;
          break;
        case LayerType::kGSum:
          out = {in_r.lo * l.in.l, in_r.hi * l.in.l};
          break;
        case LayerType::kConcatAux:
          out = {std::min<std::int64_t>(in_r.lo, 0), std::max<std::int64_t>(in_r.hi, 255)};
          break;
      }
      s.check = !opt.fast || !(s.out_range.contains(out.lo) && s.out_range.contains(out.hi));
      prev_binary = s.binary_out;
      cur = {std::max(out.lo, s.out_range.lo), std::min(out.hi, s.out_range.hi)};
      steps.push_back(std::move(s));
    }
    const std::size_t max_act = net.max_activation();
    buf[0].assign(max_act, 0);
    buf[1].assign(max_act, 0);
    padded.assign(std::max<std::size_t>(max_pad, 1), 0);
    bits.assign(std::max<std::size_t>(max_bits, 1), 0);
    if (!opt.fast) wide.assign(max_act, 0);
  }

  // Conv taps: with stride > 1 each padded row is stored as `stride` phases so that
  // xp[t*stride + k] = phase[k % stride][t + k / stride] is contiguous in t.
  static void make_taps(Step& s) {
    const Layer& l = *s.layer;
    s.tap_begin.assign(1, 0);
    for (int o = 0; o < l.out.c; ++o) {
      const int g = o / s.cout_g;
      for (int i = 0; i < s.cin_g; ++i) {
        for (int k = 0; k < l.k; ++k) {
          const std::int32_t wv = s.w[(static_cast<long>(o) * s.cin_g + i) * l.k + k];
          if (wv == 0) continue;  // pruned weights cost nothing
          const int in_row = (g * s.cin_g + i) * s.row_stride;
          const int off = l.stride == 1 ? k : (k % l.stride) * s.phase_len + k / l.stride;
          s.taps.push_back({wv, in_row + off});
        }
      }
      s.tap_begin.push_back(s.taps.size());
    }
  }

  // Words of one group's input bit stream (padded_len * cin_g bits) plus the spare word
  // that bits_at() may read.
  static std::size_t stream_words(const Step& s) {
    return (static_cast<std::size_t>(s.padded_len) * static_cast<std::size_t>(s.cin_g) + 63) / 64 + 1;
  }

  static void pack_weights(Step& s, const Tensor& w, bool conv) {
    const Layer& l = *s.layer;
    if (conv) {
      // per output: bit k*cin_g + i set when w[o][i][k] == -1 (the input stream's order)
      s.words = (s.n_terms + 63) / 64;
      s.wbits.assign(static_cast<std::size_t>(l.out.c) * static_cast<std::size_t>(s.words), 0);
      for (int o = 0; o < l.out.c; ++o)
        for (int i = 0; i < s.cin_g; ++i)
          for (int k = 0; k < l.k; ++k)
            if (w.data[static_cast<std::size_t>((o * s.cin_g + i) * l.k + k)] < 0) {
              const int b = k * s.cin_g + i;
              s.wbits[static_cast<std::size_t>(o * s.words + b / 64)] |= std::uint64_t{1} << (b % 64);
            }
    } else {
      s.words = (s.n_terms + 63) / 64;
      s.wbits.assign(static_cast<std::size_t>(l.out.c) * static_cast<std::size_t>(s.words), 0);
      for (int o = 0; o < l.out.c; ++o)
        for (int i = 0; i < s.n_terms; ++i)
          if (w.data[static_cast<std::size_t>(o * s.n_terms + i)] < 0)
            s.wbits[static_cast<std::size_t>(o * s.words + i / 64)] |= std::uint64_t{1} << (i % 64);
    }
  }

  void conv(const Step& s, const std::int32_t* x, std::int32_t* y) {
    const Layer& l = *s.layer;
    const int L = l.in.l, pl = l.pad_left, lp = s.padded_len;
    if (s.kernel == Kernel::kXnor) {
      const long sw = static_cast<long>(stream_words(s));
      std::fill(bits.begin(), bits.begin() + l.groups * sw, 0);
      for (int g = 0; g < l.groups; ++g) {
        std::uint64_t* sg = bits.data() + g * sw;
        const auto set = [sg](long b) { sg[b >> 6] |= std::uint64_t{1} << (b & 63); };
        for (int i = 0; i < s.cin_g; ++i) {
          const std::int32_t* row = x + static_cast<long>(g * s.cin_g + i) * L;
          if (l.pad_value < 0) {
            for (int p = 0; p < pl; ++p) set(static_cast<long>(p) * s.cin_g + i);
            for (int p = pl + L; p < lp; ++p) set(static_cast<long>(p) * s.cin_g + i);
          }
          for (int t = 0; t < L; ++t)
            if (row[t] < 0) set(static_cast<long>(pl + t) * s.cin_g + i);
        }
      }
      conv_xnor(s, bits.data(), sw, y);
      return;
    }
    // Padded rows; with stride > 1 each row is split into `stride` phases so that every
    // tap reads a contiguous run: xp[t*stride + k] = phase[k % stride][t + k / stride].
    const int st = l.stride;
    const int row_stride = s.row_stride;
    for (int c = 0; c < l.in.c; ++c) {
      std::int32_t* dst = padded.data() + static_cast<long>(c) * row_stride;
      const std::int32_t* src = x + static_cast<long>(c) * L;
      if (st == 1) {
        std::fill(dst, dst + pl, l.pad_value);
        std::copy(src, src + L, dst + pl);
        std::fill(dst + pl + L, dst + lp, l.pad_value);
      } else {
        for (int p = 0; p < lp; ++p) {
          const int q = p - pl;
          dst[(p % st) * s.phase_len + p / st] = (q < 0 || q >= L) ? l.pad_value : src[q];
        }
      }
    }
    if (s.kernel == Kernel::kAcc32)
      conv_mac32(s, padded.data(), y);
    else
      wide_checked(s, [&](Violation* bad) { conv_mac64(s, padded.data(), y, bad); });
  }

  // Runs a 64-bit kernel and reports the first output outside the declared range.
  template <typename F>
  void wide_checked(const Step& s, F kernel) {
    Violation bad;
    kernel(&bad);
    if (bad.index >= 0) range_violation(net, *s.layer, bad.value, bad.index);
  }

  void dense(const Step& s, const std::int32_t* v, std::int32_t* y) {
    if (s.kernel == Kernel::kXnor) {
      std::fill(bits.begin(), bits.begin() + s.words, 0);
      for (int i = 0; i < s.n_terms; ++i)
        if (v[i] < 0) bits[static_cast<std::size_t>(i / 64)] |= std::uint64_t{1} << (i % 64);
      dense_xnor(s, bits.data(), y);
    } else if (s.kernel == Kernel::kAcc32) {
      dense_mac32(s, v, y);
    } else {
      wide_checked(s, [&](Violation* bad) { dense_mac64(s, v, y, bad); });
    }
  }

  // Runs layer `s` from x into y (fast path). Returns nothing; range-checks when needed.
  void layer(const Step& s, const std::int32_t* x, std::int32_t* y, const std::int32_t* aux) {
    const Layer& l = *s.layer;
    const long n_in = l.in.numel();
    switch (l.type) {
      case LayerType::kConv1d:
        conv(s, x, y);
        break;
      case LayerType::kDense:
        dense(s, x, y);
        break;
      case LayerType::kRequant:
        if (s.narrow)
          requant32(l, x, y);
        else
          requant64(l, x, y);
        break;
      case LayerType::kThreshold:
        threshold(l, x, y);
        break;
      case LayerType::kMaxPool:
        maxpool(l, x, y);
        break;
      case LayerType::kGSum:
        for (int c = 0; c < l.in.c; ++c) {
          const std::int32_t* xc = x + static_cast<long>(c) * l.in.l;
          std::int64_t sum = 0;
          for (int t = 0; t < l.in.l; ++t) sum += xc[t];
          if (s.check && !s.out_range.contains(sum)) range_violation(net, l, sum, c);
          y[c] = static_cast<std::int32_t>(sum);
        }
        break;
      case LayerType::kConcatAux:
        std::copy(x, x + n_in, y);
        std::copy(aux, aux + l.count, y + n_in);
        break;
    }
    if (s.check && l.type != LayerType::kGSum) {
      const long n = l.out.numel();
      for (long i = 0; i < n; ++i)
        if (!s.out_range.contains(y[i])) range_violation(net, l, y[i], i);
    }
  }

  // Reference semantics, straight from the format's formulas, no precomputation.
  void layer_reference(const Step& s, const std::int32_t* x, std::int32_t* y, const std::int32_t* aux) {
    const Layer& l = *s.layer;
    if (l.type == LayerType::kConv1d || l.type == LayerType::kDense) {
      const Tensor& w = net.tensors[static_cast<std::size_t>(l.weight)];
      const Tensor* b = l.bias >= 0 ? &net.tensors[static_cast<std::size_t>(l.bias)] : nullptr;
      if (l.type == LayerType::kConv1d)
        conv_reference(l, w, b, x, wide.data());
      else
        dense_reference(l, w, b, x, wide.data());
      for (long i = 0; i < l.out.numel(); ++i) {
        if (!s.out_range.contains(wide[static_cast<std::size_t>(i)])) range_violation(net, l, wide[static_cast<std::size_t>(i)], i);
        y[i] = static_cast<std::int32_t>(wide[static_cast<std::size_t>(i)]);
      }
      return;
    }
    if (l.type == LayerType::kMaxPool) {  // every window clipped, no interior fast path
      for (int c = 0; c < l.in.c; ++c)
        for (int j = 0; j < l.out.l; ++j)
          y[c * l.out.l + j] = pool_window(x + static_cast<long>(c) * l.in.l, l.in.l, j, l.k, l.stride, l.pad_left);
      for (long i = 0; i < l.out.numel(); ++i)
        if (!s.out_range.contains(y[i])) range_violation(net, l, y[i], i);
      return;
    }
    layer(s, x, y, aux);  // element-wise layers (requant runs 64-bit here: narrow is off)
  }

  int run(const std::int32_t* input, const std::int32_t* aux, std::int32_t* logits,
          std::vector<std::vector<std::int32_t>>* trace) {
    const int L = net.input.length;
    for (int t = 0; t < L; ++t)
      if (!input_range.contains(input[t]))
        throw InputError(fmt::format("{}: input value {} at [{}] outside the input spec's {}-bit {} range", net.origin,
                                     input[t], t, net.input.bits, net.input.is_signed ? "signed" : "unsigned"));
    for (int i = 0; i < net.input.aux_count(); ++i)
      if (aux[i] < 0 || aux[i] > 255)
        throw InputError(fmt::format("{}: aux value {} at [{}] outside UINT8", net.origin, aux[i], i));
    const std::int32_t* x = input;
    int cur = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      std::int32_t* y = buf[cur].data();
      if (opt.fast)
        layer(steps[i], x, y, aux);
      else
        layer_reference(steps[i], x, y, aux);
      if (trace) (*trace)[i].assign(y, y + steps[i].layer->out.numel());
      x = y;
      cur ^= 1;
    }
    const std::size_t n = net.classes.size();
    std::copy(x, x + n, logits);
    return argmax_first(logits, n);
  }
};

Interpreter::Interpreter(const Network& net) : Interpreter(net, Options{}) {}
Interpreter::Interpreter(const Network& net, Options opt) : m_impl(std::make_unique<Impl>(net, opt)) {}
Interpreter::~Interpreter() = default;
Interpreter::Interpreter(Interpreter&&) noexcept = default;

int Interpreter::run(const std::int32_t* input, const std::int32_t* aux, std::int32_t* logits) {
  return m_impl->run(input, aux, logits, nullptr);
}

int Interpreter::run(const Beat& beat, std::vector<std::int32_t>& logits) {
  const Network& net = m_impl->net;
  if (beat.input.size() != static_cast<std::size_t>(net.input.length) ||
      beat.aux.size() != static_cast<std::size_t>(net.input.aux_count()))
    throw InputError(fmt::format("beat {}:{}: {} input / {} aux values, {} expects {} / {}", beat.record, beat.sample,
                                 beat.input.size(), beat.aux.size(), net.origin, net.input.length,
                                 net.input.aux_count()));
  logits.resize(net.classes.size());
  return m_impl->run(beat.input.data(), beat.aux.data(), logits.data(), nullptr);
}

int Interpreter::run_traced(const std::vector<std::int32_t>& input, const std::vector<std::int32_t>& aux,
                            std::vector<std::vector<std::int32_t>>& layers) {
  const Network& net = m_impl->net;
  if (input.size() != static_cast<std::size_t>(net.input.length) ||
      aux.size() != static_cast<std::size_t>(net.input.aux_count()))
    throw InputError(fmt::format("{}: {} input / {} aux values given, the network expects {} / {}", net.origin,
                                 input.size(), aux.size(), net.input.length, net.input.aux_count()));
  layers.resize(net.layers.size());
  std::vector<std::int32_t> logits(net.classes.size());
  return m_impl->run(input.data(), aux.data(), logits.data(), &layers);
}

const Network& Interpreter::network() const { return m_impl->net; }

std::string Interpreter::kernel(std::size_t layer) const {
  switch (m_impl->steps.at(layer).kernel) {
    case Kernel::kXnor: return "xnor";
    case Kernel::kAcc32: return "acc32";
    case Kernel::kAcc64: return "acc64";
    case Kernel::kNone: break;
  }
  return "-";
}

void classify_beats(const Network& net, const std::vector<Beat>& beats, std::vector<int>& out_pred,
                    std::vector<std::vector<std::int32_t>>& out_logits, int threads,
                    const std::function<void(std::size_t)>& on_done) {
  const std::size_t n = beats.size();
  out_pred.assign(n, -1);
  out_logits.assign(n, {});
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  constexpr std::size_t kChunk = 256;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(chunks, 1)));
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](bool report) {
    try {
      Interpreter interp(net);
      for (;;) {
        const std::size_t c = next.fetch_add(1);
        if (c >= chunks || failed.load()) break;
        const std::size_t end = std::min(n, (c + 1) * kChunk);
        for (std::size_t i = c * kChunk; i < end; ++i) {
          try {
            out_pred[i] = interp.run(beats[i], out_logits[i]);
          } catch (const InputError& e) {
            throw InputError(fmt::format("beat {}:{}: {}", beats[i].record, beats[i].sample, e.what()));
          }
        }
        const std::size_t d = done.fetch_add(end - c * kChunk) + (end - c * kChunk);
        if (report && on_done) on_done(d);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, false);
  work(true);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  if (on_done) on_done(done.load());
}

}  // namespace ecg
