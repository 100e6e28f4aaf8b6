#include "pipe_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "ecg/error.h"

namespace ecg::rtl {
namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }
std::uint32_t u32(long v) { return static_cast<std::uint32_t>(v); }

// A pass layer of the network as a pipe stage, before it meets the hardware.
struct StageSpec {
  const Layer* pass = nullptr;
  const Layer* requant = nullptr;  // fused requant, if any
  std::string layers;
  int kind = pipe::kKindMac;
  int cin = 1, cout = 1, k = 1, aux = 0;  // dense: k = input columns
  int lin = 1, lout = 1, stride = 1, padl = 0, padval = 0;
};

std::vector<StageSpec> stage_specs(const Network& net) {
  const std::string& origin = net.origin;
  auto fail = [&](const Layer& l, const std::string& what) {
    throw InputError(fmt::format("{}: layer '{}': {} (rtl pipe engine)", origin, l.name, what));
  };
  if (net.input_shape.c != 1)
    throw InputError(fmt::format("{}: {} input channels (the pipe engine takes 1)", origin,
                                 net.input_shape.c));
  const int aux_len = net.input.aux_count();
  std::vector<StageSpec> specs;
  bool pending_aux = false;
  for (std::size_t li = 0; li < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    if (l.type == LayerType::kConcatAux) {
      if (li + 1 >= net.layers.size() || net.layers[li + 1].type != LayerType::kDense)
        fail(l, "concat_aux must feed a dense layer");
      if (l.count != aux_len) fail(l, "count differs from the input's aux values");
      pending_aux = true;
      continue;
    }
    if (l.type == LayerType::kRequant) {
      if (specs.empty() || specs.back().requant || net.layers[li - 1].type == LayerType::kConcatAux)
        fail(l, "a requant must follow a conv1d, dense or maxpool layer");
      specs.back().requant = &l;
      specs.back().layers += "+" + l.name;
      continue;
    }
    if (l.type != LayerType::kConv1d && l.type != LayerType::kDense &&
        l.type != LayerType::kMaxPool)
      fail(l, fmt::format("type {} is not a pipe stage", layer_type_name(l.type)));
    if (l.in_signed || l.in_bits > 8) fail(l, "input activations are not UINT8");
    StageSpec s;
    s.pass = &l;
    s.layers = l.name;
    if (l.type == LayerType::kDense) {
      // A conv whose kernel is the whole input [C][L] (flattened c*L + t), plus the aux values.
      const int n_in = l.in.c * l.in.l;
      const int chans = pending_aux ? (n_in - aux_len) : n_in;
      const Layer& src = pending_aux ? net.layers[li - 2] : l;  // the layer before concat_aux
      s.lin = pending_aux ? src.out.l : l.in.l;
      s.cin = pending_aux ? src.out.c : l.in.c;
      if (s.cin * s.lin != chans) fail(l, "dense input shape");
      s.k = s.lin;
      s.aux = pending_aux ? aux_len : 0;
      pending_aux = false;
    } else {
      const bool pool = l.type == LayerType::kMaxPool;
      const int cin_g = pool ? 1 : l.in.c / l.groups;
      const bool dw = cin_g == 1 && l.groups == l.in.c && l.out.c == l.in.c;
      if (!pool && !dw && l.groups != 1)
        fail(l, "grouped conv other than depthwise (groups = channels) is not a pipe stage");
      s.kind = pool ? pipe::kKindPool : (dw ? pipe::kKindDw : pipe::kKindMac);
      s.cin = l.in.c;
      s.lin = l.in.l;
      s.lout = l.out.l;
      s.k = l.k;
      s.stride = l.stride;
      s.padl = l.pad_left;
      s.padval = pool ? 0 : l.pad_value;
      if (!pool && (l.pad_value < 0 || l.pad_value > 255)) fail(l, "pad value is not UINT8");
    }
    s.cout = l.out.c;
    specs.push_back(s);
  }
  if (specs.empty()) throw InputError(fmt::format("{}: network has no layers", origin));
  return specs;
}

