// ecg_vcd_toggles: switching activity of a VCD waveform (docs/power.md).
//   ecg_vcd_toggles FILE.vcd [--rules blocks.json] [--top N] [--json OUT]
// Prints the signals with the most toggles and, with --rules, toggles per block.
#include <algorithm>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/power/vcd.h"

int main(int argc, char** argv) {
  CLI::App app{"Toggle counts of a VCD waveform (per signal, per block)"};
  std::string vcd, rules_file, json_out;
  std::size_t top = 20;
  app.add_option("vcd", vcd, "VCD file ('-' = stdin)")->required();
  app.add_option("--rules", rules_file, "block rules JSON: {\"rules\": [{\"block\", \"match\"}]}");
  app.add_option("--top", top, "signals to list, most toggles first");
  app.add_option("--json", json_out, "write per-signal and per-block toggles as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    ecg::power::VcdToggles v = vcd == "-" ? ecg::power::count_vcd_toggles(std::cin, "stdin")
                                          : ecg::power::count_vcd_toggles_file(vcd);
    std::vector<const ecg::power::VcdSignal*> order;
    for (const auto& s : v.signals) order.push_back(&s);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->toggles > b->toggles; });
    fmt::print("{}: {} signals, time {}..{} ({}), {} value changes, {} toggles\n", v.origin,
               v.signals.size(), v.first_time, v.last_time, v.timescale, v.value_changes,
               v.total_toggles());
    for (std::size_t i = 0; i < std::min(top, order.size()); ++i)
      fmt::print("  {:>14}  {:>4}b  {}\n", order[i]->toggles, order[i]->width, order[i]->path);
    nlohmann::json j = {{"vcd", v.origin}, {"timescale", v.timescale}, {"first_time", v.first_time},
                        {"last_time", v.last_time}, {"total_toggles", v.total_toggles()}};
    if (!rules_file.empty()) {
      auto blocks = ecg::power::toggles_by_block(v, ecg::power::load_block_rules(rules_file));
      fmt::print("per block:\n");
      for (const auto& [b, n] : blocks) fmt::print("  {:>14.0f}  {}\n", n, b);
      j["blocks"] = blocks;
    }
    if (!json_out.empty()) {
      nlohmann::json sig = nlohmann::json::array();
      for (const auto& s : v.signals) sig.push_back({{"path", s.path}, {"width", s.width}, {"toggles", s.toggles}});
      j["signals"] = sig;
      std::ofstream out(json_out);
      if (!out) throw ecg::InputError(fmt::format("--json {}: cannot write", json_out));
      out << j.dump(1) << "\n";
    }
  } catch (const ecg::InputError& e) {
    std::cerr << "ecg_vcd_toggles: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
