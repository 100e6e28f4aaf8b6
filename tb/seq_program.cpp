#include "seq_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <tuple>

#include "ecg/error.h"

namespace ecg::rtl {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
int clog2(std::int64_t v) {
  int b = 0;
  while ((std::int64_t{1} << b) < v) ++b;
  return b;
}

bool is_elementwise(LayerType t) { return t == LayerType::kRequant || t == LayerType::kThreshold; }
bool is_pass(LayerType t) {
  return t == LayerType::kConv1d || t == LayerType::kDense || t == LayerType::kMaxPool ||
         t == LayerType::kGSum;
}

// An activation tensor in a buffer: shape, lane format and value range.
struct Act {
  int c = 1, l = 1;
  bool binary = false;
  std::int64_t lo = 0, hi = 0;
  std::int64_t amax() const { return std::max<std::int64_t>(std::llabs(lo), std::llabs(hi)); }
};

}  // namespace

std::uint64_t SeqProgram::cycles_per_beat() const {
  std::uint64_t c = static_cast<std::uint64_t>(in_len + aux_len) + 1;
  for (const auto& p : passes)
    c += static_cast<std::uint64_t>(hw.num_df + 1) + p.cout +
         p.nog * (static_cast<std::uint64_t>(1 + hw.drain) + p.lout * p.nchunk);
  return c;
}

