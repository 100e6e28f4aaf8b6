#include "seq_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ecg/error.h"

namespace ecg::rtl {
namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// The engine's weight code for one value, or throws.
std::uint32_t weight_code(std::int32_t v, const SeqHw& hw, bool int_w, const std::string& where) {
  const std::uint32_t mask = (1u << hw.wbits) - 1u;
  switch (int_w ? seq::kMacInt : hw.mac_kind) {
    case seq::kMacXnor:
      if (v != 1 && v != -1)
        throw InputError(fmt::format("{}: weight {} is not +-1 (XNOR engine)", where, v));
      return v > 0 ? 1u : 0u;
    case seq::kMacPow2: {
      if (v == 0) return 0u;
      const std::uint32_t mag = static_cast<std::uint32_t>(v < 0 ? -static_cast<std::int64_t>(v) : v);
      if ((mag & (mag - 1)) != 0)
        throw InputError(fmt::format("{}: weight {} is not a power of two (shift-add engine)", where, v));
      int e = 0;
      while ((1u << e) != mag) ++e;
      const int max_e1 = (1 << (hw.wbits - 1)) - 1;
      if (e + 1 > max_e1)
        throw InputError(fmt::format("{}: weight {} needs exponent {} > {} ({}-bit shift-add codes)",
                                     where, v, e, max_e1 - 1, hw.wbits));
      return (v < 0 ? (1u << (hw.wbits - 1)) : 0u) | static_cast<std::uint32_t>(e + 1);
    }
    default: {
      const std::int64_t lo = -(std::int64_t{1} << (hw.wbits - 1));
      const std::int64_t hi = (std::int64_t{1} << (hw.wbits - 1)) - 1;
      if (v < lo || v > hi)
        throw InputError(fmt::format("{}: weight {} does not fit the engine's INT{} MAC", where, v,
                                     hw.wbits));
      return static_cast<std::uint32_t>(v) & mask;
    }
  }
}

bool is_elementwise(LayerType t) { return t == LayerType::kRequant || t == LayerType::kThreshold; }

}  // namespace

