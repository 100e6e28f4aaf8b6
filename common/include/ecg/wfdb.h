#pragma once
// Native reader for PhysioNet WFDB records (header, signal and MIT annotation files).
// Written here because Debian packages no WFDB library (the WFDB software package and
// wfdb-python are not in Debian 12). Pure C++, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

namespace ecg {

struct SignalSpec {
  std::string file_name;   // e.g. "100.dat"
  int format = 0;          // 16, 80, 212, 310, 311
  int samples_per_frame = 1;
  int skew = 0;
  long byte_offset = 0;
  double adc_gain = 200.0;  // ADC units per physical unit (WFDB default 200)
  int baseline = 0;         // ADC value corresponding to 0 physical units
  std::string units = "mV";
  int adc_resolution = 0;
  int adc_zero = 0;
  int initial_value = 0;
  int checksum = 0;
  bool has_checksum = false;
  int block_size = 0;
  std::string description;  // e.g. "MLII"
};

struct RecordHeader {
  std::string name;
  int n_signals = 0;
  double fs = 250.0;
  long n_samples = 0;  // frames per signal
  std::vector<SignalSpec> signals;
  std::vector<std::string> comments;
};

// Parses a header's text. `origin` names the file in error messages.
RecordHeader parse_header(const std::string& text, const std::string& origin);
RecordHeader read_header(const std::string& path);

struct Signals {
  // samples[s][i]: ADC units of signal s at frame i.
  std::vector<std::vector<int>> samples;
  std::vector<bool> checksum_ok;  // per signal; true when the header has no checksum
};

// Reads all signals of a record whose header lives in `dir`.
Signals read_signals(const RecordHeader& header, const std::string& dir);

enum AnnCode : int {
  kNotQrs = 0, kNormal = 1, kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63
};

struct Annotation {
  long sample = 0;
  int code = 0;          // 1..49 (WFDB anncodes)
  int subtype = 0;
  int chan = 0;
  int num = 0;
  std::string aux;       // e.g. "(AFIB" for rhythm changes
  char symbol() const;   // first character of the WFDB mnemonic, e.g. 'N', 'A', '+'
  std::string mnemonic() const;
  bool is_beat() const;  // WFDB isqrs()
};

std::vector<Annotation> parse_annotations(const std::vector<std::uint8_t>& bytes,
                                          const std::string& origin);
std::vector<Annotation> read_annotations(const std::string& path);

// WFDB mnemonic for an annotation code ("" if unknown).
std::string ann_mnemonic(int code);

struct Record {
  RecordHeader header;
  Signals signals;
  std::vector<Annotation> annotations;
  // Index of the signal whose description matches `lead` (e.g. "MLII"), else throws InputError.
  int lead_index(const std::string& lead) const;
  // Physical value (mV) of signal s at frame i.
  double physical(int s, long i) const;
};

// Reads <dir>/<name>.hea, its signal files and <dir>/<name>.<annotator>.
Record read_record(const std::string& dir, const std::string& name,
                   const std::string& annotator = "atr");

}  // namespace ecg
