#include "ecg/hw/engine_model.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "ecg/error.h"
#include "ecg/hw/params.h"

namespace ecg {
namespace {

std::int64_t cdiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

bool is_pass(const std::string& t) {
  return t == "conv1d" || t == "dense" || t == "maxpool" || t == "gsum";
}
bool is_elementwise(const std::string& t) { return t == "requant" || t == "threshold"; }

// A pass (or stage) and the element-wise layers fused into its write-back.
struct Group {
  int pass = -1;              // index of the pass layer, or of a stand-alone element-wise layer
  std::vector<int> fused;     // requant/threshold fused into the write-back, concat_aux before
  bool aux_fused = false;     // a concat_aux feeds this (dense) pass
  int out_bits = 8;
};

std::vector<Group> group_layers(const NetGeom& net) {
  std::vector<Group> groups;
  bool pending_aux = false;
  int pending_aux_layer = -1;
  bool last_in_group = false;  // the previous layer belongs to groups.back()
  for (int i = 0; i < static_cast<int>(net.layers.size()); ++i) {
    const LayerGeom& l = net.layers[i];
    if (is_pass(l.type)) {
      Group g;
      g.pass = i;
      g.out_bits = l.out_bits;
      if (pending_aux) {
        g.aux_fused = true;
        g.fused.push_back(pending_aux_layer);
        pending_aux = false;
      }
      groups.push_back(g);
      last_in_group = true;
    } else if (is_elementwise(l.type)) {
      if (last_in_group && !groups.empty()) {
        groups.back().fused.push_back(i);
        groups.back().out_bits = l.out_bits;
      } else {
        Group g;
        g.pass = i;
        g.out_bits = l.out_bits;
        groups.push_back(g);
        last_in_group = true;
      }
    } else if (l.type == "concat_aux") {
      pending_aux = true;
      pending_aux_layer = i;
      last_in_group = false;
    } else {
      throw InputError(fmt::format("layer {}: type \"{}\" has no hardware mapping", l.name, l.type));
    }
  }
  return groups;
}

// Name of the shared counters (see docs/platform.md, "Stats").
std::string w(const char* mem, const char* dir, std::int64_t bits) {
  return fmt::format("mem.{}.{}.{}b", mem, dir, bits);
}

struct Activity {
  std::map<std::string, std::uint64_t>& a;
  void add(const std::string& k, std::int64_t n) {
    if (n > 0) a[k] += static_cast<std::uint64_t>(n);
  }
};

// Data-path activity of a pass layer and its fused layers (independent of pe/simd).
void datapath_activity(const NetGeom& net, const Group& g, Activity act, EngineTiming& t) {
  const LayerGeom& l = net.layers[g.pass];
  std::int64_t macs = 0;
  if (l.type == "conv1d") {
    macs = static_cast<std::int64_t>(l.lout) * l.cout * (l.cin / l.groups) * l.k;
    if (l.has_bias) act.add("engine.add.32b", static_cast<std::int64_t>(l.lout) * l.cout);
  } else if (l.type == "dense") {
    macs = static_cast<std::int64_t>(l.cout) * l.cin;
    if (l.has_bias) act.add("engine.add.32b", l.cout);
  } else if (l.type == "maxpool") {
    std::int64_t n = static_cast<std::int64_t>(l.lout) * l.cout * (l.k - 1);
    act.add(fmt::format("engine.compare.{}b", l.in_bits), n);
    t.ops += static_cast<double>(n);
  } else if (l.type == "gsum") {
    std::int64_t n = static_cast<std::int64_t>(l.cin) * l.lin;
    act.add("engine.add.32b", n);
    t.ops += static_cast<double>(n);
  } else {  // stand-alone element-wise layer
  }
  if (macs > 0) {
    act.add("engine." + mac_kind(l), macs);
    t.macs += static_cast<std::uint64_t>(macs);
    t.ops += 2.0 * static_cast<double>(macs);
  }
  std::vector<int> ew = g.fused;
  if (is_elementwise(l.type)) ew.push_back(g.pass);
  for (int i : ew) {
    const LayerGeom& e = net.layers[i];
    std::int64_t n = static_cast<std::int64_t>(e.cout) * e.lout;
    if (e.type == "requant") act.add("engine.requant", n);
    if (e.type == "threshold") act.add("engine.compare.32b", n);
    if (is_elementwise(e.type)) t.ops += static_cast<double>(n);
  }
}

// Accumulator register updates of a pass: one per output value and simd-wide chunk of its
// reduction (the same in seq and pipe).
std::int64_t acc_updates(const LayerGeom& l, std::int64_t simd) {
  if (l.type == "conv1d")
    return static_cast<std::int64_t>(l.lout) * l.cout *
           cdiv(static_cast<std::int64_t>(l.cin / l.groups) * l.k, simd);
  if (l.type == "dense") return l.cout * cdiv(l.cin, simd);
  if (l.type == "maxpool") return static_cast<std::int64_t>(l.lout) * l.cout * cdiv(l.k, simd);
  if (l.type == "gsum") return l.cin * cdiv(l.lin, simd);
  return 0;
}

void check_geometry(const NetGeom& net) {
  if (net.input_length <= 0 || net.layers.empty())
    throw InputError(fmt::format("{}: network has no input length or no layers", net.arch));
  for (const auto& l : net.layers)
    if (l.cin <= 0 || l.cout <= 0 || l.lin <= 0 || l.lout <= 0 || l.k <= 0 || l.stride <= 0 ||
        l.groups <= 0)
      throw InputError(fmt::format("layer {}: non-positive shape", l.name));
}

}  // namespace

std::string mac_kind(const LayerGeom& l) {
  if (l.w_encoding == "binary")
    return l.in_binary ? "xnor_popcount" : fmt::format("addsub.a{}", l.in_bits);
  if (l.w_encoding == "pow2") return fmt::format("shift_add.a{}", l.in_bits);
  return fmt::format("mac.a{}w{}", l.in_bits, l.w_bits);
}

void declare_engine_params(ParamSet& ps, const NetGeom& net) {
  ps.declare(engine_param::kStyle, "seq",
                    "engine micro-architecture: seq = one MAC array iterated over the layers, "
                    "pipe = line-buffer layer pipeline (one stage per layer)",
                    {"seq", "pipe"});
  ps.declare(engine_param::kPe, 8, "processing elements: output channels computed in parallel", 1,
                 4096);
  ps.declare(engine_param::kSimd, 8,
                 "products per PE per cycle (bnn: XNOR bit lanes; pipe: default of each stage)", 1,
                 65536);
  ps.declare(engine_param::kLayerOverhead, 24,
                 "seq: cycles per layer pass to load its descriptor (RTL: 23 fields, one per "
                 "cycle, + 1)", 0, 1000000);
  ps.declare(engine_param::kDrainCycles, 6,
                 "seq: pipeline stages that drain after each group of pe output channels (RTL: 6)",
                 0, 1000000);
  ps.declare(engine_param::kXnorLanes, 0,
                 "seq: 1-bit lanes per XNOR-popcount word for binary layers (0 = no XNOR path; "
                 "RTL: simd x activation lane bits)", 0, 65536);
  ps.declare(engine_param::kActBufferBits, 0,
                 "seq: capacity of each ping-pong activation buffer in bits (0 = sized to the "
                 "largest activation tensor)",
                 0, std::int64_t{1} << 40);
  ps.declare(engine_param::kWeightBufferBits, 0,
                 "capacity of the weight buffer in bits (0 = sized to what the engine stores: "
                 "seq its weight rows, pipe the network's weights)",
                 0, std::int64_t{1} << 40);
  ps.declare(engine_param::kLineBufferCols, 0,
                 "pipe: input columns each stage's line buffer holds (0 = the stage's kernel)", 0,
                 1000000);
  for (const auto& g : group_layers(net)) {
    const LayerGeom& l = net.layers[g.pass];
    ps.declare(engine_param::stage_pe(l.name), 0,
                   fmt::format("pipe: PEs of the stage of layer {} ({}) (0 = engine.pe)", l.name,
                               l.type),
                   0, 4096);
    ps.declare(engine_param::stage_simd(l.name), 0,
                   fmt::format("pipe: SIMD lanes of the stage of layer {} ({}) (0 = engine.simd)",
                               l.name, l.type),
                   0, 65536);
  }
}

EngineConfig engine_config(const ParamSet& ps, const NetGeom& net) {
  check_geometry(net);
  EngineConfig c;
  c.style = ps.get(engine_param::kStyle);
  c.pe = static_cast<int>(ps.get(engine_param::kPe));
  c.simd = static_cast<int>(ps.get(engine_param::kSimd));
  c.layer_overhead = static_cast<int>(ps.get(engine_param::kLayerOverhead));
  c.drain_cycles = static_cast<int>(ps.get(engine_param::kDrainCycles));
  c.xnor_lanes = static_cast<int>(ps.get(engine_param::kXnorLanes));
  c.act_buffer_bits = ps.get(engine_param::kActBufferBits);
  c.weight_buffer_bits = ps.get(engine_param::kWeightBufferBits);
  c.line_buffer_cols = static_cast<int>(ps.get(engine_param::kLineBufferCols));
  for (const auto& g : group_layers(net)) {
    const std::string& n = net.layers[g.pass].name;
    if (auto v = ps.get(engine_param::stage_pe(n))) c.stage_pe[n] = static_cast<int>(v);
    if (auto v = ps.get(engine_param::stage_simd(n))) c.stage_simd[n] = static_cast<int>(v);
  }
  // Capacity checks against the network (the timing functions compute the needs).
  EngineTiming t = engine_timing(net, c);
  ps.require(c.weight_buffer_bits == 0 || c.weight_buffer_bits >= t.weight_bits_needed,
             engine_param::kWeightBufferBits.key,
             fmt::format("weight buffer smaller than the weights the engine stores ({} bits)",
                         t.weight_bits_needed));
  if (c.style == "seq")
    ps.require(c.act_buffer_bits == 0 || c.act_buffer_bits >= t.act_bits_needed,
               engine_param::kActBufferBits.key,
               fmt::format("activation buffer smaller than the largest activation tensor ({} bits)",
                           t.act_bits_needed));
  if (c.style == "pipe")
    ps.require(c.line_buffer_cols == 0 || c.line_buffer_cols >= t.max_kernel,
               engine_param::kLineBufferCols.key,
               fmt::format("line buffer smaller than a kernel (largest kernel {} columns)",
                           t.max_kernel));
  return c;
}

EngineTiming engine_timing(const NetGeom& net, const EngineConfig& cfg) {
  if (cfg.style == "seq") return seq_timing(net, cfg);
  if (cfg.style == "pipe") return pipe_timing(net, cfg);
  throw InputError(fmt::format("parameter engine.style: unknown engine style \"{}\"", cfg.style));
}

namespace {
void common_needs(const NetGeom& net, EngineTiming& t) {
  t.weight_bits_needed = net.weight_storage_bytes * 8;
  t.act_bits_needed = static_cast<std::int64_t>(net.input_channels) * net.input_length *
                          net.input_bits + net.aux * 8;
  for (const auto& l : net.layers) {
    t.act_bits_needed =
        std::max(t.act_bits_needed, static_cast<std::int64_t>(l.cout) * l.lout * l.out_bits);
    if (l.type == "conv1d" || l.type == "maxpool") t.max_kernel = std::max(t.max_kernel, l.k);
  }
}
}  // namespace

EngineTiming seq_timing(const NetGeom& net, const EngineConfig& cfg) {
  check_geometry(net);
  if (cfg.pe < 1 || cfg.simd < 1) throw InputError("parameter engine.pe/engine.simd: must be >= 1");
  EngineTiming t;
  t.style = "seq";
  common_needs(net, t);
  Activity act{t.activity};
  const std::int64_t pe = cfg.pe, simd = cfg.simd;
  t.load_cycles = static_cast<std::int64_t>(net.input_length) * net.input_channels + net.aux;
  act.add(w("input", "read", net.input_bits), t.load_cycles);
  act.add(w("act", "write", net.input_bits), t.load_cycles);
  // docs/engines.md: per pass, the descriptor (layer_overhead), then per group of pe output
  // channels its parameters (one cycle per channel + 1), lout * nchunk work cycles and the
  // pipeline drain.
  // Activations are position-major words of simd lanes (binary layers: xnor_lanes bits), so a
  // MAC chunk is one word of one tap; lane-wise passes (maxpool, gsum, lone element-wise) take
  // one tap per chunk.
  std::int64_t sum = 0;
  int cur_c = net.input_channels, cur_l = net.input_length;
  // Weight rows as the RTL loader stores them (tb/seq_program.cpp): per MAC pass nog * nchunk
  // rows of pe lanes; a tensor read in the same input layout again (QRCNN's shared conv) is
  // stored once. A depthwise convolution (one channel per group) is lane-wise, like a maxpool:
  // one tap per chunk, its rows zero but in each PE's channel lane; other grouped convolutions
  // are full ones with zero weights outside each output's group.
  std::set<std::tuple<std::string, std::int64_t, bool, int>> stored;
  std::int64_t weight_rows = 0;
  int wbits = 1;  // the lanes' weight width (binary layers use the 1-bit XNOR lanes)
  for (const auto& l : net.layers)
    if (l.w_bits > 0 && l.w_encoding != "binary") wbits = std::max(wbits, l.w_bits);
  for (const Group& g : group_layers(net)) {
    const LayerGeom& l = net.layers[g.pass];
    PassCost p;
    p.layer = l.name;
    p.type = l.type;
    p.pe = pe;
    p.simd = simd;
    for (int i : g.fused) p.fused.push_back(net.layers[i].name);
    const bool bin = l.type == "conv1d" && cfg.xnor_lanes > 0 && l.w_encoding == "binary" &&
                     g.pass > 0 && net.layers[g.pass - 1].type == "threshold" &&
                     net.layers[g.pass - 1].out_binary;
    const std::int64_t lanes = bin ? cfg.xnor_lanes : simd;
    std::int64_t cout = cur_c, lout = 1, nchunk = 1;
    const bool dw = l.type == "conv1d" && l.groups > 1 && l.groups == cur_c && l.cout == cur_c;
    if (l.type == "conv1d") {
      cout = l.cout;
      lout = l.lout;
      nchunk = dw ? l.k : l.k * cdiv(cur_c, lanes);
    } else if (l.type == "dense") {
      cout = l.cout;
      nchunk = cur_l * cdiv(cur_c, lanes) + (g.aux_fused ? cdiv(net.aux, simd) : 0);
    } else if (l.type == "maxpool") {
      lout = l.lout;
      nchunk = l.k;
    } else if (l.type == "gsum") {
      nchunk = cur_l;
    } else {  // stand-alone element-wise layer: a one-tap copy through the write-back
      lout = cur_l;
    }
    p.nog = cdiv(cout, pe);
    p.nchunk = nchunk;
    p.work = p.nog * lout * nchunk;
    p.cycles = cfg.layer_overhead + cout + p.nog * (1 + cfg.drain_cycles) + p.work;
    if (l.w_bits > 0 &&
        stored.emplace(l.weight, cdiv(cur_c, lanes), bin, l.type == "dense" ? cur_l : 0).second)
      weight_rows += p.nog * nchunk;
    sum += p.cycles;
    datapath_activity(net, g, act, t);
    const std::int64_t wrow = pe * (bin ? cfg.xnor_lanes : simd * l.w_bits);
    if (l.w_bits > 0) act.add(w("weight", "read", wrow), p.work);
    act.add(w("act", "read", bin ? lanes : simd * l.in_bits), p.work);
    act.add(w("act", "write", pe * g.out_bits), p.nog * lout);
    act.add("engine.reg.acc.32b", dw ? static_cast<std::int64_t>(l.lout) * l.cout * l.k  // a tap a chunk
                                     : acc_updates(l, simd));
    t.passes.push_back(p);
    cur_c = static_cast<int>(cout);
    cur_l = static_cast<int>(lout);
  }
  const LayerGeom& last = net.layers.back();
  act.add("engine.compare.32b", last.cout - 1);  // argmax during the last write-back
  t.ops += last.cout - 1;
  t.weight_bits_needed = weight_rows * pe * std::max<std::int64_t>(cfg.xnor_lanes, simd * wbits);
  t.latency_cycles = t.load_cycles + sum + 1;
  t.ii_cycles = t.latency_cycles;  // one input buffer: next load after the output handshake
  t.stream_latency_cycles = t.latency_cycles;
  return t;
}

namespace {

// One pipe stage as its controller sees it (rtl/pipe/pipe_stage.sv).
struct PipeStageGeom {
  std::int64_t lin = 1, lout = 1, k = 1, stride = 1, padl = 0;
  std::int64_t ncc = 1, naux = 0, nog = 1, pe = 1, cout = 1, lb_use = 1;
  bool aux = false;
};

// rtl/pipe/pipe_pkg.sv WbIi: cycles per value of a stage's write-back; the pipeline from a
// step's issue to the drain register (RAM read, products, adder tree, accumulate) and from a
// value's emission to its delivery into the next stage are the stage's fixed depths.
constexpr std::int64_t kPipeWbIi = 4;
constexpr std::int64_t kPipeAuxFifoDepth = 4;  // pipe_engine AuxFifoDepth

// Cycle-stepped model of the pipe controllers (rtl/pipe/pipe_stage.sv, pipe_engine.sv),
// counters only: the same registers, the same ready/start/stall rules. `beats` beats are
// streamed back to back (the source always valid, the result always taken). Returns per beat
// the cycle of its first input handshake, of its last input handshake and of its output
// handshake (cycle 0 = the first handshake of beat 0).
struct PipeRun {
  std::vector<std::int64_t> first_in, last_in, out;
};

PipeRun run_pipe(const std::vector<PipeStageGeom>& st, std::int64_t in_len, std::int64_t in_ch,
                 std::int64_t aux_len, int beats) {
  struct S {
    // registers
    std::int64_t rx = 0, cbase = 0, j = 0, og = 0, k = 0, cc = 0, a = 0, cho = 0, gap = 0;
    std::int64_t p0 = 0;
    bool aux_ph = false, busy = false, obusy = false;
    std::int64_t done_at = -1;  // cycle whose edge delivers the last value of the column
    // combinational
    bool in_ready = false, step = false, start = false, last_og_step = false, last_step = false;
  };
  const std::size_t n = st.size();
  std::vector<S> s(n);
  for (std::size_t i = 0; i < n; ++i) s[i].p0 = -st[i].padl;
  std::int64_t aux_fifo = 0, word = 0, sent = 0;  // word of the current input beat
  bool res_valid = false;
  std::int64_t res_cols = 0;  // columns of the last stage taken (a beat's result: its last)
  const std::int64_t words = in_len * in_ch + aux_len;
  PipeRun run;
  const std::int64_t limit = 1000000000;
  for (std::int64_t cyc = 0; static_cast<int>(run.out.size()) < beats; ++cyc) {
    if (cyc > limit) throw std::logic_error("pipe timing model: no progress");
    // Combinational signals (registered inputs only, so the order does not matter beyond
    // in_ready first).
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t oldest = s[i].cbase + std::max<std::int64_t>(0, s[i].p0);
      s[i].in_ready = s[i].rx - oldest < st[i].lb_use;
    }
    bool aux_pop = false;
    for (std::size_t i = 0; i < n; ++i) {
      const PipeStageGeom& g = st[i];
      S& x = s[i];
      x.last_og_step = x.aux_ph ? x.a + 1 == g.naux
                                : (x.k + 1 == g.k && x.cc + 1 == g.ncc && g.naux == 0);
      x.last_step = x.last_og_step && x.og + 1 == g.nog;
      const std::int64_t need = std::clamp<std::int64_t>(x.p0 + g.k - 1, 0, g.lin - 1);
      const bool avail = x.rx - x.cbase > need;  // signed: the next beat may not have begun
      const bool aux_need = g.aux && x.j == 0;
      const bool out_ready = i + 1 == n ? !res_valid : s[i + 1].in_ready;
      const bool start_ok = !x.busy && !x.obusy && out_ready && avail && (!aux_need || aux_fifo > 0);
      const bool stall = x.last_og_step && x.gap != 0;
      x.step = (x.busy || start_ok) && !stall;
      x.start = start_ok && !stall;
      if (x.start && aux_need) aux_pop = true;
    }
    // Input unit: samples (a column every in_ch words; each needs stage 0's line buffer to
    // have room), then aux values (while the aux FIFO has room).
    bool col_hs = false, aux_push = false;
    if (sent < beats) {
      const bool sample = word < in_len * in_ch;
      const bool ready = sample ? s[0].in_ready : aux_fifo < kPipeAuxFifoDepth;
      if (ready) {
        col_hs = sample && word % in_ch == in_ch - 1;
        if (word == 0) run.first_in.push_back(cyc);
        if (word + 1 == words) {
          run.last_in.push_back(cyc);
          aux_push = aux_len > 0;
          word = 0;
          ++sent;
        } else {
          ++word;
        }
      }
    }
    // The result word is presented from the cycle after the last logit arrives; taken at once.
    const bool res_taken = res_valid;
    if (res_taken && ++res_cols % st[n - 1].lout == 0) run.out.push_back(cyc);
    // Registers.
    for (std::size_t i = 0; i < n; ++i) {
      const PipeStageGeom& g = st[i];
      S& x = s[i];
      const bool col_in = i == 0 ? col_hs : s[i - 1].done_at == cyc;
      if (col_in) ++x.rx;
      if (x.done_at == cyc) {
        x.obusy = false;
        if (i + 1 == n) res_valid = true;
      }
      if (x.step) {
        if (x.last_og_step) {
          const std::int64_t pe_n = std::min(g.pe, g.cout - x.cho);
          x.gap = kPipeWbIi * pe_n - 1;
          // issue -> drain (4 cycles), emissions WbIi apart, each delivered WbIi cycles later
          if (x.last_step) x.done_at = cyc + 4 + kPipeWbIi * pe_n;
          x.k = x.cc = x.a = 0;
          x.aux_ph = false;
          if (x.last_step) {
            x.og = x.cho = 0;
            if (x.j + 1 == g.lout) {
              x.j = 0;
              x.cbase += g.lin;
              x.p0 = -g.padl;
            } else {
              ++x.j;
              x.p0 += g.stride;
            }
          } else {
            ++x.og;
            x.cho += g.pe;
          }
        } else {
          if (x.gap != 0) --x.gap;
          if (x.aux_ph) {
            ++x.a;
          } else if (x.cc + 1 != g.ncc) {
            ++x.cc;
          } else {
            x.cc = 0;
            if (x.k + 1 != g.k) ++x.k;
            else x.aux_ph = true;
          }
        }
        x.busy = !x.last_step;
      } else if (x.gap != 0) {
        --x.gap;
      }
      if (x.start) x.obusy = true;
    }
    if (res_taken) res_valid = false;
    aux_fifo += (aux_push ? 1 : 0) - (aux_pop ? 1 : 0);
  }
  return run;
}

}  // namespace