SeqProgram compile_seq(const Network& net, const SeqHw& hw) {
  using namespace seq;
  SeqProgram prog;
  prog.hw = hw;
  prog.in_len = net.input_shape.l;
  prog.aux_len = net.input.aux_count();
  prog.n_classes = static_cast<int>(net.classes.size());
  const std::string& origin = net.origin;
  const bool xnor = hw.mac_kind == kMacXnor;
  const int aw = xnor ? hw.xnor_lanes : hw.simd;  // binary lanes per word
  const int wlane = std::max(aw, hw.simd * hw.wbits);
  const int wrow_bits = hw.pe * wlane;
  const int nslice = static_cast<int>(ceil_div(wrow_bits, 32));
  const int slice_w = nslice > 1 ? clog2(nslice) : 1;
  const std::int64_t acc_max = (std::int64_t{1} << (hw.acc_bits - 1)) - 1;

  if (xnor && (hw.xnor_lanes < 1 || hw.xnor_lanes > hw.simd * hw.abits))
    throw InputError(fmt::format("seq engine: {} XNOR lanes do not fit a {}-bit word",
                                 hw.xnor_lanes, hw.simd * hw.abits));
  if (hw.simd % hw.pe != 0 || aw % hw.pe != 0)
    throw InputError(fmt::format("seq engine pe={} simd={}: simd must be a multiple of pe",
                                 hw.pe, hw.simd));
  if (net.input_shape.c != 1)
    throw InputError(fmt::format("{}: {} input channels (the seq engine streams one)", origin,
                                 net.input_shape.c));
  if (prog.in_len > hw.act_depth_a)
    throw InputError(fmt::format("{}: input length {} exceeds activation buffer A ({} words)",
                                 origin, prog.in_len, hw.act_depth_a));
  if (prog.aux_len > hw.aux_depth)
    throw InputError(fmt::format("{}: {} aux values exceed the engine's {}", origin,
                                 prog.aux_len, hw.aux_depth));
  if (prog.n_classes > hw.max_classes)
    throw InputError(fmt::format("{}: {} classes exceed the engine's {} logits", origin,
                                 prog.n_classes, hw.max_classes));

  auto fail = [&](const Layer& l, const std::string& what) {
    throw InputError(fmt::format("{}: layer '{}': {} (rtl seq engine)", origin, l.name, what));
  };
  // Does a lane of abits hold [lo, hi]? Returns the signedness to read it with.
  auto lane_fits = [&](std::int64_t lo, std::int64_t hi, bool& is_signed) {
    is_signed = lo < 0;
    const std::int64_t top = is_signed ? (std::int64_t{1} << (hw.abits - 1)) - 1
                                       : (std::int64_t{1} << hw.abits) - 1;
    const std::int64_t bot = is_signed ? -(std::int64_t{1} << (hw.abits - 1)) : 0;
    return lo >= bot && hi <= top;
  };

  Act cur;
  cur.c = 1;
  cur.l = prog.in_len;
  {
    const Range r = int_range(net.input.bits, net.input.is_signed);
    cur.lo = r.lo;
    cur.hi = r.hi;
    bool s = false;
    if (!lane_fits(cur.lo, cur.hi, s))
      throw InputError(fmt::format("{}: {}-bit input samples do not fit {}-bit lanes", origin,
                                   net.input.bits, hw.abits));
  }
  prog.act_words_a = prog.in_len;

  std::vector<RegWrite>& w = prog.writes;
  // Weight rows of a tensor in one input layout, stored once (QRCNN's shared conv).
  std::map<std::tuple<int, int, bool, int>, std::uint32_t> weight_base;
  std::int64_t next_row = 0, next_par = 0;
  bool pending_aux = false;
  int buf = 0;  // buffer the next pass reads (0 = A)

  std::size_t li = 0;
  while (li < net.layers.size()) {
    const Layer& l = net.layers[li];
    if (l.type == LayerType::kConcatAux) {
      if (li + 1 >= net.layers.size() || net.layers[li + 1].type != LayerType::kDense)
        fail(l, "concat_aux must feed a dense layer");
      if (l.count != prog.aux_len) fail(l, "count differs from the input's aux values");
      pending_aux = true;
      ++li;
      continue;
    }
    // The pass layer and the element-wise layer fused into its write-back.
    const Layer* ew = nullptr;
    std::size_t next = li + 1;
    if (is_pass(l.type) && next < net.layers.size() && is_elementwise(net.layers[next].type)) {
      ew = &net.layers[next];
      ++next;
    } else if (is_elementwise(l.type)) {
      ew = &l;
    }
    SeqPass p;
    p.layers = l.name + (ew && ew != &l ? "+" + ew->name : "");
    std::int32_t* d = p.desc;
    // A depthwise convolution (one channel per group) runs lane-wise (OpDw): each PE reads the
    // word of its group's channels one tap per chunk, and its weight row is zero but in its
    // channel's lane. Other grouped convolutions run as full ones with zero weights outside
    // each output's group.
    const bool dw = l.type == LayerType::kConv1d && l.groups > 1 && l.groups == cur.c &&
                    l.out.c == cur.c;
    const bool lanewise = dw || (l.type != LayerType::kConv1d && l.type != LayerType::kDense);
    const bool pick = lanewise && !dw;  // max/sum/copy: a PE takes its lane, no weights (RTL d_pick)
    const bool bin_in = cur.binary;
    if (bin_in && lanewise)
      fail(l, dw ? "grouped binary convolution" : "pooling/element-wise layers need multi-bit input lanes");
    const int lanes_in = bin_in ? aw : hw.simd;
    const std::int64_t cwi = ceil_div(cur.c, lanes_in);
    int cout = 0, lout = 1, ntap = 1, aux = 0;
    std::int64_t pos0 = 0, stride = 1, padval = 0;
    std::uint32_t ctrl = 0;
    Act out;
    switch (l.type) {
      case LayerType::kConv1d:
        cout = l.out.c;
        lout = l.out.l;
        ntap = l.k;
        pos0 = -l.pad_left;
        stride = l.stride;
        padval = l.pad_value;
        ctrl = dw ? kOpDw : kOpMac;
        break;
      case LayerType::kDense:
        cout = l.out.c;
        ntap = cur.l;
        aux = pending_aux ? prog.aux_len : 0;
        ctrl = kOpMac;
        if (bin_in && aux) fail(l, "aux values after binary activations");
        break;
      case LayerType::kMaxPool:
        cout = cur.c;
        lout = l.out.l;
        ntap = l.k;
        pos0 = -l.pad_left;
        stride = l.stride;
        ctrl = kOpMax;
        break;
      case LayerType::kGSum:
        cout = cur.c;
        ntap = cur.l;
        ctrl = kOpSum;
        break;
      default:  // lone element-wise layer: a one-tap max (a copy) with the write-back
        cout = cur.c;
        lout = cur.l;
        ctrl = kOpMax;
        break;
    }
    pending_aux = false;
    const std::int64_t ncw = lanewise ? 1 : cwi;
    const std::int64_t naux = ceil_div(aux, hw.simd);
    const std::int64_t nchunk = ntap * ncw + naux;
    const std::int64_t nog = ceil_div(cout, hw.pe);

    // Weights and the accumulator bound.
    std::int64_t bound = 0;  // largest |accumulator| over the outputs
    const Tensor* bias = l.bias >= 0 ? &net.tensors[static_cast<std::size_t>(l.bias)] : nullptr;
    std::int64_t wbase = 0;
    if (!pick) {
      const Tensor& t = net.tensors[static_cast<std::size_t>(l.weight)];
      const bool wbin = t.encoding == Encoding::kBinary;
      if (bin_in && !wbin) fail(l, "binary activations need binary weights");
      if (bin_in) ctrl |= kCtrlBinIn;
      const bool intw = xnor && !bin_in;
      if (intw) ctrl |= kCtrlIntW;
      if (bin_in && l.pad_left + l.pad_right > 0 && l.pad_value != 1 && l.pad_value != -1)
        fail(l, "binary padding must be +1 or -1");
      if (bin_in) padval = l.pad_value > 0 ? 1 : 0;
      const int red_per_o = static_cast<int>(t.numel() / static_cast<std::size_t>(cout));
      const int groups = l.type == LayerType::kConv1d ? l.groups : 1;
      const int cin_g = cur.c / groups, cout_g = cout / groups;
      if (bin_in && groups != 1) fail(l, "grouped binary convolution");
      // Weight of output o for input channel c, tap kk (dense: position kk; aux: c = -1 - i).
      auto weight_of = [&](int o, int c, int kk) -> std::int32_t {
        if (l.type == LayerType::kDense) {
          const int idx = c >= 0 ? c * cur.l + kk : cur.c * cur.l + (-1 - c);
          return t.data[static_cast<std::size_t>(o) * red_per_o + idx];
        }
        const int g = o / cout_g;
        if (c < g * cin_g || c >= (g + 1) * cin_g) return 0;  // outside o's group
        return t.data[(static_cast<std::size_t>(o) * cin_g + (c - g * cin_g)) * l.k + kk];
      };
      auto code = [&](std::int32_t v) -> std::uint32_t {
        const std::string where = fmt::format("tensor '{}'", t.name);
        if (bin_in) return v > 0 ? 1u : 0u;
        if (hw.mac_kind == kMacPow2) {
          if (v == 0) return 0u;
          const std::uint32_t mag = static_cast<std::uint32_t>(std::llabs(v));
          if ((mag & (mag - 1)) != 0) fail(l, where + fmt::format(": weight {} is not a power of two", v));
          int e = 0;
          while ((1u << e) != mag) ++e;
          if (e + 1 > (1 << (hw.wbits - 1)) - 1)
            fail(l, where + fmt::format(": weight {} needs a wider shift code", v));
          return (v < 0 ? (1u << (hw.wbits - 1)) : 0u) | static_cast<std::uint32_t>(e + 1);
        }
        const std::int64_t lo = -(std::int64_t{1} << (hw.wbits - 1));
        const std::int64_t hi = (std::int64_t{1} << (hw.wbits - 1)) - 1;
        if (v < lo || v > hi) fail(l, where + fmt::format(": weight {} does not fit INT{}", v, hw.wbits));
        return static_cast<std::uint32_t>(v) & ((1u << hw.wbits) - 1u);
      };
      // Bound: |bias| + sum |w| * max|a| (padding and aux values included).
      const std::int64_t amax = std::max<std::int64_t>(
          {cur.amax(), bin_in ? std::int64_t{1} : static_cast<std::int64_t>(std::llabs(padval)),
           aux ? std::int64_t{255} : std::int64_t{0}});
      for (int o = 0; o < cout; ++o) {
        std::int64_t s = bias ? std::llabs(bias->data[static_cast<std::size_t>(o)]) : 0;
        for (int j = 0; j < red_per_o; ++j)
          s += std::llabs(t.data[static_cast<std::size_t>(o) * red_per_o + j]) * amax;
        bound = std::max(bound, s);
      }
      // A conv's rows depend on the input's words per position only; a dense's also on L.
      const auto key = std::make_tuple(l.weight, static_cast<int>(cwi), bin_in,
                                       l.type == LayerType::kDense ? cur.l : 0);
      auto it = weight_base.find(key);
      if (it == weight_base.end()) {
        it = weight_base.emplace(key, static_cast<std::uint32_t>(next_row)).first;
        for (std::int64_t og = 0; og < nog; ++og) {
          for (std::int64_t r = 0; r < nchunk; ++r) {
            std::vector<std::uint32_t> row(static_cast<std::size_t>(nslice), 0u);
            auto put = [&](int bit0, int nbits, std::uint32_t v) {
              for (int b = 0; b < nbits; ++b)
                if ((v >> b) & 1u) row[static_cast<std::size_t>((bit0 + b) / 32)] |= 1u << ((bit0 + b) % 32);
            };
            for (int pe = 0; pe < hw.pe; ++pe) {
              const int o = static_cast<int>(og) * hw.pe + pe;
              if (o >= cout) continue;
              if (dw) {  // row r = tap r; the channel's lane of the group's word
                put(pe * wlane + (o % lanes_in) * hw.wbits, hw.wbits,
                    code(weight_of(o, o, static_cast<int>(r))));
              } else if (r < ntap * ncw) {
                const int kk = static_cast<int>(r / ncw), cw = static_cast<int>(r % ncw);
                for (int s = 0; s < lanes_in; ++s) {
                  const int c = cw * lanes_in + s;
                  if (c >= cur.c) break;
                  const std::int32_t v = weight_of(o, c, kk);
                  if (bin_in) put(pe * wlane + s, 1, code(v));
                  else put(pe * wlane + s * hw.wbits, hw.wbits, code(v));
                }
              } else {
                const int ac = static_cast<int>(r - ntap * ncw);
                for (int s = 0; s < hw.simd; ++s) {
                  const int i = ac * hw.simd + s;
                  if (i >= aux) break;
                  put(pe * wlane + s * hw.wbits, hw.wbits, code(weight_of(o, -1 - i, 0)));
                }
              }
            }
            const std::uint32_t row_addr = static_cast<std::uint32_t>(next_row);
            for (int s = 0; s < nslice; ++s)
              w.push_back({(kRegionWgt << 28) | (row_addr << slice_w) | static_cast<std::uint32_t>(s),
                           row[static_cast<std::size_t>(s)]});
            ++next_row;
          }
        }
      }
      wbase = it->second;
    } else if (l.type == LayerType::kGSum) {
      bound = cur.amax() * cur.l;
    } else {
      bound = cur.amax();
    }
    if (bound > acc_max)
      fail(l, fmt::format("sums up to {} exceed the {}-bit accumulator", bound, hw.acc_bits));

    // Output tensor: range, lanes (binary when a +-1 threshold feeds an XNOR convolution).
    out.c = cout;
    out.l = lout;
    std::uint32_t ewk = kEwNone;
    std::int64_t lo = 0, hi = 0;
    if (ew) {
      ewk = ew->type == LayerType::kRequant ? kEwRequant : kEwThresh;
      lo = ew->lo;
      hi = ew->hi;
      out.lo = lo;
      out.hi = hi;
    } else if (pick) {
      out.lo = cur.lo;
      out.hi = cur.hi;
    } else {
      out.lo = -bound;
      out.hi = bound;
    }
    if (l.type == LayerType::kGSum && !ew) {
      out.lo = -bound;
      out.hi = bound;
    }
    {
      std::size_t n = next;
      while (n < net.layers.size() && net.layers[n].type == LayerType::kConcatAux) ++n;
      const bool feeds_bin_conv =
          n < net.layers.size() && net.layers[n].type == LayerType::kConv1d &&
          net.tensors[static_cast<std::size_t>(net.layers[n].weight)].encoding == Encoding::kBinary;
      out.binary = xnor && ewk == kEwThresh && lo == -1 && hi == 1 && feeds_bin_conv;
    }
    const bool last = next >= net.layers.size();
    bool in_signed = cur.lo < 0;
    {
      bool s = false;
      if (!bin_in && !lane_fits(std::min<std::int64_t>(cur.lo, 0),
                                std::max<std::int64_t>(cur.hi, aux ? 255 : 0), s))
        fail(l, "input values do not fit the activation lanes");
      in_signed = s;
      bool s2 = false;
      if (!last && !out.binary && !lane_fits(out.lo, out.hi, s2))
        fail(l, fmt::format("outputs in [{}, {}] do not fit {}-bit lanes", out.lo, out.hi, hw.abits));
    }
    const int lanes_out = out.binary ? aw : hw.simd;
    const std::int64_t cwo = ceil_div(cout, lanes_out);
    const std::int64_t out_words = static_cast<std::int64_t>(lout) * cwo;
    const int out_depth = buf == 0 ? hw.act_depth_b : hw.act_depth_a;
    if (out_words > out_depth)
      fail(l, fmt::format("outputs need {} words, activation buffer {} has {}", out_words,
                          buf == 0 ? "B" : "A", out_depth));
    (buf == 0 ? prog.act_words_b : prog.act_words_a) =
        std::max<int>(buf == 0 ? prog.act_words_b : prog.act_words_a, static_cast<int>(out_words));

    // Parameters: one entry per output channel (A = bias, or threshold - bias); a pass with
    // neither bias nor write-back function reads none it uses (entries from 0, ignored).
    const bool has_bias = bias && ewk != kEwThresh;
    const bool has_par = bias || ewk != kEwNone;
    const std::int64_t pbase = has_par ? next_par : 0;
    if (has_bias) ctrl |= kCtrlHasBias;
    if (in_signed) ctrl |= kCtrlSigned;
    if (out.binary) ctrl |= kCtrlBinOut;
    ctrl |= ewk << 2;
    for (int o = 0; has_par && o < cout; ++o) {
      const std::int64_t b = bias ? bias->data[static_cast<std::size_t>(o)] : 0;
      std::int64_t a = has_bias ? b : 0;
      std::uint32_t hi_word = 0;
      const auto uo = static_cast<std::size_t>(o);
      if (ewk == kEwRequant) {
        const std::int64_t m = ew->mult[uo];
        if (m < -(1 << (kMultBits - 1)) || m >= (1 << (kMultBits - 1)) || ew->shift[uo] > 31 ||
            ew->shift[uo] < 0)
          fail(*ew, fmt::format("mult {} / shift {} do not fit the write-back unit", m, ew->shift[uo]));
        hi_word = (static_cast<std::uint32_t>(m) & 0xffffu) | (static_cast<std::uint32_t>(ew->shift[uo]) << 16);
      } else if (ewk == kEwThresh) {
        a = static_cast<std::int64_t>(ew->t[uo]) - b;
        hi_word = (ew->dir[uo] > 0 ? 1u : 0u) << 21;
      }
      if (a < -(std::int64_t{1} << (kParABits - 1)) || a >= (std::int64_t{1} << (kParABits - 1)))
        fail(l, fmt::format("bias/threshold {} does not fit {} bits", a, kParABits));
      const std::uint32_t entry = static_cast<std::uint32_t>(pbase + o);
      w.push_back({(kRegionPar << 28) | (entry << 1), static_cast<std::uint32_t>(a) & 0xffffffu});
      w.push_back({(kRegionPar << 28) | (entry << 1) | 1u, hi_word});
    }
    if (has_par) next_par += nog * hw.pe;

    d[kDfCtrl] = static_cast<std::int32_t>(ctrl);
    d[kDfNOg] = static_cast<std::int32_t>(nog);
    d[kDfCoutLast] = static_cast<std::int32_t>(cout - (nog - 1) * hw.pe);
    d[kDfLout] = lout;
    d[kDfNChunk] = static_cast<std::int32_t>(nchunk);
    d[kDfNCw] = static_cast<std::int32_t>(ncw);
    d[kDfNTapCw] = static_cast<std::int32_t>(ntap * ncw);
    d[kDfLastCnt] = static_cast<std::int32_t>(lanewise ? lanes_in : cur.c - (cwi - 1) * lanes_in);
    d[kDfAuxCnt] = static_cast<std::int32_t>(aux ? aux - (naux - 1) * hw.simd : 0);
    d[kDfLin] = cur.l;
    d[kDfPos0] = static_cast<std::int32_t>(pos0);
    d[kDfStride] = static_cast<std::int32_t>(stride);
    d[kDfAddr0] = static_cast<std::int32_t>(pos0 * cwi);
    d[kDfAStepT] = static_cast<std::int32_t>(stride * cwi);
    d[kDfAStepC] = static_cast<std::int32_t>(lanewise ? cwi : 1);
    d[kDfGIn] = hw.simd / hw.pe;
    d[kDfCWo] = static_cast<std::int32_t>(cwo);
    d[kDfGOut] = lanes_out / hw.pe;
    d[kDfWBase] = static_cast<std::int32_t>(wbase);
    d[kDfPBase] = static_cast<std::int32_t>(pbase);
    d[kDfPadVal] = static_cast<std::int32_t>(padval);
    d[kDfLo] = static_cast<std::int32_t>(lo);
    d[kDfHi] = static_cast<std::int32_t>(hi);
    for (std::uint32_t f = 0; f < kNumDf; ++f)
      if (d[f] < -32768 || d[f] > 65535)
        fail(l, fmt::format("descriptor field {} = {} does not fit 16 bits", f, d[f]));
    p.cout = static_cast<std::uint64_t>(cout);
    p.nog = static_cast<std::uint64_t>(nog);
    p.lout = static_cast<std::uint64_t>(lout);
    p.nchunk = static_cast<std::uint64_t>(nchunk);
    p.work = p.nog * p.lout * p.nchunk;
    prog.passes.push_back(p);
    cur = out;
    buf ^= 1;
    li = next;
  }

  if (prog.passes.empty()) throw InputError(fmt::format("{}: network has no layers", origin));
  const SeqPass& last = prog.passes.back();
  if (last.desc[kDfNOg] * hw.pe < prog.n_classes || last.lout != 1)
    throw InputError(fmt::format("{}: last pass '{}' does not produce {} logits", origin,
                                 last.layers, prog.n_classes));
  if (prog.passes.size() > static_cast<std::size_t>(hw.desc_depth))
    throw InputError(fmt::format("{}: {} passes exceed the descriptor table ({})", origin,
                                 prog.passes.size(), hw.desc_depth));
  if (next_row > hw.wgt_rows)
    throw InputError(fmt::format("{}: weights need {} rows, the engine has {}", origin, next_row,
                                 hw.wgt_rows));
  if (next_par > hw.par_depth)
    throw InputError(fmt::format("{}: parameters need {} entries, the engine has {}", origin,
                                 next_par, hw.par_depth));
  prog.weight_rows = static_cast<int>(next_row);
  prog.param_entries = static_cast<int>(next_par);

  for (std::size_t i = 0; i < prog.passes.size(); ++i)
    for (std::uint32_t f = 0; f < kNumDf; ++f)
      w.push_back({(kRegionDesc << 28) | static_cast<std::uint32_t>(i * kDescStride + f),
                   static_cast<std::uint32_t>(prog.passes[i].desc[f]) & 0xffffu});
  w.push_back({csr_addr(kCsrNPass), static_cast<std::uint32_t>(prog.passes.size())});
  w.push_back({csr_addr(kCsrInLen), static_cast<std::uint32_t>(prog.in_len)});
  w.push_back({csr_addr(kCsrAuxLen), static_cast<std::uint32_t>(prog.aux_len)});
  w.push_back({csr_addr(kCsrCtrl), 1u});
  return prog;
}

