#include "ecg/power/vcd.h"

#include <fstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecg/error.h"

namespace ecg::power {
namespace {

// Whitespace-separated tokens of a stream, with the line number for messages.
class Tokenizer {
 public:
  Tokenizer(std::istream& in, const std::string& origin) : m_in(in), m_origin(origin) {
    m_buf.resize(1 << 20);
  }
  // Next token into `tok`; false at end of input.
  bool next(std::string& tok) {
    tok.clear();
    int c;
    while ((c = get()) != EOF && is_space(c)) {
    }
    if (c == EOF) return false;
    m_tok_line = m_line;
    do {
      tok.push_back(static_cast<char>(c));
    } while ((c = get()) != EOF && !is_space(c));
    return true;
  }
  std::string need(const char* what) {
    std::string t;
    if (!next(t)) fail(fmt::format("unexpected end of file (expected {})", what));
    return t;
  }
  // Tokens up to and including "$end"; returns them without the "$end".
  std::vector<std::string> until_end(const char* what) {
    std::vector<std::string> v;
    std::string t;
    for (;;) {
      if (!next(t)) fail(fmt::format("unterminated {} (no $end)", what));
      if (t == "$end") return v;
      v.push_back(t);
    }
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(fmt::format("{}:{}: {}", m_origin, m_tok_line, msg));
  }

