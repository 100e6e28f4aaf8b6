// Engine cycle model (docs/timing.md): hand-computed formulas, PE/SIMD scaling, activity.
#include <string>

#include <gtest/gtest.h>

#include "ecg/error.h"
#include "ecg/hw/engine_model.h"
#include "ecg/hw/params.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"

namespace ecg {
namespace {

LayerGeom conv(const std::string& n, int cin, int lin, int cout, int k, int pad, int stride = 1,
               int groups = 1) {
  LayerGeom l;
  l.name = n;
  l.type = "conv1d";
  l.cin = cin;
  l.lin = lin;
  l.cout = cout;
  l.k = k;
  l.pad_left = l.pad_right = pad;
  l.stride = stride;
  l.groups = groups;
  l.lout = (lin + 2 * pad - k) / stride + 1;
  l.w_bits = 4;
  l.w_encoding = "int";
  l.in_bits = 8;
  l.out_bits = 32;
  return l;
}
LayerGeom eltwise(const std::string& n, const std::string& type, int c, int l, int bits) {
  LayerGeom x;
  x.name = n;
  x.type = type;
  x.cin = x.cout = c;
  x.lin = x.lout = l;
  x.in_bits = 32;
  x.out_bits = bits;
  return x;
}
LayerGeom pool(const std::string& n, int c, int lin, int k, int s) {
  LayerGeom x = eltwise(n, "maxpool", c, lin, 4);
  x.k = k;
  x.stride = s;
  x.lout = (lin - k) / s + 1;
  x.in_bits = 4;
  return x;
}
LayerGeom dense(const std::string& n, int in, int out) {
  LayerGeom x;
  x.name = n;
  x.type = "dense";
  x.cin = in;
  x.cout = out;
  x.w_bits = 4;
  x.w_encoding = "int";
  x.in_bits = 4;
  x.out_bits = 32;
  return x;
}

// conv(1->8, k5, L16) + requant + maxpool(2,2) + dense(64->5)
NetGeom small_seq() {
  NetGeom g;
  g.arch = "test";
  g.input_length = 16;
  g.layers = {conv("c", 1, 16, 8, 5, 2), eltwise("rq", "requant", 8, 16, 4), pool("p", 8, 16, 2, 2),
              dense("fc", 64, 5)};
  g.weight_storage_bytes = 8 * 5 / 2 + 5 * 64 / 2;
  return g;
}

EngineConfig cfg(const std::string& style, int pe, int simd, int overhead = 4) {
  EngineConfig c;
  c.style = style;
  c.pe = pe;
  c.simd = simd;
  c.layer_overhead = overhead;
  return c;
}

TEST(SeqTiming, HandComputed) {
  // pe = simd = 4, descriptor overhead 4, drain 6 (docs/engines.md, the RTL's sequencer and its
  // six-stage pipeline): a pass costs overhead + Cout (parameter loads) + nog * (1 + drain) +
  // nog * Lout * nchunk; a MAC chunk is one word (simd channels) of one tap, a pooling chunk one tap.
  //  load 16;
  //  conv (Cin 1, k 5, 8 out, L 16): nchunk 5 * ceil(1/4) = 5, nog 2: work 2*16*5 = 160,
  //    pass 4 + 8 + 2*7 + 160 = 186 (requant fused);
  //  maxpool (8 ch, k 2, Lout 8): nchunk 2, nog 2: work 2*8*2 = 32, pass 4 + 8 + 14 + 32 = 58;
  //  dense (8 ch x 8 positions -> 5): nchunk 8 * ceil(8/4) = 16, nog 2: work 32,
  //    pass 4 + 5 + 14 + 32 = 55;
  //  latency = 16 + 186 + 58 + 55 + 1 = 316 = II.
  const EngineTiming t = seq_timing(small_seq(), cfg("seq", 4, 4));
  ASSERT_EQ(t.passes.size(), 3u);
  EXPECT_EQ(t.passes[0].work, 160);
  EXPECT_EQ(t.passes[0].cycles, 186);
  EXPECT_EQ(t.passes[0].fused, std::vector<std::string>{"rq"});
  EXPECT_EQ(t.passes[1].work, 32);
  EXPECT_EQ(t.passes[2].work, 32);
  EXPECT_EQ(t.passes[2].nchunk, 16);
  EXPECT_EQ(t.load_cycles, 16);
  EXPECT_EQ(t.latency_cycles, 316);
  EXPECT_EQ(t.ii_cycles, 316);
  // pe = 8, simd = 1, overhead 0, drain 6: one group per pass (Cout + 1 + 6); conv 16*5 = 80,
  // pool 8*2 = 16, dense 8*8 = 64.
  EXPECT_EQ(seq_timing(small_seq(), cfg("seq", 8, 1, 0)).latency_cycles,
            16 + (15 + 80) + (15 + 16) + (12 + 64) + 1);
}

TEST(SeqTiming, DepthwiseIsLaneWise) {
  // A depthwise conv (8 ch, k 3, L 8, groups 8) after an 8-channel conv, pe 4 x simd 4: one tap
  // per chunk (nchunk 3, as a maxpool's k), not k * ceil(8/4) = 6 as a full conv with zero
  // weights; nog 2: work 2*8*3 = 48, pass 4 + 8 + 14 + 48 = 74. A grouped conv with two
  // channels per group stays a full conv (nchunk 6, work 96).
  NetGeom g;
  g.arch = "test";
  g.input_length = 8;
  g.layers = {conv("c", 1, 8, 8, 1, 0), conv("dw", 8, 8, 8, 3, 1, 1, 8)};
  g.weight_storage_bytes = 8 + 8 * 3;
  const EngineTiming t = seq_timing(g, cfg("seq", 4, 4));
  ASSERT_EQ(t.passes.size(), 2u);
  EXPECT_EQ(t.passes[1].nchunk, 3);
  EXPECT_EQ(t.passes[1].work, 48);
  EXPECT_EQ(t.passes[1].cycles, 74);
  // accumulator updates: conv 8 x 8 x ceil(1/4), dw one per output and tap 8 x 8 x 3
  EXPECT_EQ(t.activity.at("engine.reg.acc.32b"), 8u * 8 + 8u * 8 * 3);
  // weight rows: conv 2 groups x 1 chunk, dw 2 groups x 3 taps = 8 rows of pe x simd x 4 bits
  EXPECT_EQ(t.weight_bits_needed, 8 * 4 * 4 * 4);
  g.layers[1] = conv("g2", 8, 8, 8, 3, 1, 1, 4);
  const EngineTiming t2 = seq_timing(g, cfg("seq", 4, 4));
  EXPECT_EQ(t2.passes[1].nchunk, 6);
  EXPECT_EQ(t2.passes[1].work, 96);
}

TEST(SeqTiming, ActivityCounts) {
  const EngineTiming t = seq_timing(small_seq(), cfg("seq", 4, 4));
  EXPECT_EQ(t.macs, 16u * 8 * 5 + 5 * 64);
  EXPECT_EQ(t.activity.at("engine.mac.a8w4"), 16u * 8 * 5);
  EXPECT_EQ(t.activity.at("engine.mac.a4w4"), 5u * 64);
  EXPECT_EQ(t.activity.at("engine.requant"), 8u * 16);
  EXPECT_EQ(t.activity.at("engine.compare.4b"), 8u * 8 * 1);  // maxpool k=2: 1 compare/output
  EXPECT_EQ(t.activity.at("engine.compare.32b"), 4u);         // argmax over 5 logits
  // Weight reads: one pe*simd*w_bits word per work cycle of conv and dense.
  EXPECT_EQ(t.activity.at("mem.weight.read.64b"), 160u + 32u);
  EXPECT_EQ(t.activity.at("mem.input.read.8b"), 16u);
}

TEST(PipeTiming, HandComputedControllers) {
  // input L=4; conv(1->2, k3, pad 1) pe=simd=1: per column 2 output groups x 3 steps, line
  // buffer 3 columns; dense(8->3 = 2 channels x 4 columns) pe=simd=1: 3 groups x (4 taps x 2
  // words) = 24 steps, line buffer = its 4 input columns. Write-back: one value every 4 cycles,
  // delivered 4 + 4 * pe_n cycles after the group's last step; an output group's last step
  // waits until 4 * pe_n cycles after the previous group's; a column starts once the previous
  // one is delivered. Cycle 0 = first sample handshake (docs/engines.md, pipe rules):
  //   samples 0,1,2 at cycles 0,1,2 (then the ring is full: 3 columns at or after column 0);
  //   conv column 0 (needs input 1) starts at 2: group 0 steps 2..4, group 1 steps 5,6, its
  //   last step waits for cycle 4 + 4 = 8, delivered 8 + 8 = 16; column 1 steps 17..23
  //   (delivered 31), and at 24 (its first tap is now 1) sample 3 is taken: load 25 cycles;
  //   column 2 steps 32..38 (delivered 46), column 3 47..53 (delivered 61).
  //   The dense stage starts at 62: groups at 62..69, 70..77, 78..85 (the 8 steps cover the
  //   4-cycle wait), delivered 85 + 8 = 93, presented at 94 = the output handshake: latency 95.
  NetGeom g;
  g.input_length = 4;
  g.layers = {conv("c", 1, 4, 2, 3, 1), dense("fc", 8, 3)};
  const EngineTiming t = pipe_timing(g, cfg("pipe", 1, 1));
  EXPECT_EQ(t.passes[0].work, 8);   // max(6 steps, 4 cycles x 2 values) per column
  EXPECT_EQ(t.passes[1].work, 24);
  EXPECT_EQ(t.load_cycles, 25);
  EXPECT_EQ(t.latency_cycles, 95);
  EXPECT_GE(t.ii_cycles, 4 * 15);  // the conv stage: a column every 15 cycles at best
  EXPECT_GE(t.stream_latency_cycles, t.latency_cycles);
  // A faster dense stage (simd 8: one word per tap, 3 groups x 4 steps): groups at 62..65,
  // 66..69 (its last step exactly 4 cycles after 65), 70..73, delivered 81, handshake 82:
  // latency 83.
  EngineConfig c = cfg("pipe", 1, 1);
  c.stage_simd["fc"] = 8;
  const EngineTiming t2 = pipe_timing(g, c);
  EXPECT_EQ(t2.latency_cycles, 83);
  EXPECT_EQ(t2.load_cycles, 25);
}

TEST(Sweep, CyclesScaleWithPeAndSimd) {
  // A conv with 16 output channels, 8 input channels and k = 5: work =
  // Lout * ceil(16/pe) * 5 * ceil(8/simd): exactly halves when pe or simd doubles (divisors).
  NetGeom g;
  g.input_length = 64;
  g.layers = {conv("c", 8, 64, 16, 5, 2)};
  g.input_channels = 8;
  std::int64_t prev = 0;
  for (int pe : {1, 2, 4, 8, 16}) {
    const std::int64_t w = seq_timing(g, cfg("seq", pe, 5)).passes[0].work;
    EXPECT_EQ(w, 64 * (16 / pe) * 10);
    if (prev) {
      EXPECT_EQ(prev, 2 * w);
    }
    prev = w;
  }
  prev = 0;
  for (int simd : {1, 2, 4, 8}) {
    const std::int64_t w = seq_timing(g, cfg("seq", 4, simd)).passes[0].work;
    EXPECT_EQ(w, 64 * 4 * 5 * (8 / simd));
    prev = w;
  }
  // Beyond the input channels more SIMD lanes buy nothing (a chunk is one tap's channels).
  EXPECT_EQ(seq_timing(g, cfg("seq", 4, 64)).passes[0].work, seq_timing(g, cfg("seq", 4, 8)).passes[0].work);
  // Pipe: a compute-bound stage's column (16 channels x 5 taps x ceil(8/simd) words per
  // ceil(16/pe) groups) halves with pe; once the steps drop below the write-back's 4 cycles per
  // output value (4 x 16 = 64), more PEs buy nothing.
  EXPECT_EQ(pipe_timing(g, cfg("pipe", 1, 1)).passes[0].work, 16 * 5 * 8);
  EXPECT_EQ(pipe_timing(g, cfg("pipe", 2, 1)).passes[0].work, 8 * 5 * 8);
  EXPECT_GT(pipe_timing(g, cfg("pipe", 1, 1)).ii_cycles, pipe_timing(g, cfg("pipe", 2, 1)).ii_cycles);
  EXPECT_EQ(pipe_timing(g, cfg("pipe", 2, 8)).passes[0].work, 64);
  EXPECT_EQ(pipe_timing(g, cfg("pipe", 2, 8)).ii_cycles, pipe_timing(g, cfg("pipe", 4, 8)).ii_cycles);
  // Latency never grows with more PEs, on every test network.
  for (const char* arch : {"qrcnn", "bnn", "int2kd", "logq", "dwsep"}) {
    const NetGeom n = net_geometry(load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_" + arch + ".json"));
    for (const char* style : {"seq", "pipe"}) {
      std::int64_t last = INT64_MAX;
      for (int pe : {1, 2, 4, 8, 16, 32}) {
        const std::int64_t l = engine_timing(n, cfg(style, pe, 8)).latency_cycles;
        EXPECT_LE(l, last) << arch << " " << style << " pe " << pe;
        last = l;
      }
    }
  }
}

TEST(Timing, MacsAgreeWithGoldenCounts) {
  for (const char* arch : {"qrcnn", "bnn", "int2kd", "logq", "dwsep"}) {
    const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_" + arch + ".json");
    const NetGeom n = net_geometry(net);
    EXPECT_EQ(seq_timing(n, cfg("seq", 8, 8)).macs, net.macs_per_beat()) << arch;
    EXPECT_EQ(pipe_timing(n, cfg("pipe", 8, 8)).macs, net.macs_per_beat()) << arch;
    // Same arithmetic in both styles (MAC flavours, requants, compares); the accumulator
    // register updates differ (the pipe writes its pe accumulators on every step).
    const EngineTiming ts = seq_timing(n, cfg("seq", 8, 8)), tp = pipe_timing(n, cfg("pipe", 8, 8));
    for (const auto& [key, v] : ts.activity) {
      if (key.rfind("engine.", 0) != 0 || key == "engine.reg.acc.32b") continue;
      ASSERT_TRUE(tp.activity.count(key)) << arch << " " << key;
      EXPECT_EQ(tp.activity.at(key), v) << arch << " " << key;
    }
  }
}

TEST(Timing, MacFlavourFollowsTheArithmetic) {
  auto kinds = [](const char* arch) {
    const NetGeom n = net_geometry(load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_" + arch + ".json"));
    std::string s;
    for (const auto& [k, v] : seq_timing(n, cfg("seq", 8, 8)).activity)
      if (k.rfind("engine.mac", 0) == 0 || k.rfind("engine.xnor", 0) == 0 || k.rfind("engine.addsub", 0) == 0 ||
          k.rfind("engine.shift", 0) == 0)
        s += k + " ";
    return s;
  };
  EXPECT_EQ(kinds("qrcnn"), "engine.mac.a4w4 engine.mac.a8w4 ");
  EXPECT_EQ(kinds("bnn"), "engine.addsub.a8 engine.xnor_popcount ");
  EXPECT_EQ(kinds("int2kd"), "engine.mac.a8w2 ");
  EXPECT_EQ(kinds("logq"), "engine.shift_add.a8 ");
  EXPECT_EQ(kinds("dwsep"), "engine.mac.a8w8 ");
}

TEST(Timing, QrcnnSharedWeightsStoredOnce) {
  const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_qrcnn.json");
  const NetGeom n = net_geometry(net);
  int uses = 0;
  for (const auto& l : n.layers) uses += l.weight == "rconv_w";
  EXPECT_EQ(uses, 4);
  // 8*1*5 + 8*8*5 + 5*(8*4+4) INT4 weights + 8 + 8 + 5 INT32 biases, the shared conv once.
  EXPECT_EQ(n.weight_storage_bytes, (40 + 320 + 180) / 2 + 4 * 21);
  EXPECT_EQ(weight_image(net).size(), static_cast<std::size_t>(n.weight_storage_bytes));
}

}  // namespace
}  // namespace ecg
