// `ecg_sim export-beats`: the beat/rhythm-window stream as NumPy arrays for training. The
// training scripts read only this output, so training and simulation share one data path.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "commands.h"
#include "ecg/beats.h"
#include "ecg/data.h"
#include "ecg/error.h"
#include "ecg/npy.h"

namespace ecg::cli {
namespace {

struct ExportOptions {
  std::string spec;
  std::string records = "ds1";
  std::string out;
  std::string data;
  int threads = 0;
  bool allow_checksum_mismatch = false;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("--spec {}: cannot open file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void add_export_beats(CLI::App& app) {
  auto opt = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export-beats", "Write a beat stream as .npy arrays (x, aux, y, rec, sample) for training");
  cmd->add_option("--spec", opt->spec, "Input spec JSON (docs/qnet-format.md), or a model.json whose 'input' is used")->required();
  cmd->add_option("--records", opt->records, "Record set (all, ds1, ds2, paced, afib) or list 100,101")->capture_default_str();
  cmd->add_option("--out", opt->out, "Output directory (created)")->required();
  cmd->add_option("--data", opt->data, "MIT-BIH directory");
  cmd->add_option("--threads,-j", opt->threads, "Reader threads (0 = cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--allow-checksum-mismatch", opt->allow_checksum_mismatch,
                "Use signals whose checksum does not verify (with a warning)");
  cmd->callback([opt] {
    const auto spec = input_spec_from_json_text(read_text(opt->spec), opt->spec);
    const auto dir = resolve_data_dir(opt->data);
    const auto records = resolve_records(opt->records, dir);
    std::vector<ChecksumMismatch> bad_sums;
    const auto beats = load_beats(dir, records, spec, opt->threads, {opt->allow_checksum_mismatch}, &bad_sums);
    for (const auto& m : bad_sums)
      fmt::print(stderr, "export-beats: warning: {}: checksum mismatch in signal {} ({}), used as --allow-checksum-mismatch asks\n",
                 m.file, m.signal, m.description);
    const std::size_t n = beats.size(), len = static_cast<std::size_t>(spec.length),
                      na = static_cast<std::size_t>(spec.aux_count());
    std::vector<std::int32_t> x, aux, y, rec;
    std::vector<std::int64_t> sample;
    x.reserve(n * len);
    for (const auto& b : beats) {
      x.insert(x.end(), b.input.begin(), b.input.end());
      aux.insert(aux.end(), b.aux.begin(), b.aux.end());
      y.push_back(b.label);
      if (b.record.empty() || b.record.size() > 9 || b.record.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(fmt::format("--records: record '{}' has no numeric name, which rec.npy needs", b.record));
      rec.push_back(std::stoi(b.record));
      sample.push_back(b.sample);
    }
    std::error_code ec;
    std::filesystem::create_directories(opt->out, ec);
    if (ec) throw InputError(fmt::format("--out {}: cannot create directory ({})", opt->out, ec.message()));
    const auto path = [&](const char* f) { return (std::filesystem::path(opt->out) / f).string(); };
    write_npy(path("x.npy"), x, {n, len});
    write_npy(path("aux.npy"), aux, {n, na});
    write_npy(path("y.npy"), y, {n});
    write_npy(path("rec.npy"), rec, {n});
    write_npy(path("sample.npy"), sample, {n});
    std::string classes;
    for (const auto& c : label_classes(spec.labels)) classes += c + "\n";
    write_file_atomic(path("classes.txt"), classes);
    write_file_atomic(path("spec.json"), input_spec_to_json_text(spec) + "\n");
    std::vector<int> counts(label_classes(spec.labels).size(), 0);
    for (const auto& b : beats) counts[static_cast<std::size_t>(b.label)]++;
    std::string summary;
    for (std::size_t c = 0; c < counts.size(); ++c) summary += fmt::format(" {}={}", label_classes(spec.labels)[c], counts[c]);
    fmt::print(stderr, "export-beats: {} windows from {} records to {} ({})\n", n, records.size(), opt->out, summary.substr(1));
  });
}

}  // namespace ecg::cli
