// `ecg_sim inspect`: a record's header, per-symbol annotation counts and checksum status.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "ecg/data.h"
#include "ecg/npy.h"
#include "ecg/wfdb.h"

namespace ecg::cli {
namespace {

struct InspectOptions {
  std::string record = "100";
  std::string data;
  std::string json;
};

nlohmann::json inspect_record(const Record& r) {
  nlohmann::json sigs = nlohmann::json::array();
  bool all_ok = true;
  for (std::size_t i = 0; i < r.header.signals.size(); ++i) {
    const auto& s = r.header.signals[i];
    const bool ok = r.signals.checksum_ok[i];
    all_ok = all_ok && ok;
    sigs.push_back({{"file", s.file_name}, {"format", s.format}, {"gain", s.adc_gain}, {"baseline", s.baseline},
                    {"units", s.units}, {"adc_resolution", s.adc_resolution}, {"adc_zero", s.adc_zero},
                    {"initial_value", s.initial_value}, {"checksum", s.checksum}, {"checksum_ok", ok},
                    {"first_sample", r.signals.samples[i].empty() ? 0 : r.signals.samples[i][0]},
                    {"description", s.description}});
  }
  std::map<std::string, int> beats, other, rhythm;
  for (const auto& a : r.annotations) {
    (a.is_beat() ? beats : other)[a.mnemonic()]++;
    if (!a.aux.empty() && a.aux[0] == '(') rhythm[a.aux]++;
  }
  int n_beats = 0;
  for (auto& [k, v] : beats) n_beats += v;
  return {{"record", r.header.name}, {"fs", r.header.fs}, {"n_samples", r.header.n_samples},
          {"n_signals", r.header.n_signals}, {"signals", sigs}, {"checksums_ok", all_ok},
          {"comments", r.header.comments}, {"annotations", r.annotations.size()}, {"beats", n_beats},
          {"beat_counts", beats}, {"other_counts", other}, {"rhythm_episodes", rhythm}};
}

void print_inspect(const nlohmann::json& j) {
  const double secs = j["n_samples"].get<double>() / j["fs"].get<double>();
  fmt::print("record {}: {} signals, {} Hz, {} samples ({}:{:06.3f})\n", j["record"].get<std::string>(),
             j["n_signals"].get<int>(), j["fs"].get<double>(), j["n_samples"].get<long>(), static_cast<int>(secs / 60),
             secs - 60 * static_cast<int>(secs / 60));
  fmt::print("  {:<3} {:<9} {:>6} {:>7} {:>8} {:>5} {:>7} {:>9} {:>8}  {}\n", "sig", "file", "format", "gain",
             "baseline", "units", "first", "checksum", "verified", "description");
  int i = 0;
  for (const auto& s : j["signals"])
    fmt::print("  {:<3} {:<9} {:>6} {:>7} {:>8} {:>5} {:>7} {:>9} {:>8}  {}\n", i++, s["file"].get<std::string>(),
               s["format"].get<int>(), s["gain"].get<double>(), s["baseline"].get<int>(), s["units"].get<std::string>(),
               s["first_sample"].get<int>(), s["checksum"].get<int>(), s["checksum_ok"].get<bool>() ? "ok" : "MISMATCH",
               s["description"].get<std::string>());
  for (const auto& c : j["comments"]) fmt::print("  #{}\n", c.get<std::string>());
  fmt::print("annotations: {} ({} beats)\n", j["annotations"].get<std::size_t>(), j["beats"].get<int>());
  auto table = [](const char* title, const nlohmann::json& counts) {
    if (counts.empty()) return;
    fmt::print("  {}:", title);
    for (auto it = counts.begin(); it != counts.end(); ++it) fmt::print(" {}={}", it.key(), it.value().get<int>());
    fmt::print("\n");
  };
  table("beats", j["beat_counts"]);
  table("other", j["other_counts"]);
  table("rhythm changes", j["rhythm_episodes"]);
  fmt::print("checksums: {}\n", j["checksums_ok"].get<bool>() ? "all signals verify" : "MISMATCH");
}

}  // namespace

void add_inspect(CLI::App& app) {
  auto opt = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "Print a record's header, annotation counts and checksum status");
  cmd->add_option("--record,-r", opt->record, "Record name, e.g. 100")->capture_default_str();
  cmd->add_option("--data", opt->data, "MIT-BIH directory (default: $ECG_SIM_DATA, data/mitdb, ../shared/mitdb)");
  cmd->add_option("--json", opt->json, "Also write the result as JSON to FILE");
  cmd->callback([opt] {
    const auto dir = resolve_data_dir(opt->data);
    resolve_records(opt->record, dir, "--record");  // validates the name and that the header exists
    const auto j = inspect_record(read_record(dir, opt->record));
    print_inspect(j);
    if (!opt->json.empty()) write_file_atomic(opt->json, j.dump(2) + "\n");
    if (!j["checksums_ok"].get<bool>()) throw CLI::RuntimeError(1);
  });
}

}  // namespace ecg::cli
