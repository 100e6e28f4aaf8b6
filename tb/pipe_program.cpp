#include "pipe_program.h"

#include <fmt/format.h>

#include <algorithm>

#include "ecg/error.h"

namespace ecg::rtl {
namespace {

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }
std::uint32_t u32(long v) { return static_cast<std::uint32_t>(v); }

}  // namespace

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
  if (net.input_shape.c != 1)
    throw InputError(fmt::format("{}: {} input channels (the pipe engine takes 1)", origin,
                                 net.input_shape.c));
  if (prog.aux_len > hw.aux_depth)
    throw InputError(fmt::format("{}: {} aux values exceed the engine's {}", origin, prog.aux_len,
                                 hw.aux_depth));
  if (prog.n_classes > hw.max_classes)
    throw InputError(fmt::format("{}: {} classes exceed the engine's {} logits", origin,
                                 prog.n_classes, hw.max_classes));

  std::vector<RegWrite>& w = prog.writes;
  auto stage_addr = [](std::uint32_t region, std::size_t stage) {
    return (region << 28) | (static_cast<std::uint32_t>(stage) << 24);
  };
  bool pending_aux = false;
  for (std::size_t li = 0; li < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    const std::size_t si = prog.stages.size();
    if (l.type == LayerType::kConcatAux) {
      if (li + 1 >= net.layers.size() || net.layers[li + 1].type != LayerType::kDense)
        fail(l, "concat_aux must feed a dense layer");
      if (l.count != prog.aux_len) fail(l, "count differs from the input's aux values");
      pending_aux = true;
      continue;
    }
    if (l.type == LayerType::kRequant) {
      if (prog.stages.empty() || (prog.stages.back().desc[kSfCtrl] & kCtrlRequant) ||
          net.layers[li - 1].type == LayerType::kConcatAux)
        fail(l, "a requant must follow a conv1d, dense or maxpool layer");
      std::uint32_t* d = prog.stages.back().desc;
      prog.stages.back().layers += "+" + l.name;
      d[kSfCtrl] |= kCtrlRequant;
      d[kSfLo] = static_cast<std::uint32_t>(l.lo);
      d[kSfHi] = static_cast<std::uint32_t>(l.hi);
      for (int o = 0; o < l.in.c; ++o) {
        const auto uo = static_cast<std::size_t>(o);
        const std::uint32_t bank = static_cast<std::uint32_t>(o % hw.pe) << 20;
        const std::uint32_t idx = static_cast<std::uint32_t>(o / hw.pe);
        w.push_back({stage_addr(kRegionPar, si - 1) | bank | (kParMult << 17) | idx,
                     static_cast<std::uint32_t>(l.mult[uo])});
        w.push_back({stage_addr(kRegionPar, si - 1) | bank | (kParShift << 17) | idx,
                     static_cast<std::uint32_t>(l.shift[uo])});
      }
      continue;
    }
    if (l.type != LayerType::kConv1d && l.type != LayerType::kDense &&
        l.type != LayerType::kMaxPool)
      fail(l, fmt::format("type {} is not a pipe stage", layer_type_name(l.type)));
    if (l.in_signed || l.in_bits > 8) fail(l, "input activations are not UINT8");
    if ((l.type != LayerType::kDense && l.in.c > hw.max_c) || l.out.c > hw.max_c)
      fail(l, fmt::format("more than {} channels", hw.max_c));

    PipeStage st;
    st.layers = l.name;
    std::uint32_t* d = st.desc;
    const int c_in = l.in.c, l_in = l.in.l;
    if (l.type == LayerType::kDense) {
      // A conv whose kernel is the whole input [C][L] (flattened c*L + t), plus the aux values.
      const int n_in = c_in * l_in;
      const int chans = pending_aux ? (n_in - prog.aux_len) : n_in;
      const int cols = pending_aux ? 1 : l_in;  // concat_aux flattens its input
      const Layer& src = pending_aux ? net.layers[li - 2] : l;  // the layer before concat_aux
      const int lin = pending_aux ? src.out.l : cols;
      const int cin = pending_aux ? src.out.c : c_in;
      if (cin * lin != chans) fail(l, "dense input shape");
      if (cin > hw.max_c) fail(l, fmt::format("more than {} channels", hw.max_c));
      d[kSfCtrl] = pending_aux ? kCtrlHasAux : 0u;
      d[kSfLin] = u32(lin);
      d[kSfLout] = 1;
      d[kSfK] = u32(lin);
      d[kSfStride] = 1;
      d[kSfRed] = u32(n_in);
      d[kSfCinG] = u32(cin);
      d[kSfCoutG] = u32(l.out.c);
      d[kSfAuxStart] = u32(chans);
      d[kSfLbUse] = u32(lin);
      pending_aux = false;
    } else {
      const bool pool = l.type == LayerType::kMaxPool;
      const int cin_g = pool ? 1 : c_in / l.groups;
      const bool dw = cin_g == 1 && l.groups == c_in && l.out.c == c_in;  // channel o reads channel o
      d[kSfCtrl] = pool ? (kCtrlMax | kCtrlDw) : (dw ? kCtrlDw : 0u);
      d[kSfLin] = u32(l_in);
      d[kSfLout] = u32(l.out.l);
      d[kSfK] = u32(l.k);
      d[kSfStride] = u32(l.stride);
      d[kSfPadL] = u32(l.pad_left);
      d[kSfPadVal] = pool ? 0u : static_cast<std::uint32_t>(l.pad_value);
      d[kSfRed] = u32(cin_g * l.k);
      d[kSfCinG] = u32(cin_g);
      d[kSfCoutG] = pool ? 1u : u32(l.out.c / l.groups);
      d[kSfLbUse] = u32(std::max(l.k, line_buffer_cols));
      if (!pool && (l.pad_value < 0 || l.pad_value > 255)) fail(l, "pad value is not UINT8");
    }
    d[kSfCout] = u32(l.out.c);
    if (d[kSfLbUse] > static_cast<std::uint32_t>(hw.lb_cols))
      fail(l, fmt::format("needs a line buffer of {} columns, the engine has {}", d[kSfLbUse],
                          hw.lb_cols));
    d[kSfNChunk] = ceil_div(d[kSfRed], static_cast<std::uint32_t>(hw.simd));
    d[kSfNOg] = ceil_div(d[kSfCout], static_cast<std::uint32_t>(hw.pe));
    if (d[kSfNOg] > static_cast<std::uint32_t>(hw.par_depth))
      fail(l, fmt::format("{} output groups exceed the {} parameter entries", d[kSfNOg], hw.par_depth));

    if (l.type != LayerType::kMaxPool) {
      // Weights: bank o % pe, row (o / pe) * nchunk + j / simd, lane j % simd.
      const Tensor& t = net.tensors[static_cast<std::size_t>(l.weight)];
      if (t.encoding != Encoding::kInt || t.bits > 8 || !t.is_signed)
        fail(l, "weights are not INT8");
      const std::uint32_t red = d[kSfRed], cout = d[kSfCout];
      if (t.numel() != static_cast<std::size_t>(red) * cout)
        fail(l, "weight tensor size does not match the layer");
      if (d[kSfNOg] * d[kSfNChunk] > static_cast<std::uint32_t>(hw.wgt_rows))
        fail(l, fmt::format("weights need {} rows per bank, the engine has {}",
                            d[kSfNOg] * d[kSfNChunk], hw.wgt_rows));
      const auto pe = static_cast<std::uint32_t>(hw.pe), simd = static_cast<std::uint32_t>(hw.simd);
      for (std::uint32_t o = 0; o < cout; ++o)
        for (std::uint32_t j = 0; j < red; ++j) {
          const std::int32_t v = t.data[static_cast<std::size_t>(o) * red + j];
          const std::uint32_t row = (o / pe) * d[kSfNChunk] + j / simd;
          w.push_back({stage_addr(kRegionWgt, si) | ((o % pe) << 20) | (row << 6) | (j % simd),
                       static_cast<std::uint32_t>(v) & 0xffu});
        }
      if (l.bias >= 0) {
        d[kSfCtrl] |= kCtrlHasBias;
        const Tensor& b = net.tensors[static_cast<std::size_t>(l.bias)];
        for (std::uint32_t o = 0; o < cout; ++o)
          w.push_back({stage_addr(kRegionPar, si) | ((o % pe) << 20) | (kParBias << 17) | (o / pe),
                       static_cast<std::uint32_t>(b.data[o])});
      }
    }
    prog.stages.push_back(st);
  }
  if (prog.stages.empty()) throw InputError(fmt::format("{}: network has no layers", origin));
  // Every stage but the last hands UINT8 columns to the next one.
  for (std::size_t li = 0; li + 1 < net.layers.size(); ++li) {
    const Layer& l = net.layers[li];
    if (l.type != LayerType::kConcatAux && (l.out_signed || l.out_bits > 8) &&
        net.layers[li + 1].type != LayerType::kRequant)
      fail(l, "output between stages is not UINT8");
  }
  const PipeStage& last = prog.stages.back();
  if (last.desc[kSfCout] != static_cast<std::uint32_t>(prog.n_classes) || last.desc[kSfLout] != 1)
    throw InputError(fmt::format("{}: last stage '{}' does not produce {} logits", origin,
                                 last.layers, prog.n_classes));
  if (prog.stages.size() != static_cast<std::size_t>(hw.stages))
    throw InputError(fmt::format("{}: {} pipeline stages, the engine has {}", origin,
                                 prog.stages.size(), hw.stages));

  for (std::size_t i = 0; i < prog.stages.size(); ++i)
    for (std::uint32_t f = 0; f < kNumSf; ++f)
      w.push_back({stage_addr(kRegionDesc, i) | f, prog.stages[i].desc[f]});
  w.push_back({csr_addr(kCsrInLen), static_cast<std::uint32_t>(prog.in_len)});
  w.push_back({csr_addr(kCsrAuxLen), static_cast<std::uint32_t>(prog.aux_len)});
  w.push_back({csr_addr(kCsrNClasses), static_cast<std::uint32_t>(prog.n_classes)});
  w.push_back({csr_addr(kCsrCtrl), 1u});
  return prog;
}

}  // namespace ecg::rtl
