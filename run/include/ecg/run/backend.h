#pragma once
// The interface every execution mode of `ecg_sim --mode` implements: golden (integer
// reference, golden/), tlm (SystemC models, models/), rtl and cosim (Verilated RTL).
// sim/run.cpp loads the network and the beats, asks the registry for the mode's backend,
// runs it, then computes accuracy/confusion and writes the report from the outcomes.
//
// Adding a mode: implement Backend and register a factory from a .cpp file that is
// compiled into the ecg_sim executable (sim/*.cpp), so the static registration is kept:
//
//   static const bool kRegistered = ecg::register_backend(
//       "tlm", [](const ecg::BackendContext& ctx) { return std::make_unique<TlmBackend>(ctx); });
//
// Header-only on purpose: libraries that implement a backend (models/, rtl/) link the
// `ecg_backend` interface target (golden/CMakeLists.txt) and need nothing else from sim/.
// Stable contract: extend by adding fields with defaults, never by changing meanings.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "ecg/qnet.h"

namespace ecg {

// What one beat produced. `logits`/`predicted` must equal the golden model's bit for bit.
struct BeatOutcome {
  int predicted = -1;                // first index of the maximum logit
  std::vector<std::int32_t> logits;  // the last layer's output, n_classes values
  std::uint64_t cycles = 0;          // accelerator cycles from input start to result (0: not modelled)
  double start_s = 0;                // simulated time the beat's input started (s; 0 if not modelled)
  double done_s = 0;                 // simulated time its result was available
};

// Progress of a run, for the progress bar (sim/run.cpp draws it on stderr when that is a
// terminal). Backends call advance() as beats complete; it is cheap and thread-compatible
// with one caller.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void advance(std::size_t beats_done) = 0;  // total beats done so far
};

// A Progress that ignores updates (tests, nested runs).
class NullProgress final : public Progress {
 public:
  void advance(std::size_t) override {}
};

// Everything a backend may need from the command line besides the network and beats.
struct BackendContext {
  std::string arch;                 // --arch
  std::string mode;                 // --mode
  std::string weights_dir;          // resolved --weights
  std::string config_file;          // --config FILE ("" = the backend's default for the arch)
  std::vector<std::string> params;  // -p key=value overrides, in command-line order
  std::string trace_file;           // --trace FILE ("" = no waveform/trace)
  bool realtime = false;            // --realtime: feed beats at the recording's pace
  int threads = 1;                  // worker threads the backend may use
};

class Backend {
 public:
  virtual ~Backend() = default;
  // The --mode name ("golden", "tlm", ...).
  virtual std::string mode() const = 0;
  // Clock of the modelled hardware in MHz, 0 when the backend models no time. When > 0,
  // run.cpp fills hardware.clock_mhz and latency_cycles/latency_us (min/mean/max) from
  // BeatOutcome::cycles, so those statistics are computed in one place.
  virtual double clock_mhz() const { return 0.0; }
  // Classifies every beat: `out` is resized to beats.size() and out[i] belongs to beats[i].
  // Throws InputError for bad configuration, std::runtime_error for internal failures.
  virtual void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
                   Progress& progress) = 0;
  // Adds what this backend knows to the report after run(): typically keys under
  // report["hardware"] (initiation_interval_cycles, throughput_fps, realtime_deadline_misses,
  // config, power_mw ...), report["cosim"], report["sim"]["simulated_cycles"]. run.cpp has
  // already filled every required key (unknown hardware numbers are null); overwrite them.
  virtual void fill_report(nlohmann::json& report) const { (void)report; }
};

using BackendFactory = std::function<std::unique_ptr<Backend>(const BackendContext&)>;

// Mode name -> factory. Function-local static, so registration order across translation
// units does not matter.
inline std::map<std::string, BackendFactory>& backend_registry() {
  static std::map<std::string, BackendFactory> registry;
  return registry;
}

inline bool register_backend(const std::string& mode, BackendFactory factory) {
  backend_registry()[mode] = std::move(factory);
  return true;
}

}  // namespace ecg
