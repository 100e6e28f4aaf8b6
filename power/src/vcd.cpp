#include "ecg/power/vcd.h"

#include <fstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"

namespace ecg::power {
std::uint64_t VcdToggles::total_toggles() const {
  std::uint64_t n = 0;
  for (const auto& s : signals) n += s.toggles;
  return n;
}

VcdToggleCounter::VcdToggleCounter(std::string origin) { m_r.origin = std::move(origin); }

void VcdToggleCounter::fail(const std::string& msg) const {
  throw InputError(fmt::format("{}:{}: {}", m_r.origin, m_tok_line, msg));
}

void VcdToggleCounter::feed(const char* data, std::size_t n) {
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  std::size_t i = 0;
  while (i < n) {
    if (space(data[i])) {
      if (!m_tok.empty()) {
        token(m_tok);
        m_tok.clear();
      }
      if (data[i] == '\n') ++m_line;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && !space(data[j])) ++j;
    if (m_tok.empty()) m_tok_line = m_line;
    m_tok.append(data + i, j - i);
    i = j;
  }
}

const VcdToggles& VcdToggleCounter::finish() {
  if (m_finished) return m_r;
  if (!m_tok.empty()) {
    token(m_tok);
    m_tok.clear();
  }
  if (!m_section.empty()) fail(fmt::format("unterminated {} (no $end)", m_section));
  if (!m_defs_done) fail("no $enddefinitions");
  if (!m_pending_value.empty()) fail(fmt::format("value \"{}\" without identifier", m_pending_value));
  m_finished = true;
  return m_r;
}

std::uint64_t VcdToggleCounter::id_key(const char* id, std::size_t n) {
  // Identifier codes are printable ASCII (33..126); up to 9 of them fit a base-95 number.
  if (n == 0 || n > 9) return ~std::uint64_t{0};
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k = k * 95 + static_cast<std::uint64_t>(static_cast<unsigned char>(id[i]) - 32);
  return k;
}

std::size_t VcdToggleCounter::lookup(const char* id, std::size_t n) const {
  const std::uint64_t key = id_key(id, n);
  auto it = m_index.find(key);
  if (key == ~std::uint64_t{0} || it == m_index.end())
    fail(fmt::format("value change for undeclared identifier \"{}\"", std::string(id, n)));
  return it->second;
}

void VcdToggleCounter::header_section(const std::string& kw, const std::vector<std::string>& v) {
  if (kw == "$scope") {
    if (v.size() < 2) fail("$scope needs a type and a name");
    m_scope.push_back(v[1]);
  } else if (kw == "$upscope") {
    if (m_scope.empty()) fail("$upscope without $scope");
    m_scope.pop_back();
  } else if (kw == "$var") {
    if (v.size() < 4) fail("$var needs type, size, identifier and name");
    int width = 0;
    try {
      width = std::stoi(v[1]);
    } catch (const std::exception&) {
      fail(fmt::format("$var size \"{}\" is not a number", v[1]));
    }
    if (width <= 0) fail(fmt::format("$var size {} must be > 0", width));
    std::string path;
    for (const auto& s : m_scope) path += s + ".";
    path += v[3];
    for (std::size_t i = 4; i < v.size(); ++i) path += v[i];  // bit range, e.g. [7:0]
    const std::uint64_t key = id_key(v[2].data(), v[2].size());
    if (key == ~std::uint64_t{0}) fail(fmt::format("identifier code \"{}\" longer than 9 characters", v[2]));
    auto [it, fresh] = m_index.emplace(key, m_r.signals.size());
    if (fresh) {
      VcdSignal s;
      s.path = path;
      s.width = v[0] == "real" ? 1 : width;
      m_r.signals.push_back(std::move(s));
      m_value.emplace_back();
    } else {
      m_r.signals[it->second].aliases.push_back(path);
    }
  } else if (kw == "$timescale") {
    for (const auto& s : v) m_r.timescale += s;
  } else if (kw == "$enddefinitions") {
    m_defs_done = true;
  }
  // $date, $version, $comment: ignored.
}

void VcdToggleCounter::apply(std::size_t i, const char* bits, std::size_t n) {
  std::string& val = m_value[i];
  VcdSignal& sig = m_r.signals[i];
  const std::size_t w = static_cast<std::size_t>(sig.width);
  if (n > w) fail(fmt::format("value of {} has {} bits, declared {}", sig.path, n, w));
  if (n == 0) fail(fmt::format("empty value for {}", sig.path));
  const char first = static_cast<char>(bits[0] | 0x20);  // lower case
  const char fill = (first == 'x' || first == 'z') ? first : '0';
  const bool had = !val.empty();
  if (!had) val.assign(w, 'x');
  // '0' = 0x30 and '1' = 0x31: (c & 0xFE) == 0x30 tells a 0/1 bit in one test, so the loop
  // over wide vectors stays branch-light (waveforms of a full record are many GB of text).
  auto is01 = [](char c) { return (c & 0xFE) == 0x30; };
  std::uint64_t t = 0;
  const std::size_t ext = w - n;
  for (std::size_t k = 0; k < w; ++k) {
    char nb = k < ext ? fill : bits[k - ext];
    if (!is01(nb)) {
      nb = static_cast<char>(nb | 0x20);
      if (nb != 'x' && nb != 'z') fail(fmt::format("bad bit '{}' in a value of {}", nb, sig.path));
    }
    char& ob = val[k];
    t += static_cast<std::uint64_t>(is01(nb) & is01(ob) & (nb != ob));
    ob = nb;
  }
  if (had && m_counting) sig.toggles += t;
  ++m_r.value_changes;
}

void VcdToggleCounter::token(std::string& tok) {
  if (m_finished) fail("data after finish()");
  if (!m_section.empty()) {  // inside a $keyword ... $end
    if (tok == "$end") {
      std::string kw;
      kw.swap(m_section);
      header_section(kw, m_args);
      m_args.clear();
    } else {
      m_args.push_back(tok);
    }
    return;
  }
  if (!m_defs_done) {
    if (tok.size() > 1 && tok[0] == '$') {
      if (tok == "$end") fail("$end without a section");
      m_section = tok;
      return;
    }
    fail(fmt::format("unexpected \"{}\" in the header", tok));
  }
  if (!m_pending_value.empty()) {  // identifier of a vector or real value
    const std::size_t i = lookup(tok.data(), tok.size());
    if (m_pending_value[0] == 'r' || m_pending_value[0] == 'R') ++m_r.value_changes;  // no bits
    else apply(i, m_pending_value.data() + 1, m_pending_value.size() - 1);
    m_pending_value.clear();
    return;
  }
  const char c = tok[0];
  if (c == '#') {
    std::uint64_t t = 0;
    try {
      std::size_t used = 0;
      t = std::stoull(tok.substr(1), &used);
      if (used + 1 != tok.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      fail(fmt::format("bad timestamp \"{}\"", tok));
    }
    if (!m_have_time) m_r.first_time = t;
    if (m_have_time && t < m_r.last_time) fail(fmt::format("time goes backwards at {}", tok));
    m_r.last_time = t;
    m_have_time = true;
  } else if (c == '0' || c == '1' || c == 'x' || c == 'X' || c == 'z' || c == 'Z') {
    if (tok.size() < 2) fail(fmt::format("scalar change \"{}\" without identifier", tok));
    apply(lookup(tok.data() + 1, tok.size() - 1), tok.data(), 1);
  } else if (c == 'b' || c == 'B' || c == 'r' || c == 'R') {
    m_pending_value.swap(tok);  // tok is the caller's buffer: it is cleared after the call
  } else if (tok == "$dumpvars" || tok == "$dumpall") {
    m_counting = false;  // initial values: set the state, count nothing
  } else if (tok == "$end") {
    m_counting = true;
  } else if (tok == "$dumpon" || tok == "$dumpoff") {
    // $dumpoff sets everything to x and $dumpon restores: x transitions are not counted.
  } else if (tok == "$comment") {
    m_section = tok;
  } else {
    fail(fmt::format("unexpected \"{}\" in the value changes", tok));
  }
}

VcdToggles count_vcd_toggles(std::istream& in, const std::string& origin) {
  VcdToggleCounter counter(origin);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    counter.feed(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return counter.finish();
}

VcdToggles count_vcd_toggles_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open VCD", path));
  return count_vcd_toggles(in, path);
}

std::vector<BlockRule> parse_block_rules(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array())
    throw InputError(fmt::format("{}: block rules need a \"rules\" array", origin));
  std::vector<BlockRule> rules;
  for (const auto& r : j["rules"]) {
    if (!r.is_object() || !r.contains("block") || !r["block"].is_string() || !r.contains("match") ||
        !r["match"].is_string())
      throw InputError(fmt::format("{}: each rule needs string \"block\" and \"match\"", origin));
    BlockRule b;
    b.block = r["block"].get<std::string>();
    b.pattern = r["match"].get<std::string>();
    try {
      b.re = std::regex(b.pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw InputError(fmt::format("{}: rule \"{}\": bad regex ({})", origin, b.pattern, e.what()));
    }
    rules.push_back(std::move(b));
  }
  return rules;
}

std::vector<BlockRule> load_block_rules(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open block rules", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  return parse_block_rules(j, path);
}

std::map<std::string, double> toggles_by_block(const VcdToggles& v, const std::vector<BlockRule>& rules) {
  std::map<std::string, double> out;
  for (const auto& s : v.signals) {
    const BlockRule* hit = nullptr;
    for (const auto& r : rules) {
      if (std::regex_search(s.path, r.re)) {
        hit = &r;
        break;
      }
      for (const auto& a : s.aliases)
        if (std::regex_search(a, r.re)) {
          hit = &r;
          break;
        }
      if (hit) break;
    }
    out[hit ? hit->block : "unassigned"] += static_cast<double>(s.toggles);
  }
  return out;
}

}  // namespace ecg::power
