// libFuzzer target for the whole record path on in-memory files: header, signal decoding,
// annotations, beat extraction (both tasks, the checksum policy) and the JSON a report
// holds. Any byte string must either work or raise ecg::InputError; never crash, hang,
// leak, read out of bounds, or put text into JSON that its strict encoder refuses.
//
// Input: one flag byte, then the files f.hea, f.dat and f.atr separated by "@@@@" (a
// missing part is a missing file). Seeds: tests/fuzz/corpus (scripts/mutate_corpus.py
// --fuzz-seeds). Build and run: scripts/fuzz.sh (clang -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecg/beats.h"
#include "ecg/error.h"
#include "ecg/wfdb.h"

namespace {

const char* const kSpecs[] = {
    R"({"labels":"aami5","pre":90,"post":110,"length":32})",
    R"({"labels":"aami5","pre":20,"post":30,"length":16,"aux":"rr4","norm":"zscore","signed":true,"bits":6})",
    R"({"task":"rhythm","labels":"afib2","window":64,"hop":32,"length":16,"baseline":"none","norm":"fixed"})",
    R"({"labels":"nlrav5","lead":"V5","pre":4,"post":4,"length":8,"norm":"fixed","fixed_gain":1e6})",
};

// What `ecg_sim inspect --json` and a run report take from a record: dumping it must work.
void summarise(const ecg::Record& r, const std::vector<ecg::Beat>& beats) {
  nlohmann::json sigs = nlohmann::json::array();
  for (std::size_t i = 0; i < r.header.signals.size(); ++i) {
    const auto& s = r.header.signals[i];
    sigs.push_back({{"file", s.file_name}, {"units", s.units}, {"description", s.description}, {"gain", s.adc_gain},
                    {"checksum_ok", static_cast<bool>(r.signals.checksum_ok[i])},
                    {"first", r.signals.samples[i].empty() ? 0 : r.signals.samples[i][0]}});
  }
  nlohmann::json ann = nlohmann::json::array();
  for (const auto& a : r.annotations) ann.push_back({a.sample, a.mnemonic(), a.aux});
  nlohmann::json out = {{"record", r.header.name}, {"fs", r.header.fs}, {"n_samples", r.header.n_samples},
                        {"signals", sigs}, {"comments", r.header.comments}, {"annotations", ann}};
  for (const auto& b : beats) out["beats"].push_back({b.record, b.sample, b.label, b.available_s, b.input, b.aux});
  (void)out.dump();  // throws nlohmann::json::type_error on invalid UTF-8: a finding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string in(reinterpret_cast<const char*>(data + 1), size - 1);
  ecg::MemoryFiles files;
  const char* const names[] = {"f.hea", "f.dat", "f.atr"};
  std::size_t from = 0;
  for (const char* name : names) {
    const std::size_t at = in.find("@@@@", from);
    const std::string part = in.substr(from, at == std::string::npos ? std::string::npos : at - from);
    files.files[name].assign(part.begin(), part.end());
    if (at == std::string::npos) break;
    from = at + 4;
  }
  // Each parser on its own, then the whole path.
  try {
    (void)ecg::parse_header(std::string(files.files["f.hea"].begin(), files.files["f.hea"].end()), "f.hea");
  } catch (const ecg::InputError&) {
  }
  if (files.files.count("f.atr")) {
    try {
      (void)ecg::parse_annotations(files.files["f.atr"], "f.atr");
    } catch (const ecg::InputError&) {
    }
  }
  try {
    const ecg::Record r = ecg::read_record("", "f", "atr", files);
    summarise(r, {});
    ecg::LoadOptions opts;
    opts.allow_checksum_mismatch = (flags & 1) != 0;
    const auto spec = ecg::input_spec_from_json_text(kSpecs[(flags >> 1) & 3], "spec");
    std::vector<ecg::ChecksumMismatch> mismatches;
    summarise(r, ecg::record_beats(r, spec, opts, &mismatches));
  } catch (const ecg::InputError&) {
  }
  return 0;
}
