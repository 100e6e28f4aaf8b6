#pragma once
// The interface every execution mode of `ecg_sim --mode` implements: golden (integer
// reference, sim/backend_golden.cpp), tlm (SystemC platform, models/), rtl and cosim
// (Verilated RTL, tb/). The front end (sim/run.cpp) loads the network and the beats, asks
// the registry for the mode's backend, runs it, then computes accuracy/confusion, builds
// the typed report (ecg/run/report.h) and lets the backend add its hardware figures.
//
// Adding a mode: implement Backend and register a factory from a .cpp file that is linked
// into ecg_sim as an object (an OBJECT library or a sim/ source), so the static
// registration is kept:
//
//   static const bool kRegistered = ecg::register_backend(
//       "tlm", [](const ecg::BackendContext& ctx) { return std::make_unique<TlmBackend>(ctx); });
//
// Part of the run layer (ecg_run), below every backend: nothing here knows a mode.
// Stable contract: extend by adding fields with defaults, never by changing meanings.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <limits>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "ecg/qnet.h"
#include "ecg/run/report.h"

namespace ecg {

// What one beat produced. `logits`/`predicted` must equal the golden model's bit for bit.
struct BeatOutcome {
  int predicted = -1;                // first index of the maximum logit
  std::vector<std::int32_t> logits;  // the last layer's output, n_classes values
  std::uint64_t cycles = 0;          // accelerator cycles from input start to result (0: not modelled)
  double start_s = 0;                // simulated time the beat's input started (s; 0 if not modelled)
  double done_s = 0;                 // simulated time its result was available
};

// Progress of a run, for the progress bar (the front end draws it on stderr when that is a
// terminal). Backends call advance() as beats complete; it is cheap and thread-compatible
// with one caller.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void advance(std::size_t beats_done) = 0;  // total beats done so far
  // A short status shown beside the bar (e.g. "2.1 M RTL cycles/s"); default: ignored.
  virtual void detail(const std::string& text) { (void)text; }
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
  // --trace-beats FIRST:LAST / --trace-at REC:SAMPLE: the waveform's window in beat indices
  // of the run (inclusive; default every beat); --trace-depth N (0 = the backend's default).
  std::uint64_t trace_first = 0;
  std::uint64_t trace_last = std::numeric_limits<std::uint64_t>::max();
  int trace_depth = 0;
  bool realtime = false;            // --realtime: feed beats at the recording's pace
  int threads = 1;                  // worker threads the backend may use
  int workers = 1;                  // rtl/cosim: worker processes, records in parallel (-j N)
};

class Backend {
 public:
  virtual ~Backend() = default;
  // The --mode name ("golden", "tlm", ...).
  virtual std::string mode() const = 0;
  // Clock of the modelled hardware in MHz, 0 when the backend models no time. When > 0,
  // the front end sets hardware.clock_mhz and latency_cycles/latency_us (min/mean/max) from
  // BeatOutcome::cycles (set_latency), so those statistics are computed in one place.
  virtual double clock_mhz() const { return 0.0; }
  // Classifies every beat: `out` is resized to beats.size() and out[i] belongs to beats[i].
  // Throws InputError for bad configuration, std::runtime_error for internal failures.
  virtual void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
                   Progress& progress) = 0;
  // Adds what this backend knows to the report after run(): typically report.hardware
  // (initiation_interval_cycles, throughput_fps, realtime_deadline_misses, config, power
  // ...), report.cosim, report.sim.simulated_cycles. The front end has already filled what
  // the network, the metrics and the outcomes give (make_report, set_latency).
  virtual void fill_report(Report& report) const { (void)report; }
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