EngineTiming pipe_timing(const NetGeom& net, const EngineConfig& cfg) {
  check_geometry(net);
  EngineTiming t;
  t.style = "pipe";
  common_needs(net, t);
  Activity act{t.activity};
  const std::int64_t in_cols = net.input_length;
  act.add(w("input", "read", net.input_bits), in_cols * net.input_channels + net.aux);
  std::vector<PipeStageGeom> stages;
  std::int64_t lin = in_cols;      // columns per beat into the next stage
  std::int64_t chans = net.input_channels;  // values per column into the next stage
  for (const Group& g : group_layers(net)) {
    const LayerGeom& l = net.layers[g.pass];
    auto pe_it = cfg.stage_pe.find(l.name);
    auto simd_it = cfg.stage_simd.find(l.name);
    const std::int64_t pe = pe_it != cfg.stage_pe.end() ? pe_it->second : cfg.pe;
    std::int64_t simd = simd_it != cfg.stage_simd.end() ? simd_it->second : cfg.simd;
    if (pe < 1 || simd < 1)
      throw InputError(fmt::format("parameter engine.stage.{}: pe and simd must be >= 1", l.name));
    PipeStageGeom sg;
    sg.lin = lin;
    sg.aux = g.aux_fused;
    sg.pe = pe;
    // Line-buffer words per step: KindMac stages read simd input channels (all PEs share
    // them), depthwise conv and maxpool stages read pe channels (one per PE, simd = 1).
    bool shared = true;
    if (l.type == "conv1d" || l.type == "maxpool") {
      const bool dw = l.type == "conv1d" && l.groups > 1;
      shared = l.type == "conv1d" && !dw;
      if (!shared) simd = 1;
      sg.cout = l.cout;
      sg.nog = cdiv(l.cout, pe);
      sg.ncc = shared ? cdiv(static_cast<std::int64_t>(l.cin / l.groups), simd) : 1;
      sg.lout = l.lout;
      sg.k = l.k;
      sg.stride = l.stride;
      sg.padl = l.pad_left;
      sg.lb_use = std::max<std::int64_t>(l.k, cfg.line_buffer_cols);
    } else if (l.type == "dense") {  // a kernel over the whole input columns, then the aux values
      const std::int64_t aux = g.aux_fused ? net.aux : 0;
      const std::int64_t ch = std::max<std::int64_t>(1, (l.cin - aux) / std::max<std::int64_t>(1, lin));
      sg.cout = l.cout;
      sg.nog = cdiv(l.cout, pe);
      sg.k = sg.lb_use = lin;
      sg.ncc = cdiv(ch, simd);
      sg.naux = cdiv(aux, simd);
    } else if (l.type == "gsum") {  // one column from the whole input (one lane per PE)
      simd = 1;
      shared = false;
      sg.cout = l.cin;
      sg.nog = cdiv(l.cin, pe);
      sg.k = sg.lb_use = lin;
    } else {  // stand-alone element-wise layer: one column per input column
      simd = 1;
      shared = false;
      sg.cout = l.cin;
      sg.nog = cdiv(l.cin, pe);
      sg.lout = lin;
    }
    PassCost p;
    p.layer = l.name;
    p.type = l.type;
    p.pe = pe;
    p.simd = simd;
    for (int i : g.fused) p.fused.push_back(net.layers[i].name);
    const std::int64_t steps = sg.nog * (sg.k * sg.ncc + sg.naux);
    // per column: the steps, or the write-back's WbIi cycles per output value if longer
    p.work = std::max(steps, kPipeWbIi * sg.cout);
    p.cycles = sg.lout * p.work;
    stages.push_back(sg);
    datapath_activity(net, g, act, t);
    const std::int64_t lanes = shared ? pe * simd : pe;
    const std::int64_t words = shared ? simd : pe;  // channels per line-buffer word
    if (l.w_bits > 0) act.add(w("weight", "read", lanes * l.w_bits), sg.lout * steps);
    act.add(w("linebuf", "write", words * l.in_bits), lin * cdiv(chans, words));
    act.add(w("linebuf", "read", words * l.in_bits), sg.lout * steps);
    act.add("engine.reg.acc.32b", sg.lout * steps * pe);
    t.passes.push_back(p);
    lin = sg.lout;
    chans = sg.cout;
  }
  const LayerGeom& last = net.layers.back();
  act.add("engine.compare.32b", last.cout - 1);
  t.ops += last.cout - 1;
  // One beat into an empty pipeline: latency (first input handshake .. output handshake,
  // inclusive) and the cycles its input stream takes.
  const PipeRun one = run_pipe(stages, in_cols, net.input_channels, net.aux, 1);
  t.latency_cycles = one.out[0] + 1;
  t.load_cycles = one.last_in[0] + 1;
  // Back to back: the start-to-start interval of the last of kBeats beats (steady state) and
  // that beat's latency.
  constexpr int kBeats = 6;
  const PipeRun b2b = run_pipe(stages, in_cols, net.input_channels, net.aux, kBeats);
  t.ii_cycles = b2b.first_in[kBeats - 1] - b2b.first_in[kBeats - 2];
  t.stream_latency_cycles = b2b.out[kBeats - 1] - b2b.first_in[kBeats - 1] + 1;
  return t;
}

}  // namespace ecg
