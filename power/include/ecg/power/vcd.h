#pragma once
// Switching activity from a VCD waveform (IEEE 1364 §18): toggles per signal, summed per
// hardware block by path rules. This is the RTL side of the power calibration: Verilator
// writes the VCD (--trace), this counts 0<->1 bit transitions. Pure C++, streaming (a
// waveform of a full record does not fit in memory; it is read once, or through a FIFO).
// Hand-written because no Debian package parses VCD from C++.
#include <cstdint>
#include <istream>
#include <map>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ecg::power {

struct VcdSignal {
  std::string path;                  // scope.scope.name of the first declaration
  std::vector<std::string> aliases;  // further declarations sharing the identifier code
  int width = 1;
  std::uint64_t toggles = 0;         // bit transitions 0->1 and 1->0 (x/z transitions excluded)
};

struct VcdToggles {
  std::string origin, timescale;
  std::vector<VcdSignal> signals;  // one per identifier code, in declaration order
  std::uint64_t first_time = 0, last_time = 0;
  std::uint64_t value_changes = 0;  // value-change records read (initial $dumpvars included)
  std::uint64_t total_toggles() const;
};

// Push parser: feed() the VCD text in chunks of any size (e.g. from a VerilatedVcdFile, see
// vcd_sink.h, so a full-record waveform never touches the disk), then finish().
class VcdToggleCounter {
 public:
  explicit VcdToggleCounter(std::string origin);
  void feed(const char* data, std::size_t n);
  // Ends the input: processes the last token; a header without $enddefinitions is an error.
  const VcdToggles& finish();
  const VcdToggles& result() const { return m_r; }  // counts so far

 private:
  void token(const char* tok, std::size_t n);  // a value-change token (header ones: header_token)
  void header_token(std::string tok);
  void header_section(const std::string& keyword, const std::vector<std::string>& v);
  void apply(std::size_t i, const char* bits, std::size_t n);
  void keep_pending();
  static std::uint64_t id_key(const char* id, std::size_t n);
  std::size_t lookup(const char* id, std::size_t n) const;
  [[noreturn]] void fail(const std::string& msg) const;

  VcdToggles m_r;
  std::unordered_map<std::uint64_t, std::size_t> m_index;  // identifier code (id_key) -> signal
  std::vector<std::uint32_t> m_flat;  // id_key -> signal + 1 (0: undeclared), when the keys are small
  // Per signal: its value as bit words (LSB word first) and which bits are known (0/1, not
  // x/z), from m_offset[i]; m_has[i]: a value was seen.
  std::vector<std::uint64_t> m_bits, m_known;
  std::vector<std::uint32_t> m_offset;
  std::vector<std::uint8_t> m_has;
  std::vector<std::string> m_scope;
  std::string m_tok;                  // token cut by the end of a chunk
  std::string m_section;              // header/$comment keyword whose $end is pending
  std::vector<std::string> m_args;    // its tokens
  const char* m_pending_p = nullptr;  // vector/real value waiting for its identifier
  std::size_t m_pending_n = 0;
  std::string m_pending_value;        // its copy when the chunk ended in between
  bool m_defs_done = false, m_counting = true, m_have_time = false, m_finished = false;
  std::uint64_t m_line = 1, m_tok_line = 1;
};

// Reads a whole VCD. The initial values ($dumpvars, or a signal's first value) set the
// state without counting a toggle; a vector value shorter than its width is extended per
// the standard (0/1 -> 0, x -> x, z -> z). Malformed input: InputError "ORIGIN:LINE: ...".
VcdToggles count_vcd_toggles(std::istream& in, const std::string& origin);
VcdToggles count_vcd_toggles_file(const std::string& path);

// Block rules: the first rule whose regex matches (std::regex_search, ECMAScript) a
// signal's path (or one of its aliases) gets the signal's toggles.
struct BlockRule {
  std::string block, pattern;
  std::regex re;
};
// {"rules": [{"block": "datapath", "match": "u_pe"}, ...]} (InputError naming `origin`).
std::vector<BlockRule> parse_block_rules(const nlohmann::json& j, const std::string& origin);
std::vector<BlockRule> load_block_rules(const std::string& path);
// Toggles per block; signals no rule matches go to "unassigned".
std::map<std::string, double> toggles_by_block(const VcdToggles& v, const std::vector<BlockRule>& rules);

}  // namespace ecg::power