 private:
  static bool is_space(int c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
  int get() {
    if (m_pos == m_len) {
      m_in.read(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
      m_len = static_cast<std::size_t>(m_in.gcount());
      m_pos = 0;
      if (m_len == 0) return EOF;
    }
    const char c = m_buf[m_pos++];
    if (c == '\n') ++m_line;
    return static_cast<unsigned char>(c);
  }
  std::istream& m_in;
  std::string m_origin;
  std::vector<char> m_buf;
  std::size_t m_pos = 0, m_len = 0;
  std::uint64_t m_line = 1, m_tok_line = 1;  // current line, line of the last token
};

struct State {
  std::string value;  // MSB first, width chars of 0 1 x z; empty = no value yet
};

}  // namespace

std::uint64_t VcdToggles::total_toggles() const {
  std::uint64_t n = 0;
  for (const auto& s : signals) n += s.toggles;
  return n;
}

VcdToggles count_vcd_toggles(std::istream& in, const std::string& origin) {
  VcdToggles r;
  r.origin = origin;
  Tokenizer tk(in, origin);
  std::unordered_map<std::string, std::size_t> index;  // identifier code -> signal
  std::vector<State> state;
  std::vector<std::string> scope;
  std::string tok;
  bool defs_done = false;
  while (!defs_done) {
    if (!tk.next(tok)) tk.fail("no $enddefinitions");
    if (tok == "$scope") {
      auto v = tk.until_end("$scope");
      if (v.size() < 2) tk.fail("$scope needs a type and a name");
      scope.push_back(v[1]);
    } else if (tok == "$upscope") {
      tk.until_end("$upscope");
      if (scope.empty()) tk.fail("$upscope without $scope");
      scope.pop_back();
    } else if (tok == "$var") {
      auto v = tk.until_end("$var");
      if (v.size() < 4) tk.fail("$var needs type, size, identifier and name");
      int width = 0;
      try {
        width = std::stoi(v[1]);
      } catch (const std::exception&) {
        tk.fail(fmt::format("$var size \"{}\" is not a number", v[1]));
      }
      if (width <= 0) tk.fail(fmt::format("$var size {} must be > 0", width));
      std::string path;
      for (const auto& s : scope) path += s + ".";
      path += v[3];
      for (std::size_t i = 4; i < v.size(); ++i) path += v[i];  // bit range, e.g. [7:0]
      auto [it, fresh] = index.emplace(v[2], r.signals.size());
      if (fresh) {
        VcdSignal s;
        s.path = path;
        s.width = v[0] == "real" ? 1 : width;
        r.signals.push_back(std::move(s));
        state.emplace_back();
      } else {
        r.signals[it->second].aliases.push_back(path);
      }
    } else if (tok == "$timescale") {
      auto v = tk.until_end("$timescale");
      for (const auto& s : v) r.timescale += s;
    } else if (tok == "$enddefinitions") {
      tk.until_end("$enddefinitions");
      defs_done = true;
    } else if (tok.size() > 1 && tok[0] == '$') {
      tk.until_end(tok.c_str());  // $date, $version, $comment, ...
    } else {
      tk.fail(fmt::format("unexpected \"{}\" in the header", tok));
    }
  }
  bool counting = true;  // false inside $dumpvars (initial values)
  bool have_time = false;
  auto lookup = [&](const std::string& id) -> std::size_t {
    auto it = index.find(id);
    if (it == index.end()) tk.fail(fmt::format("value change for undeclared identifier \"{}\"", id));
    return it->second;
  };
  auto apply = [&](std::size_t i, const char* bits, std::size_t n) {
    State& s = state[i];
    VcdSignal& sig = r.signals[i];
    const std::size_t w = static_cast<std::size_t>(sig.width);
    if (n > w) tk.fail(fmt::format("value of {} has {} bits, declared {}", sig.path, n, w));
    const char fill = (n > 0 && (bits[0] == 'x' || bits[0] == 'X' || bits[0] == 'z' || bits[0] == 'Z'))
                          ? static_cast<char>(bits[0] | 0x20)
                          : '0';
    const bool had = !s.value.empty();
    if (!had) s.value.assign(w, 'x');
    std::uint64_t t = 0;
    for (std::size_t k = 0; k < w; ++k) {
      char nb = k < w - n ? fill : static_cast<char>(bits[k - (w - n)] | 0x20);  // lower case
      if (nb != '0' && nb != '1' && nb != 'x' && nb != 'z')
        tk.fail(fmt::format("bad bit '{}' in a value of {}", nb, sig.path));
      char& ob = s.value[k];
      if (had && ob != nb && (ob == '0' || ob == '1') && (nb == '0' || nb == '1')) ++t;
      ob = nb;
    }
    if (counting) sig.toggles += t;
    ++r.value_changes;
  };
  while (tk.next(tok)) {
    const char c = tok[0];
    if (c == '#') {
      std::uint64_t t = 0;
      try {
        t = std::stoull(tok.substr(1));
      } catch (const std::exception&) {
        tk.fail(fmt::format("bad timestamp \"{}\"", tok));
      }
      if (!have_time) r.first_time = t;
      if (have_time && t < r.last_time) tk.fail(fmt::format("time goes backwards at {}", tok));
      r.last_time = t;
      have_time = true;
    } else if (c == '0' || c == '1' || c == 'x' || c == 'X' || c == 'z' || c == 'Z') {
      if (tok.size() < 2) tk.fail(fmt::format("scalar change \"{}\" without identifier", tok));
      apply(lookup(tok.substr(1)), tok.data(), 1);
    } else if (c == 'b' || c == 'B') {
      const std::string id = tk.need("identifier after a vector value");
      apply(lookup(id), tok.data() + 1, tok.size() - 1);
    } else if (c == 'r' || c == 'R') {
      lookup(tk.need("identifier after a real value"));  // reals carry no bit toggles
      ++r.value_changes;
    } else if (tok == "$dumpvars" || tok == "$dumpall") {
      counting = false;
    } else if (tok == "$end") {
      counting = true;
    } else if (tok == "$dumpon" || tok == "$dumpoff") {
      // $dumpoff sets everything to x and $dumpon restores: x transitions are not counted.
    } else if (tok == "$comment") {
      tk.until_end("$comment");
    } else {
      tk.fail(fmt::format("unexpected \"{}\" in the value changes", tok));
    }
  }
  return r;
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
