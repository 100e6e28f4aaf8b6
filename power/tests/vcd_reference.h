#pragma once
// Test helper: a deliberately plain VCD toggle counter (whole text split on white space,
// values kept as strings of 0 1 x z, one character compared at a time), the reference the
// streaming VcdToggleCounter (bit words, flat identifier table, 8 characters at a time) is
// checked against: toggles per identifier code, in declaration order, and value changes.
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace ecg::power::testing {

struct ReferenceToggles {
  std::vector<std::string> ids;          // identifier codes, first declaration order
  std::vector<std::uint64_t> toggles;    // per code
  std::uint64_t value_changes = 0;
};

inline ReferenceToggles reference_toggles(const std::string& text) {
  ReferenceToggles r;
  std::map<std::string, std::size_t> index;
  std::vector<int> width;
  std::vector<std::string> value;  // "" = none yet
  std::istringstream in(text);
  std::vector<std::string> tok;
  for (std::string t; in >> t;) tok.push_back(t);
  std::size_t i = 0;
  bool counting = true;
  auto set = [&](std::size_t s, std::string bits) {
    const std::size_t w = static_cast<std::size_t>(width[s]);
    const char f = bits[0] == 'x' || bits[0] == 'X' ? 'x' : bits[0] == 'z' || bits[0] == 'Z' ? 'z' : '0';
    while (bits.size() < w) bits.insert(bits.begin(), f);
    for (char& c : bits)
      if (c == 'X' || c == 'Z') c = static_cast<char>(c | 0x20);
    if (!value[s].empty() && counting)
      for (std::size_t k = 0; k < w; ++k)
        if ((value[s][k] == '0' || value[s][k] == '1') && (bits[k] == '0' || bits[k] == '1') && value[s][k] != bits[k])
          ++r.toggles[s];
    value[s] = bits;
    ++r.value_changes;
  };
  for (; i < tok.size(); ++i) {  // header
    if (tok[i] == "$enddefinitions") {
      while (tok[i] != "$end") ++i;
      ++i;
      break;
    }
    if (tok[i] == "$var") {
      const std::string& id = tok[i + 3];
      if (!index.count(id)) {
        index[id] = r.ids.size();
        r.ids.push_back(id);
        r.toggles.push_back(0);
        width.push_back(tok[i + 1] == "real" ? 1 : std::stoi(tok[i + 2]));
        value.emplace_back();
      }
    }
  }
  for (; i < tok.size(); ++i) {
    const std::string& t = tok[i];
    if (t == "$dumpvars" || t == "$dumpall") counting = false;
    else if (t == "$end") counting = true;
    else if (t == "$comment") while (tok[i] != "$end") ++i;
    else if (t[0] == '#' || t == "$dumpon" || t == "$dumpoff") continue;
    else if (t[0] == 'r' || t[0] == 'R') ++r.value_changes, ++i;
    else if (t[0] == 'b' || t[0] == 'B') set(index.at(tok[i + 1]), t.substr(1)), ++i;
    else set(index.at(t.substr(1)), t.substr(0, 1));
  }
  return r;
}

}  // namespace ecg::power::testing
