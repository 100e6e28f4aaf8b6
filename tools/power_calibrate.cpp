// ecg_power_calibrate: switching activity of the Verilated engine over real beats, per
// power block, as toggle rates for the TLM power model (power/calib/<arch>.json), and the
// TLM estimate against the RTL-activity estimate on the same beats (docs/power.md).
//
//   ecg_power_calibrate --arch qrcnn --records 100 [--beats N] [--write power/calib/qrcnn.json]
//
// The engine is the seq or the pipe RTL (by engine.style), beats one at a time as the rtl
// mode's bridge runs them. The waveform goes through a FIFO (VcdFifoCounter) into the
// streaming toggle counter, so a full record (millions of cycles, tens of GB of VCD text)
// never touches the disk (--vcd FILE keeps it, for a short run).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <systemc>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/beats.h"
#include "ecg/error.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"
#include "ecg/power/hw.h"
#include "ecg/power/vcd.h"
#include "ecg/power/vcd_fifo.h"
#include "ecg/qnet.h"
#include "engine_bench.h"

int sc_main(int argc, char** argv) {
  CLI::App app{"RTL switching activity -> power calibration; TLM vs RTL-activity power"};
  std::string arch, weights, config, data = ECG_DEFAULT_DATA, write, json_out;
  std::string rules, vcd_file;
  std::vector<std::string> params, records;
  std::size_t max_beats = 0, skip = 0;
  app.add_option("--arch", arch, "network + hardware style")->required();
  app.add_option("--weights", weights, "weights directory (default: weights/ of the source tree)");
  app.add_option("--config", config, "arch config (default configs/<arch>.toml)");
  app.add_option("-p", params, "key=value parameter override");
  app.add_option("--data", data, "MIT-BIH directory");
  app.add_option("--records", records, "records to run")->required()->delimiter(',');
  app.add_option("--skip", skip, "beats to skip first");
  app.add_option("--beats", max_beats, "at most this many beats (0 = all)");
  app.add_option("--rules", rules, "VCD signal -> block rules (default power/calib/<engine.style>_blocks.json)");
  app.add_option("--vcd", vcd_file, "write the waveform to this .vcd file (and count it) instead of a FIFO");
  app.add_option("--write", write, "write the measured toggle rates as a calibration file");
  app.add_option("--json", json_out, "write the comparison as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    const ecg::Network net = ecg::load_network(ecg::model_path(ecg::resolve_weights_dir(weights), arch));
    const ecg::NetGeom geom = ecg::net_geometry(net);
    ecg::TlmOptions opt;
    opt.config_file = config;
    opt.params = params;
    const ecg::ParamSet ps = ecg::make_platform_params(net, geom, opt);
    const ecg::EngineConfig cfg = ecg::engine_config(ps, geom);
    if (cfg.style != "seq" && cfg.style != "pipe")
      throw ecg::InputError(fmt::format("--arch {}: engine.style {} has no RTL engine to calibrate against", arch, cfg.style));
    if (rules.empty()) rules = ecg::power::default_block_rules_path(cfg.style);
    const auto block_rules = ecg::power::load_block_rules(rules);
    if (!vcd_file.empty() && (vcd_file.size() < 4 || vcd_file.compare(vcd_file.size() - 4, 4, ".vcd") != 0))
      throw ecg::InputError(fmt::format("--vcd {}: expected a FILE.vcd", vcd_file));
    std::vector<ecg::Beat> beats = ecg::load_beats(data, records, net.input, 1);
    if (skip > 0) beats.erase(beats.begin(), beats.begin() + static_cast<long>(std::min(skip, beats.size())));
    if (max_beats > 0 && beats.size() > max_beats) beats.resize(max_beats);
    if (beats.empty()) throw ecg::InputError("--records: no beats to run");

    const ecg::rtl::Variant& variant = ecg::rtl::find_variant(cfg.style, arch, cfg.pe, cfg.simd);
    const std::string variant_name = variant.name;
    std::unique_ptr<ecg::power::VcdFifoCounter> fifo;
    if (vcd_file.empty()) fifo = std::make_unique<ecg::power::VcdFifoCounter>();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<ecg::rtl::BeatResult> out;
    std::uint64_t sim_cycles = 0;
    try {
      ecg::rtl::BenchOptions bopt;
      bopt.clock_mhz = ps.get(ecg::platform_param::kClockMhz);
      bopt.trace_file = fifo ? fifo->path() : vcd_file;
      auto bench = variant.make(bopt);
      if (cfg.style == "seq")
        bench->load(ecg::rtl::compile_seq(net, bench->seq_hw()));
      else
        bench->load(ecg::rtl::compile_pipe(net, bench->pipe_hw(), cfg.line_buffer_cols));
      bench->run(beats, out, nullptr);
      sim_cycles = bench->simulated_cycles();
      bench->close_trace();
    } catch (...) {
      if (fifo) fifo->abort();
      throw;
    }
    const ecg::power::VcdToggles toggles = fifo ? fifo->finish() : ecg::power::count_vcd_toggles_file(vcd_file);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    double busy = 0;
    for (const auto& r : out) busy += static_cast<double>(r.cycles);
    const auto blocks = ecg::power::toggles_by_block(toggles, block_rules);
    const ecg::power::RtlComparison cmp =
        ecg::power::compare_with_rtl(ps, geom, blocks, static_cast<double>(beats.size()), busy);

    fmt::print("{}: {} beats of {} on RTL variant {} ({} x {}), {} cycles ({} busy), {:.1f} s, {} toggles\n", arch,
               beats.size(), fmt::join(records, ","), variant_name, cfg.pe, cfg.simd, sim_cycles, busy, wall,
               toggles.total_toggles());
    fmt::print("{:<12} {:>14} {:>10} {:>10} {:>9}\n", "block", "toggles", "rtl rate", "tlm rate", "diff %");
    for (const auto& [name, b] : cmp.rtl.blocks) {
      if (name == "clock") continue;
      const auto& tb = cmp.tlm.blocks.at(name);
      const auto it = blocks.find(name);
      fmt::print("{:<12} {:>14.0f} {:>10.4f} {:>10.4f} {:>+9.2f}\n", name, it != blocks.end() ? it->second : 0.0,
                 b.toggle_rate, tb.toggle_rate, ecg::power::pct_difference(tb.pj, b.pj));
    }
    fmt::print("dynamic power ({}): TLM estimate {:.4f} mW ({}) vs RTL-activity {:.4f} mW: {:+.2f}%\n",
               cmp.rtl.tech, cmp.tlm.dynamic_mw, cmp.tlm.rates_from, cmp.rtl.dynamic_mw, cmp.dynamic_difference_pct);
    nlohmann::json j = ecg::to_json(cmp.report());  // the report's hardware.power.rtl_activity block
    j.erase("total_toggles");
    j.erase("note");
    j["arch"] = arch;
    j["records"] = records;
    j["beats"] = beats.size();
    j["rtl_variant"] = variant_name;
    j["simulated_cycles"] = sim_cycles;
    j["busy_cycles"] = busy;
    j["wall_s"] = wall;
    if (!write.empty()) {
      ecg::power::Calibration c;
      c.arch = arch;
      c.toggle_rate = cmp.measured_rates;
      c.provenance = {{"tool", "ecg_power_calibrate"}, {"records", records}, {"skip", skip},
                      {"beats", beats.size()}, {"rtl_variant", variant_name}, {"pe", cfg.pe},
                      {"simd", cfg.simd}, {"busy_cycles", busy}, {"rules", std::filesystem::path(rules).filename().string()},
                      {"block_toggles", blocks},
                      {"note", "toggle_rate = RTL toggles of the block / nominal bits of the TLM counters mapped to it"}};
      ecg::power::save_calibration(c, write);
      fmt::print("wrote {}\n", write);
    }
    if (!json_out.empty()) {
      std::ofstream f(json_out);
      if (!f) throw ecg::InputError(fmt::format("--json {}: cannot write", json_out));
      f << j.dump(2) << "\n";
    }
  } catch (const ecg::InputError& e) {
    std::cerr << "ecg_power_calibrate: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
