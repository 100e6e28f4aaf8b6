#pragma once
// The replaceable compute engine: the one interface the platform talks to (docs/platform.md,
// "Engine interface"). The TLM engine (tlm_engine) implements it with annotated delays; the
// RTL engineer's Verilated engine implements it behind a TLM-to-valid/ready bridge and is
// registered under another name ("rtl") with register_engine().
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "ecg/hw/engine_model.h"

namespace ecg {

class ParamSet;
class StatsRegistry;
struct Network;

// Metadata of one job on the acc2eng socket (never cast into data_ptr). The accelerator
// sets the inputs; the engine sets the outputs before b_transport returns.
class beat_job_ext : public tlm::tlm_extension<beat_job_ext> {
 public:
  // in
  std::uint64_t beat_index = 0;
  int length = 0;  // input samples (channels * length) at the start of the payload data
  int aux = 0;     // aux values after them
  // out
  std::vector<std::int32_t> logits;
  int cls = -1;
  sc_core::sc_time t_start;  // absolute: the engine started reading the input
  sc_core::sc_time t_done;   // absolute: the result (class/logits word) is presented
  sc_core::sc_time t_free;   // absolute: earliest start of the next job
  std::uint64_t cycles = 0;  // engine cycles from t_start to t_done

  tlm::tlm_extension_base* clone() const override { return new beat_job_ext(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const beat_job_ext&>(other);
  }
};

// Functional result of one beat: logits and class (the golden interpreter provides it, so
// every engine is bit-exact by construction unless it computes its own, as RTL does).
struct BeatOutput {
  std::vector<std::int32_t> logits;
  int cls = -1;
};
using ComputeFn = std::function<BeatOutput(const std::vector<std::int32_t>& input,
                                           const std::vector<std::int32_t>& aux)>;

// Everything an engine may need at construction: the run's configuration resolved once
// (PlatformConfig, platform.h) and the platform's clock.
struct EngineContext {
  const NetGeom& net;
  const ParamSet& params;
  StatsRegistry& stats;
  ComputeFn compute;
  sc_core::sc_time clock_period;      // the platform's clock (one period), made once by run_platform()
  double clock_mhz = 0;               // the same clock in MHz, as configured
  const EngineConfig& engine;         // engine.* in effect
  const EngineTiming& timing;         // the engine model's figures for it
  const Network* network = nullptr;   // the network (RTL engines load its weights)
  std::string waveform_file;          // RTL engines: VCD of the run ("" = none)
};

// Protocol of acc2eng (blocking transport, one WRITE per beat):
//  - data_ptr: (length + aux) int32 values, little-endian host order, the beat's input
//    samples (channel-major) then its aux values; data_length = 4 * (length + aux);
//  - a beat_job_ext is attached (missing -> TLM_GENERIC_ERROR_RESPONSE);
//  - on return: response status set; ext outputs set; sc_time_stamp() + delay is the time
//    the engine has consumed the input (the accelerator may reuse its input buffer). An LT
//    engine annotates; a cycle-driven engine may wait() instead and return delay = 0.
class engine_base : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<engine_base> acc2eng;

  explicit engine_base(const sc_core::sc_module_name& name) : sc_core::sc_module(name), acc2eng("acc2eng") {
    acc2eng.register_b_transport(this, &engine_base::b_transport);
  }
  virtual void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) = 0;
  // "tlm", "rtl", ...
  virtual std::string engine_kind() const = 0;
};

using EngineFactory =
    std::function<std::unique_ptr<engine_base>(const char* instance_name, const EngineContext&)>;
// Registers an engine kind (the TLM engine registers "tlm"); a later registration of the
// same name replaces the earlier one.
void register_engine(const std::string& kind, EngineFactory factory);
std::unique_ptr<engine_base> make_engine(const std::string& kind, const char* instance_name,
                                         const EngineContext& ctx);
std::vector<std::string> engine_kinds();

}  // namespace ecg
