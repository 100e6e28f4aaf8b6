#include "ecg/models/platform.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "ecg/error.h"
#include "ecg/models/accelerator.h"
#include "ecg/models/beat_source.h"
#include "ecg/models/bus.h"
#include "ecg/models/dma.h"
#include "ecg/models/host.h"
#include "ecg/models/sram.h"
#include "ecg/models/tlm_engine.h"

namespace ecg {

void declare_platform_params(ParamSet& ps, const NetGeom& net) {
  declare_platform_clock(ps);
  declare_engine_params(ps, net);
  bus::declare_params(ps);
  sram::declare_params(ps, "input", "accelerator input buffer");
  sram::declare_params(ps, "weight", "accelerator weight memory");
  dma::declare_params(ps);
  beat_source::declare_params(ps);
  ps.declare(kSimQuantumCycles, 10000,
                 "LT global quantum in cycles (simulation speed knob; timing does not depend on it)",
                 1, std::int64_t{1} << 40);
}

EngineConfig validate_platform_params(const ParamSet& ps, const NetGeom& net) {
  return engine_config(ps, net);
}

namespace {

// The modules of one run. SystemC allows one elaboration per process and the modules'
// threads stay suspended after sc_start() returns, so the top lives until process exit.
struct top : sc_core::sc_module {
  sc_core::sc_signal<bool> irq{"irq"};
  sc_core::sc_fifo<std::size_t> src2dma{"src2dma", 1};
  beat_source source;
  ecg::dma dma_;
  ecg::bus bus_;
  ecg::accelerator acc;
  ecg::host host_;

  top(const sc_core::sc_module_name& n, const PlatformSetup& s, const EngineContext& ctx,
      const std::vector<BeatIn>& beats, std::vector<BeatTrace>& trace, StatsRegistry& stats)
      : sc_core::sc_module(n),
        source("source", s.config.params, beats, trace),
        dma_("dma", s.config.params, s.config.geom, beats, s.weight_image, trace, stats),
        bus_("bus", s.config.params, stats, ctx.clock_period),
        acc("acc", s.engine_kind, ctx, trace),
        host_("host", trace, s.on_result) {
    source.src2dma(src2dma);
    dma_.src2dma(src2dma);
    dma_.dma2bus.bind(bus_.bus_in);
    host_.host2bus.bind(bus_.bus_in);
    bus_.bus_out.bind(acc.bus2csr);
    bus_.bus_out.bind(acc.input_buffer().bus2mem);
    bus_.bus_out.bind(acc.weight_memory().bus2mem);
    bus_.add_region(addr::kCsrBase, addr::kCsrSize, 0);
    bus_.add_region(addr::kInputBase, accelerator::input_bytes(s.config.geom), 1);
    bus_.add_region(addr::kWeightBase,
                    std::max<std::uint64_t>(1, static_cast<std::uint64_t>(s.config.geom.weight_storage_bytes)), 2);
    acc.irq(irq);
    host_.irq(irq);
  }
};

Span span(const std::vector<double>& v) {
  Span s;
  if (v.empty()) return s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

}  // namespace

PlatformResult run_platform(const PlatformSetup& setup, const std::vector<BeatIn>& beats,
                            StatsRegistry& stats) {
  static bool elaborated = false;
  if (elaborated) throw std::logic_error("run_platform: one platform per process (SystemC elaborates once)");
  elaborated = true;

  const PlatformConfig& cfg = setup.config;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // clean logs (conventions)
  register_tlm_engine();
  PlatformResult r;
  // The platform owns the clock: one period, handed to every module.
  r.clock_mhz = cfg.clock_mhz;
  const sc_core::sc_time period(1.0 / r.clock_mhz, sc_core::SC_US);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      period * static_cast<double>(cfg.params.get(kSimQuantumCycles)));

  r.trace.resize(beats.size());
  const EngineContext ctx{cfg.geom,   cfg.params, stats,          setup.compute,       period,
                          cfg.clock_mhz, cfg.engine, cfg.timing, setup.network, setup.waveform_file};
  auto* t = new top("top", setup, ctx, beats, r.trace, stats);  // lives until exit (see top)
  sc_core::sc_start();
  if (t->host_.results_read() != beats.size())
    throw std::runtime_error(fmt::format("platform stopped after {} of {} beats",
                                         t->host_.results_read(), beats.size()));

  auto cycles = [&](sc_core::sc_time x) { return x / period; };
  r.timing = cfg.timing;
  r.simulated_cycles = static_cast<std::uint64_t>(cycles(sc_core::sc_time_stamp()) + 0.5);
  r.boot_cycles = static_cast<std::uint64_t>(cycles(t->dma_.boot_done()) + 0.5);
  std::vector<double> lat, queue, eng;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const BeatTrace& b = r.trace[i];
    lat.push_back(cycles((b.t_req - b.t_dma) + (b.t_host - b.t_start)));
    queue.push_back(cycles((b.t_dma - b.t_avail) + (b.t_start - b.t_req)));
    eng.push_back(static_cast<double>(b.engine_cycles));
    if (i + 1 < beats.size() && beats[i + 1].stream == beats[i].stream &&
        b.t_host > sc_core::sc_time(beats[i + 1].available_s, sc_core::SC_SEC))
      ++r.deadline_misses;
  }
  r.latency_cycles = span(lat);
  r.queue_cycles = span(queue);
  r.engine_cycles = span(eng);
  stats.counter("engine.cycles.idle", "cycles without a beat in the engine")
      .add(r.simulated_cycles - std::min(r.simulated_cycles, stats.value("engine.cycles.busy")));

  // Steady state back to back: the engine's II, or the DMA path when that is longer (input
  // bursts and START write over the bus, then the engine's load of the input buffer).
  const auto in_bytes = accelerator::input_bytes(cfg.geom);
  const auto burst = static_cast<std::uint64_t>(cfg.params.get(dma::kBurstBytes));
  const auto mem_lat = static_cast<std::uint64_t>(cfg.params.get(sram::latency_key("input")));
  for (std::uint64_t off = 0; off < in_bytes; off += burst)
    r.dma_path_cycles += t->bus_.transfer_cycles(std::min(burst, in_bytes - off)) + mem_lat;
  r.dma_path_cycles += t->bus_.transfer_cycles(4) + 1 + static_cast<std::uint64_t>(r.timing.load_cycles);
  r.ii_cycles = static_cast<double>(std::max<std::uint64_t>(static_cast<std::uint64_t>(r.timing.ii_cycles),
                                                            r.dma_path_cycles));
  if (cfg.params.get(beat_source::kPace) == "back_to_back" && beats.size() >= 2)
    r.ii_measured_cycles = cycles(r.trace.back().t_start - r.trace.front().t_start) /
                           static_cast<double>(beats.size() - 1);
  r.throughput_fps = r.clock_mhz * 1e6 / r.ii_cycles;
  return r;
}

}  // namespace ecg
