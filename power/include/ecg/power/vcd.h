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
