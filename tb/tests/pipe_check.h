#pragma once
// Shared by the pipe-engine tests: the TLM pipe model of a network under its config (with
// -p overrides), the Verilated variant of that config, and a beat-by-beat check of a run
// against the golden interpreter and the model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecg/beats.h"
#include "ecg/infer.h"
#include "ecg/hw/engine_model.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"
#include "ecg/qnet.h"
#include "engine_bench.h"
#include "pipe_program.h"

namespace ecg::rtl {

struct PipeSetup {
  Network net;
  EngineConfig cfg;
  EngineTiming tlm;
  double clock_mhz = 0;  // the platform clock
};

inline PipeSetup pipe_setup(const std::string& model_json, const std::vector<std::string>& params) {
  PipeSetup s;
  s.net = load_network(model_json);
  const NetGeom geom = net_geometry(s.net);
  TlmOptions opt;
  opt.config_file = std::string(ECG_SIM_SOURCE_DIR) + "/configs/dwsep_pipe.toml";
  opt.params = params;
  const ParamSet ps = make_platform_params(s.net, geom, opt);
  s.cfg = engine_config(ps, geom);
  s.tlm = engine_timing(geom, s.cfg);
  s.clock_mhz = ps.get(platform_param::kClockMhz);
  return s;
}

// Outputs equal the golden interpreter's on every beat; with `exact_cycles`, each beat takes
// the model's latency (one beat at a time into an empty pipeline).
inline void expect_golden(const Network& net, const std::vector<Beat>& beats,
                          const std::vector<BeatResult>& out, const EngineTiming& tlm,
                          bool exact_cycles) {
  ASSERT_EQ(out.size(), beats.size());
  Interpreter golden(net);
  std::vector<std::int32_t> logits;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const int cls = golden.run(beats[i], logits);
    EXPECT_EQ(out[i].logits, logits) << "beat " << i;
    EXPECT_EQ(out[i].predicted, cls) << "beat " << i;
    if (exact_cycles) {
      EXPECT_EQ(out[i].cycles, static_cast<std::uint64_t>(tlm.latency_cycles)) << "beat " << i;
    } else {
      EXPECT_GE(out[i].cycles, static_cast<std::uint64_t>(tlm.latency_cycles)) << "beat " << i;
    }
  }
}

// Record 100's first `n` beats (all of them for n = 0).
inline std::vector<Beat> record100(const Network& net, std::size_t n) {
  std::vector<Beat> beats = load_beats(ECG_TEST_DATA, {"100"}, net.input, 1);
  if (n > 0 && beats.size() > n) beats.resize(n);
  return beats;
}

}  // namespace ecg::rtl