std::uint64_t SeqProgram::cycles_per_beat() const {
  std::uint64_t c = static_cast<std::uint64_t>(in_len + aux_len) + 1;
  for (const auto& p : passes) c += kLayerOverhead + p.work;
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
  auto fail = [&](const Layer& l, const std::string& what) {
    throw InputError(fmt::format("{}: layer '{}': {} (rtl seq engine)", origin, l.name, what));
  };
  if (prog.in_len > hw.act_depth)
    throw InputError(fmt::format("{}: input length {} exceeds the activation buffer ({})", origin,
                                 prog.in_len, hw.act_depth));
  if (prog.aux_len > hw.aux_depth)
    throw InputError(fmt::format("{}: {} aux values exceed the engine's {}", origin, prog.aux_len,
                                 hw.aux_depth));
  if (prog.n_classes > hw.max_classes)
    throw InputError(fmt::format("{}: {} classes exceed the engine's {} logits", origin,
                                 prog.n_classes, hw.max_classes));

  std::map<int, std::uint32_t> weight_base;  // tensor -> first row (shared tensors stored once)
  std::uint32_t next_row = 0, next_par = 0;
  std::vector<RegWrite>& w = prog.writes;
  auto desc_write = [&](std::size_t pass, std::uint32_t field, std::uint32_t value) {
    w.push_back({(kRegionDesc << 28) | static_cast<std::uint32_t>(pass * kDescStride + field), value});
  };
  auto par_write = [&](int o, std::uint32_t field, std::uint32_t pbase, std::uint32_t value) {
    const std::uint32_t bank = static_cast<std::uint32_t>(o % hw.pe);
    const std::uint32_t index = pbase + static_cast<std::uint32_t>(o / hw.pe);
    w.push_back({(kRegionPar << 28) | (bank << 22) | (field << 19) | index, value});
  };

  bool pending_aux = false;
  for (std::size_t li = 0; li < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    if (l.type == LayerType::kConcatAux) {
      if (li + 1 >= net.layers.size() || net.layers[li + 1].type != LayerType::kDense)
        fail(l, "concat_aux must feed a dense layer");
      if (l.count != prog.aux_len) fail(l, "count differs from the input's aux values");
      pending_aux = true;
      continue;
    }
    if (is_elementwise(l.type) && !prog.passes.empty() &&
        ((prog.passes.back().desc[kDfCtrl] >> 4) & 3u) == kEwNone &&
        net.layers[li - 1].type != LayerType::kConcatAux) {
      // Fused into the write-back of the previous pass.
      SeqPass& p = prog.passes.back();
      p.layers += "+" + l.name;
    } else {
      SeqPass p;
      p.layers = l.name;
      std::uint32_t* d = p.desc;
      const int c_in = l.in.c, l_in = l.in.l;
      switch (l.type) {
        case LayerType::kConv1d: {
          const int cin_g = c_in / l.groups;
          d[kDfCtrl] = kOpMac;
          d[kDfLin] = static_cast<std::uint32_t>(l_in);
          d[kDfCout] = static_cast<std::uint32_t>(l.out.c);
          d[kDfLout] = static_cast<std::uint32_t>(l.out.l);
          d[kDfK] = static_cast<std::uint32_t>(l.k);
          d[kDfStride] = static_cast<std::uint32_t>(l.stride);
          d[kDfPadL] = static_cast<std::uint32_t>(l.pad_left);
          d[kDfPadVal] = static_cast<std::uint32_t>(l.pad_value);
          d[kDfRed] = static_cast<std::uint32_t>(cin_g * l.k);
          d[kDfCinG] = static_cast<std::uint32_t>(cin_g);
          d[kDfCoutG] = static_cast<std::uint32_t>(l.out.c / l.groups);
          break;
        }
        case LayerType::kDense: {
          // l.in is the concat_aux output when one precedes: C*L + count values.
          const int n_in = c_in * l_in;
          const int in0 = n_in - (pending_aux ? prog.aux_len : 0);
          d[kDfCtrl] = kOpMac | (pending_aux ? kCtrlHasAux : 0u);
          d[kDfLin] = static_cast<std::uint32_t>(n_in);
          d[kDfCout] = static_cast<std::uint32_t>(l.out.c);
          d[kDfLout] = 1;
          d[kDfK] = static_cast<std::uint32_t>(n_in);
          d[kDfStride] = 1;
          d[kDfRed] = static_cast<std::uint32_t>(n_in);
          d[kDfCinG] = 1;
          d[kDfCoutG] = static_cast<std::uint32_t>(l.out.c);
          d[kDfAuxStart] = static_cast<std::uint32_t>(in0);
          pending_aux = false;
          break;
        }
        case LayerType::kMaxPool:
        case LayerType::kRequant:
        case LayerType::kThreshold: {
          // maxpool, or a lone element-wise layer as a 1-tap max (a copy).
          const bool pool = l.type == LayerType::kMaxPool;
          d[kDfCtrl] = kOpMax | kCtrlDw;
          d[kDfLin] = static_cast<std::uint32_t>(l_in);
          d[kDfCout] = static_cast<std::uint32_t>(l.out.c);
          d[kDfLout] = static_cast<std::uint32_t>(l.out.l);
          d[kDfK] = pool ? static_cast<std::uint32_t>(l.k) : 1u;
          d[kDfStride] = pool ? static_cast<std::uint32_t>(l.stride) : 1u;
          d[kDfPadL] = pool ? static_cast<std::uint32_t>(l.pad_left) : 0u;
          d[kDfRed] = d[kDfK];
          d[kDfCinG] = 1;
          d[kDfCoutG] = 1;
          break;
        }
        case LayerType::kGSum:
          d[kDfCtrl] = kOpSum | kCtrlDw;
          d[kDfLin] = static_cast<std::uint32_t>(l_in);
          d[kDfCout] = static_cast<std::uint32_t>(c_in);
          d[kDfLout] = 1;
          d[kDfK] = static_cast<std::uint32_t>(l_in);
          d[kDfStride] = 1;
          d[kDfRed] = static_cast<std::uint32_t>(l_in);
          d[kDfCinG] = 1;
          d[kDfCoutG] = 1;
          break;
        case LayerType::kConcatAux:
          break;
      }
      if (static_cast<long>(c_in) * l_in > hw.act_depth || l.out.numel() > hw.act_depth)
        fail(l, fmt::format("activations exceed the buffer depth {}", hw.act_depth));
      d[kDfNChunk] = static_cast<std::uint32_t>(ceil_div(d[kDfRed], static_cast<std::uint64_t>(hw.simd)));
      d[kDfNOg] = static_cast<std::uint32_t>(ceil_div(d[kDfCout], static_cast<std::uint64_t>(hw.pe)));
      d[kDfPBase] = next_par;
      next_par += d[kDfNOg];
      p.work = std::uint64_t{d[kDfLout]} * d[kDfNOg] * d[kDfNChunk];

      if (l.type == LayerType::kConv1d || l.type == LayerType::kDense) {
        // Weights: bank o % pe, row wbase + (o / pe) * nchunk + j / simd, lane j % simd.
        const Tensor& t = net.tensors[static_cast<std::size_t>(l.weight)];
        // XNOR engines run integer-weight layers (a BNN's INT8 head) on the lane multipliers.
        const bool int_w = hw.mac_kind == kMacXnor && t.encoding != Encoding::kBinary;
        if (int_w) d[kDfCtrl] |= kCtrlIntW;
        auto it = weight_base.find(l.weight);
        if (it == weight_base.end()) {
          it = weight_base.emplace(l.weight, next_row).first;
          const std::uint32_t red = d[kDfRed], cout = d[kDfCout];
          for (std::uint32_t o = 0; o < cout; ++o) {
            for (std::uint32_t j = 0; j < red; ++j) {
              const std::int32_t v = t.data[static_cast<std::size_t>(o) * red + j];
              const std::uint32_t code =
                  weight_code(v, hw, int_w, fmt::format("{}: tensor '{}'", origin, t.name));
              const std::uint32_t bank = o % static_cast<std::uint32_t>(hw.pe);
              const std::uint32_t row = next_row + (o / static_cast<std::uint32_t>(hw.pe)) * d[kDfNChunk] +
                                        j / static_cast<std::uint32_t>(hw.simd);
              const std::uint32_t lane = j % static_cast<std::uint32_t>(hw.simd);
              w.push_back({(kRegionWgt << 28) | (bank << 22) | (row << 6) | lane, code});
            }
          }
          next_row += d[kDfNOg] * d[kDfNChunk];
          if (static_cast<std::size_t>(t.numel()) != static_cast<std::size_t>(red) * cout)
            fail(l, "weight tensor size does not match the layer");
        }
        d[kDfWBase] = it->second;
        if (l.bias >= 0) {
          d[kDfCtrl] |= kCtrlHasBias;
          const Tensor& b = net.tensors[static_cast<std::size_t>(l.bias)];
          for (std::uint32_t o = 0; o < d[kDfCout]; ++o)
            par_write(static_cast<int>(o), kParBias, d[kDfPBase], static_cast<std::uint32_t>(b.data[o]));
        }
        // XNOR-popcount path when the activations are +-1 by construction.
        if (hw.mac_kind == kMacXnor && l.type == LayerType::kConv1d && li > 0) {
          const Layer& prev = net.layers[li - 1];
          const bool pm1 = prev.type == LayerType::kThreshold && prev.lo == -1 && prev.hi == 1;
          const bool pad_ok = (l.pad_left == 0 && l.pad_right == 0) || l.pad_value == 1 || l.pad_value == -1;
          if (pm1 && pad_ok) d[kDfCtrl] |= kCtrlBin;
        }
      }
      prog.passes.push_back(p);
    }
    if (is_elementwise(l.type)) {
      SeqPass& p = prog.passes.back();
      std::uint32_t* d = p.desc;
      const bool rq = l.type == LayerType::kRequant;
      d[kDfCtrl] |= (rq ? kEwRequant : kEwThresh) << 4;
      d[kDfLo] = static_cast<std::uint32_t>(l.lo);
      d[kDfHi] = static_cast<std::uint32_t>(l.hi);
      for (int o = 0; o < l.in.c; ++o) {
        const auto uo = static_cast<std::size_t>(o);
        if (rq) {
          par_write(o, kParMult, d[kDfPBase], static_cast<std::uint32_t>(l.mult[uo]));
          par_write(o, kParShift, d[kDfPBase], static_cast<std::uint32_t>(l.shift[uo]));
        } else {
          par_write(o, kParThr, d[kDfPBase], static_cast<std::uint32_t>(l.t[uo]));
          par_write(o, kParDir, d[kDfPBase], l.dir[uo] > 0 ? 1u : 0u);
        }
      }
    }
  }
  if (prog.passes.empty()) throw InputError(fmt::format("{}: network has no layers", origin));
  const SeqPass& last = prog.passes.back();
  if (last.desc[kDfCout] != static_cast<std::uint32_t>(prog.n_classes) || last.desc[kDfLout] != 1)
    throw InputError(fmt::format("{}: last pass '{}' does not produce {} logits", origin, last.layers,
                                 prog.n_classes));
  if (prog.passes.size() > static_cast<std::size_t>(hw.desc_depth))
    throw InputError(fmt::format("{}: {} passes exceed the descriptor table ({})", origin,
                                 prog.passes.size(), hw.desc_depth));
  if (next_row > static_cast<std::uint32_t>(hw.wgt_rows))
    throw InputError(fmt::format("{}: weights need {} rows per bank, the engine has {}", origin,
                                 next_row, hw.wgt_rows));
  if (next_par > static_cast<std::uint32_t>(hw.par_depth))
    throw InputError(fmt::format("{}: parameters need {} entries per bank, the engine has {}", origin,
                                 next_par, hw.par_depth));
  prog.weight_rows = static_cast<int>(next_row);
  prog.param_entries = static_cast<int>(next_par);

  for (std::size_t i = 0; i < prog.passes.size(); ++i)
    for (std::uint32_t f = 0; f < kNumDf; ++f) desc_write(i, f, prog.passes[i].desc[f]);
  w.push_back({csr_addr(kCsrNPass), static_cast<std::uint32_t>(prog.passes.size())});
  w.push_back({csr_addr(kCsrInLen), static_cast<std::uint32_t>(prog.in_len)});
  w.push_back({csr_addr(kCsrAuxLen), static_cast<std::uint32_t>(prog.aux_len)});
  w.push_back({csr_addr(kCsrCtrl), 1u});
  return prog;
}

}  // namespace ecg::rtl