int stage_rows(int kind, int cin, int cout, int k, int aux, int pe, int simd) {
  const int nog = ceil_div(cout, pe);
  if (kind == pipe::kKindMac) return nog * (k * ceil_div(cin, simd) + ceil_div(aux, simd));
  if (kind == pipe::kKindDw) return nog * k;
  return 1;
}

}  // namespace

std::vector<PipeStageHw> pipe_stage_hw(const Network& net, int pe, int simd, int lb_cols) {
  std::vector<PipeStageHw> out;
  for (const StageSpec& s : stage_specs(net)) {
    PipeStageHw h;
    h.kind = s.kind;
    h.pe = pe;
    h.simd = s.kind == pipe::kKindMac ? simd : 1;
    h.cin = s.cin;
    h.cout = s.cout;
    h.wgt_rows = stage_rows(s.kind, s.cin, s.cout, s.k, s.aux, pe, h.simd);
    h.lb_cols = lb_cols;
    out.push_back(h);
  }
  return out;
}

PipeProgram compile_pipe(const Network& net, const PipeHw& hw, int line_buffer_cols) {
  using namespace pipe;
  PipeProgram prog;
  prog.hw = hw;
  prog.in_len = net.input_shape.l;
  prog.aux_len = net.input.aux_count();
  prog.n_classes = static_cast<int>(net.classes.size());
  const std::string& origin = net.origin;
  auto fail = [&](const Layer& l, const std::string& what) {
    throw InputError(fmt::format("{}: layer '{}': {} (rtl pipe engine)", origin, l.name, what));
  };
  if (prog.aux_len > hw.aux_depth)
    throw InputError(fmt::format("{}: {} aux values exceed the engine's {}", origin, prog.aux_len,
                                 hw.aux_depth));
  if (prog.n_classes > hw.max_classes)
    throw InputError(fmt::format("{}: {} classes exceed the engine's {} logits", origin,
                                 prog.n_classes, hw.max_classes));
  const std::vector<StageSpec> specs = stage_specs(net);
  if (specs.size() != static_cast<std::size_t>(hw.stages) || hw.st.size() != specs.size())
    throw InputError(fmt::format("{}: {} pipeline stages, the engine has {}", origin,
                                 specs.size(), hw.stages));

  std::vector<RegWrite>& w = prog.writes;
  auto stage_addr = [](std::uint32_t region, std::size_t stage) {
    return (region << 28) | (static_cast<std::uint32_t>(stage) << 24);
  };
  static const char* const kKindName[] = {"conv/dense", "depthwise conv", "maxpool"};
  for (std::size_t si = 0; si < specs.size(); ++si) {
    const StageSpec& s = specs[si];
    const Layer& l = *s.pass;
    const PipeStageHw& h = hw.st[si];
    if (h.kind != s.kind)
      fail(l, fmt::format("is a {} stage, the engine's stage {} is a {}", kKindName[s.kind], si,
                          kKindName[std::clamp(h.kind, 0, 2)]));
    if (s.cin > h.cin || s.cout > h.cout)
      fail(l, fmt::format("{} -> {} channels, the engine's stage {} holds {} -> {}", s.cin,
                          s.cout, si, h.cin, h.cout));
    const int pe = h.pe, simd = h.simd;
    const int lb_use = s.kind == kKindMac && l.type == LayerType::kDense
                           ? s.lin
                           : std::max(s.k, line_buffer_cols);
    if (lb_use > h.lb_cols)
      fail(l, fmt::format("needs a line buffer of {} columns, the engine has {}", lb_use,
                          h.lb_cols));
    const int ncc = s.kind == kKindMac ? ceil_div(s.cin, simd) : 1;
    const int naux = s.kind == kKindMac ? ceil_div(s.aux, simd) : 0;
    const int nog = ceil_div(s.cout, pe);
    const int rows = stage_rows(s.kind, s.cin, s.cout, s.k, s.aux, pe, simd);
    if (s.kind != kKindPool && rows > h.wgt_rows)
      fail(l, fmt::format("weights need {} rows, the engine's stage {} has {}", rows, si,
                          h.wgt_rows));

    PipeStage st;
    st.layers = s.layers;
    st.kind = s.kind;
    st.rows = s.kind == kKindPool ? 0 : rows;
    std::uint32_t* d = st.desc;
    d[kSfLin] = u32(s.lin);
    d[kSfLout] = u32(s.lout);
    d[kSfK] = u32(s.k);
    d[kSfStride] = u32(s.stride);
    d[kSfPadL] = u32(s.padl);
    d[kSfPadVal] = u32(s.padval);
    d[kSfCin] = u32(s.cin);
    d[kSfNcc] = u32(ncc);
    d[kSfNaux] = u32(naux);
    d[kSfCout] = u32(s.cout);
    d[kSfNog] = u32(nog);
    d[kSfLbUse] = u32(lb_use);
    if (s.aux > 0) d[kSfCtrl] |= kCtrlHasAux;

    if (s.kind != kKindPool) {
      const Tensor& t = net.tensors[static_cast<std::size_t>(l.weight)];
      if (t.encoding != Encoding::kInt || t.bits > 8 || !t.is_signed) fail(l, "weights are not INT8");
      const int red = s.kind == kKindDw ? s.k : s.cin * s.k + s.aux;
      if (t.numel() != static_cast<std::size_t>(red) * static_cast<std::size_t>(s.cout))
        fail(l, "weight tensor size does not match the layer");
      auto wt = [&](int o, int j) {
        return static_cast<std::uint32_t>(t.data[static_cast<std::size_t>(o) * red + j]) & 0xffu;
      };
      const int lanes = s.kind == kKindMac ? pe * simd : pe;
      std::vector<std::uint32_t> row(static_cast<std::size_t>(lanes));
      int r = 0;
      auto put_row = [&] {
        for (int lane = 0; lane < lanes; ++lane)
          w.push_back({stage_addr(kRegionWgt, si) | (u32(r) << 10) | u32(lane),
                       row[static_cast<std::size_t>(lane)]});
        ++r;
      };
      // Rows in the order the steps read them: per output group, per tap, per word of `simd`
      // input channels (KindMac; then the aux steps), lane p * simd + s.
      for (int og = 0; og < nog; ++og) {
        if (s.kind == kKindDw) {
          for (int k = 0; k < s.k; ++k) {
            for (int p = 0; p < pe; ++p) {
              const int o = og * pe + p;
              row[static_cast<std::size_t>(p)] = o < s.cout ? wt(o, k) : 0u;
            }
            put_row();
          }
          continue;
        }
        for (int k = 0; k < s.k; ++k)
          for (int cc = 0; cc < ncc; ++cc) {
            for (int p = 0; p < pe; ++p)
              for (int sl = 0; sl < simd; ++sl) {
                const int o = og * pe + p, ch = cc * simd + sl;
                row[static_cast<std::size_t>(p * simd + sl)] =
                    (o < s.cout && ch < s.cin) ? wt(o, ch * s.k + k) : 0u;
              }
            put_row();
          }
        for (int a = 0; a < naux; ++a) {
          for (int p = 0; p < pe; ++p)
            for (int sl = 0; sl < simd; ++sl) {
              const int o = og * pe + p, ai = a * simd + sl;
              row[static_cast<std::size_t>(p * simd + sl)] =
                  (o < s.cout && ai < s.aux) ? wt(o, s.cin * s.k + ai) : 0u;
            }
          put_row();
        }
      }
      auto par = [&](int o, std::uint32_t f, std::uint32_t v) {
        w.push_back({stage_addr(kRegionPar, si) | (u32(o) * 4u + f), v & 0xffffu});
      };
      if (l.bias >= 0) {
        d[kSfCtrl] |= kCtrlHasBias;
        const Tensor& b = net.tensors[static_cast<std::size_t>(l.bias)];
        for (int o = 0; o < s.cout; ++o) {
          const auto v = static_cast<std::uint32_t>(b.data[static_cast<std::size_t>(o)]);
          par(o, kParBiasLo, v);
          par(o, kParBiasHi, v >> 16);
        }
      }
      if (s.requant) {
        const Layer& q = *s.requant;
        d[kSfCtrl] |= kCtrlRequant;
        if (q.lo < -32768 || q.hi > 32767 || q.lo > q.hi) fail(q, "requant clamp beyond 16 bits");
        d[kSfLo] = static_cast<std::uint32_t>(q.lo) & 0xffffu;
        d[kSfHi] = static_cast<std::uint32_t>(q.hi) & 0xffffu;
        for (int o = 0; o < s.cout; ++o) {
          const auto uo = static_cast<std::size_t>(o);
          if (q.mult[uo] < -32768 || q.mult[uo] > 32767)
            fail(q, fmt::format("multiplier {} of channel {} exceeds 16 bits", q.mult[uo], o));
          if (q.shift[uo] < 0 || q.shift[uo] > 47)
            fail(q, fmt::format("shift {} of channel {} outside 0..47", q.shift[uo], o));
          par(o, kParMult, static_cast<std::uint32_t>(q.mult[uo]));
          par(o, kParShift, static_cast<std::uint32_t>(q.shift[uo]));
        }
      }
    } else if (s.requant) {
      fail(*s.requant, "a requant after a maxpool is not a pipe stage");
    }
    prog.stages.push_back(st);
  }
  // Every stage but the last hands UINT8 values to the next one; the last one has no requant
  // (it hands out its 32-bit accumulators as logits).
  for (std::size_t li = 0; li + 1 < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    if (l.type != LayerType::kConcatAux && (l.out_signed || l.out_bits > 8) &&
        net.layers[li + 1].type != LayerType::kRequant)
      fail(l, "output between stages is not UINT8");
  }
  const PipeStage& last = prog.stages.back();
  if (last.desc[kSfCout] != static_cast<std::uint32_t>(prog.n_classes) ||
      last.desc[kSfLout] != 1 || (last.desc[kSfCtrl] & kCtrlRequant))
    throw InputError(fmt::format("{}: last stage '{}' does not produce {} logits", origin,
                                 last.layers, prog.n_classes));

  for (std::size_t i = 0; i < prog.stages.size(); ++i)
    for (std::uint32_t f = 0; f < kNumSf; ++f)
      w.push_back({stage_addr(kRegionDesc, i) | f, prog.stages[i].desc[f]});
  w.push_back({csr_addr(kCsrInLen), static_cast<std::uint32_t>(prog.in_len)});
  w.push_back({csr_addr(kCsrAuxLen), static_cast<std::uint32_t>(prog.aux_len)});
  w.push_back({csr_addr(kCsrNClasses), static_cast<std::uint32_t>(prog.n_classes)});
  w.push_back({csr_addr(kCsrCtrl), 1u});
  return prog;
}