SeqHw read_seq_hw(const RegRead& read_reg) {
  using namespace seq;
  auto csr = [&](Csr c) { return read_reg(csr_addr(c)); };
  if (csr(kCsrId) != kIdValue) throw std::runtime_error("seq engine: bad CSR id");
  SeqHw h;
  const std::uint32_t p = csr(kCsrHwParams);
  h.pe = static_cast<int>(p & 0xffu);
  h.simd = static_cast<int>((p >> 8) & 0xffu);
  h.mac_kind = static_cast<int>((p >> 16) & 0xfu);
  h.wbits = static_cast<int>((p >> 20) & 0xfu);
  h.abits = static_cast<int>((p >> 24) & 0x1fu);
  h.act_depth_a = static_cast<int>(csr(kCsrActDepthA));
  h.act_depth_b = static_cast<int>(csr(kCsrActDepthB));
  h.wgt_rows = static_cast<int>(csr(kCsrWgtRows));
  h.par_depth = static_cast<int>(csr(kCsrParDepth));
  h.desc_depth = static_cast<int>(csr(kCsrDescDepth));
  h.aux_depth = static_cast<int>(csr(kCsrAuxDepth));
  h.max_classes = static_cast<int>(csr(kCsrMaxClass));
  const std::uint32_t a = csr(kCsrAccBits);
  h.acc_bits = static_cast<int>(a & 0xffu);
  h.num_df = static_cast<int>((a >> 8) & 0xffu);
  h.drain = static_cast<int>((a >> 16) & 0xffu);
  h.xnor_lanes = h.mac_kind == kMacXnor ? static_cast<int>((a >> 24) & 0xffu) : 0;
  return h;
}

}  // namespace ecg::rtl
