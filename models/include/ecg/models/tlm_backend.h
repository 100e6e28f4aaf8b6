#pragma once
// The `tlm` execution mode (ecg/run/backend.h): the beats through the SystemC platform with
// the TLM engine. The rtl and cosim modes (tb/rtl_backend.cpp) run the same platform with
// another engine kind and build on this class: they share its configuration (resolved
// once, configure()), its stats registry and its report.
#include <memory>
#include <string>
#include <vector>

#include "ecg/models/tlm_run.h"
#include "ecg/run/backend.h"

namespace ecg {

class TlmBackend : public Backend {
 public:
  // `engine_kind`: the platform's engine ("tlm"; "rtl" or "cosim" from the rtl backends).
  explicit TlmBackend(const BackendContext& ctx, std::string engine_kind = "tlm");
  std::string mode() const override { return m_ctx.mode; }
  double clock_mhz() const override { return m_clock_mhz; }

  // Resolves the run's configuration (parameters, engine, clock, power) once; run() does it
  // when it has not been done. InputError for bad parameters.
  const PlatformConfig& configure(const Network& net);
  // RTL engines write this VCD ("" = none); set before run().
  void set_waveform_file(std::string path) { m_waveform_file = std::move(path); }

  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override;
  void fill_report(Report& report) const override;

  // After configure() / run().
  const PlatformConfig& config() const { return m_run->config; }
  const StatsRegistry& stats() const { return m_run->stats; }
  const PlatformResult& result() const { return m_run->result; }

 private:
  void write_trace(const std::vector<Beat>& beats, double period_s) const;

  BackendContext m_ctx;
  std::string m_engine_kind;
  std::string m_waveform_file;
  double m_clock_mhz = 0;
  bool m_ran = false;
  std::unique_ptr<TlmRun> m_run = std::make_unique<TlmRun>();
};

}  // namespace ecg
