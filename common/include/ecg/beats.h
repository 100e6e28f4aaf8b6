#pragma once
// Beat and rhythm-window streams from MIT-BIH records, with label maps and the
// preprocessing that turns a window into a network's integer input. The same code feeds
// `ecg_sim export-beats` (training) and simulation. Pure C++, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/wfdb.h"

namespace ecg {

// Input spec of a network (docs/qnet-format.md, "Input spec").
struct InputSpec {
  std::string task = "beat";     // beat | rhythm
  std::string labels = "aami5";  // aami5 | nlrav5 | nlrv4 | afib2
  std::string lead = "MLII";
  std::string baseline = "median";  // median | none
  int pre = 90, post = 110;         // beat windows, samples at the record's fs
  int window = 3600, hop = 3600;    // rhythm windows
  int length = 128;                 // resampled length
  std::string norm = "minmax";      // minmax | zscore | fixed
  double zscore_scale = 32.0;
  double fixed_gain = 64.0;
  int bits = 8;
  bool is_signed = false;
  std::string aux = "none";  // none | rr4 | rrn4 | rrq4 (docs/beats.md, "RR features")
  int aux_count() const { return aux == "rr4" || aux == "rrn4" || aux == "rrq4" ? 4 : 0; }
};

// Parses/serialises the JSON object of the spec (nlohmann::json kept out of this header).
InputSpec input_spec_from_json_text(const std::string& json_text, const std::string& origin);
std::string input_spec_to_json_text(const InputSpec& spec);

// Class names of a label map, in confusion-matrix order; throws InputError if unknown.
std::vector<std::string> label_classes(const std::string& labels);
// Class index of a beat symbol under a label map, -1 if the beat is not in the map.
int beat_label(const std::string& labels, char symbol);

struct Beat {
  std::string record;
  long sample = 0;          // R peak (beat task) or window start (rhythm task)
  char symbol = 0;          // annotation symbol (beat task); 0 for rhythm windows
  int label = -1;           // class index under the spec's label map
  double available_s = 0;   // time the window is complete in the recording (paced stream)
  std::vector<std::int32_t> input;  // quantized, length spec.length
  std::vector<std::int32_t> aux;    // spec.aux_count() values
};

// Baseline removal: subtracts the output of a 200 ms then 600 ms median filter cascade.
std::vector<double> remove_baseline(const std::vector<double>& x, double fs);
// Linear resampling of `x` to `n` points (endpoints kept).
std::vector<double> resample_linear(const std::vector<double>& x, int n);
// Quantization of a window to the spec's integer input format.
std::vector<std::int32_t> quantize(const std::vector<double>& x, const InputSpec& spec);

// RR features (the `aux` vector) of every beat, from the R peaks `r` (samples, annotation
// order, every beat of the record) at `fs`; `aux` is "rr4", "rrn4" or "rrq4" (docs/beats.md).
// Causal, as a device computes them while beats arrive: the features of beat i read
// r[0..i+1] only (r[i+1] gives the post-RR interval), never whole-record statistics.
std::vector<std::vector<std::int32_t>> rr_features(const std::string& aux, const std::vector<long>& r, double fs);

// The signal a spec's lead reads: the one described as `lead`; for MLII in records 102
// and 104 only (which have none), channel 0 (V5). Otherwise, or for a signal with more than
// one sample per frame, throws InputError naming the header.
int lead_signal(const Record& rec, const std::string& lead);

// All windows of one record under a spec, in time order. Beats whose window leaves the
// record, or whose symbol is outside the label map, are skipped.
std::vector<Beat> extract_beats(const Record& rec, const InputSpec& spec);

// A signal whose data does not sum to the header's checksum.
struct ChecksumMismatch {
  std::string record, file;  // file: the signal file's path
  int signal = 0;
  std::string description;
  int header_checksum = 0, data_checksum = 0;  // 16-bit sums
};

struct LoadOptions {
  // A checksum mismatch in the signal a run uses is an error unless this is set
  // (ecg_sim --allow-checksum-mismatch); then it is returned to the caller to report.
  bool allow_checksum_mismatch = false;
};

// extract_beats() after the checksum policy: throws InputError naming the signal file when
// the lead's checksum does not verify, unless allowed (then it is appended to `mismatches`).
std::vector<Beat> record_beats(const Record& rec, const InputSpec& spec, const LoadOptions& opts = {},
                               std::vector<ChecksumMismatch>* mismatches = nullptr);

// Reads and extracts many records (in parallel over records when threads > 1); results
// are in record order regardless of thread count, and so are `mismatches`.
std::vector<Beat> load_beats(const std::string& data_dir, const std::vector<std::string>& records,
                             const InputSpec& spec, int threads = 0, const LoadOptions& opts = {},
                             std::vector<ChecksumMismatch>* mismatches = nullptr);

}  // namespace ecg
