#pragma once
// Native reader for PhysioNet WFDB records (header, signal and MIT annotation files).
// Written here because Debian packages no WFDB library (the WFDB software package and
// wfdb-python are not in Debian 12). Pure C++, no SystemC.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ecg {

// Limits that keep a hostile or broken record from exhausting memory (docs/beats.md,
// "Input validation"). A record above them is refused with an InputError naming the file.
constexpr std::uint64_t kMaxHeaderBytes = 1u << 20;      // 1 MiB of header text
constexpr std::uint64_t kMaxAnnotationBytes = 1u << 24;  // 16 MiB of annotations (8 M words)
constexpr std::uint64_t kMaxRecordSamples = 1u << 27;    // 134 M samples, all signals together
constexpr int kMaxSignals = 4096;
constexpr int kMaxSamplesPerFrame = 65536;

// Where the reader gets its bytes: the file system (disk_files(), the default) or memory
// (MemoryFiles: tests and the fuzzer drive the whole record path without touching a disk).
class FileSource {
 public:
  virtual ~FileSource() = default;
  // Size of the regular file at `path`. Throws InputError naming `path` when it is missing
  // or unreadable, or is not a regular file (directory, FIFO, device, or a link to one):
  // such a file is never opened for reading, so it can neither hang nor flood memory.
  virtual std::uint64_t size(const std::string& path) const = 0;
  // Exactly `count` bytes from `offset` (which the caller checked against size()).
  virtual std::vector<std::uint8_t> read(const std::string& path, std::uint64_t offset, std::size_t count) const = 0;
};
const FileSource& disk_files();

class MemoryFiles final : public FileSource {
 public:
  std::map<std::string, std::vector<std::uint8_t>> files;  // path -> content
  std::uint64_t size(const std::string& path) const override;
  std::vector<std::uint8_t> read(const std::string& path, std::uint64_t offset, std::size_t count) const override;
};

struct SignalSpec {
  std::string file_name;   // e.g. "100.dat"
  int format = 0;          // 16, 80, 212, 310, 311
  int samples_per_frame = 1;
  int skew = 0;             // frames: sample i of this signal is stored in frame i + skew
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

// Text fields (name, units, description, comments) hold printable() text: valid UTF-8
// without control bytes, safe for a terminal and for JSON.
struct RecordHeader {
  std::string origin;  // the header file's path (for messages)
  std::string name;
  int n_signals = 0;
  double fs = 250.0;
  long n_samples = 0;  // frames per signal; read_record() fills it in when the header has none
  std::vector<SignalSpec> signals;
  std::vector<std::string> comments;
};

// Parses a header's text. `origin` names the file in error messages. Every value is
// checked: counts and sizes in range, gain and sampling frequency finite and > 0, signal
// file names plain names in the header's own folder.
RecordHeader parse_header(const std::string& text, const std::string& origin);
RecordHeader read_header(const std::string& path, const FileSource& files = disk_files());

struct Signals {
  // samples[s][i]: ADC units of signal s at sample i (frame i when 1 sample per frame),
  // with the signal's skew applied; samples past the end of a skewed signal's data repeat
  // its last sample (WFDB getvec's WFDB_GVPAD behaviour).
  std::vector<std::vector<int>> samples;
  std::vector<bool> checksum_ok;     // per signal; true when the header has no checksum
  std::vector<int> checksum_data;    // per signal: 16-bit sum of the samples in the file
  long n_frames = 0;                 // frames read (the header's count, or decoded from the file)
};

// Reads all signals of a record whose header lives in `dir`. What the header implies is
// checked against the files' real sizes (and kMaxRecordSamples) before anything is read.
Signals read_signals(const RecordHeader& header, const std::string& dir, const FileSource& files = disk_files());

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
std::vector<Annotation> read_annotations(const std::string& path, const FileSource& files = disk_files());

// WFDB mnemonic for an annotation code ("" if unknown).
std::string ann_mnemonic(int code);

struct Record {
  RecordHeader header;
  Signals signals;
  std::vector<Annotation> annotations;
  std::string dir;              // folder of the header and signal files
  std::string annotation_path;
  // Index of the signal whose description matches `lead` (e.g. "MLII"), else throws InputError.
  int lead_index(const std::string& lead) const;
  // Path of signal s's file (for messages).
  std::string signal_path(int s) const;
  // Physical value (mV) of signal s at frame i.
  double physical(int s, long i) const;
};

// Reads <dir>/<name>.hea, its signal files and <dir>/<name>.<annotator>. The header's
// record name must be `name`.
Record read_record(const std::string& dir, const std::string& name, const std::string& annotator = "atr",
                   const FileSource& files = disk_files());

}  // namespace ecg