PipeHw read_pipe_hw(const RegRead& read_reg) {
  using namespace pipe;
  auto csr = [&](Csr c) { return read_reg(csr_addr(c)); };
  if (csr(kCsrId) != kIdValue) throw std::runtime_error("pipe engine: bad CSR id");
  PipeHw h;
  const std::uint32_t p = csr(kCsrHwParams);
  h.pe = static_cast<int>(p & 0xffu);
  h.simd = static_cast<int>((p >> 8) & 0xffu);
  h.stages = static_cast<int>((p >> 16) & 0xffu);
  h.lb_cols = static_cast<int>(csr(kCsrLbCols));
  h.max_c = static_cast<int>(csr(kCsrMaxC));
  h.aux_depth = static_cast<int>(csr(kCsrAuxDepth));
  h.max_classes = static_cast<int>(csr(kCsrMaxClass));
  h.wb_ii = static_cast<int>(csr(kCsrWbIi));
  for (int s = 0; s < h.stages; ++s) {
    const auto us = static_cast<std::size_t>(s);
    auto info = [&](Info f) { return static_cast<int>(read_reg(info_addr(us, f))); };
    PipeStageHw st;
    st.kind = info(kInfoKind);
    st.pe = info(kInfoPe);
    st.simd = info(kInfoSimd);
    st.cin = info(kInfoCin);
    st.cout = info(kInfoCout);
    st.wgt_rows = info(kInfoWgtRows);
    st.lb_cols = info(kInfoLbCols);
    h.st.push_back(st);
  }
  return h;
}

}  // namespace ecg::rtl
