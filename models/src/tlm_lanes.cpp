#include "ecg/models/tlm_lanes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "ecg/atomic_file.h"

namespace ecg {
namespace {

struct Lane {
  const char* id;
  const char* name;
  int width;
};
constexpr Lane kLanes[] = {{"~~~~a", "beat_id", 32},     {"~~~~b", "dma_busy", 1},
                           {"~~~~c", "engine_busy", 1},  {"~~~~d", "queue_depth", 16},
                           {"~~~~e", "irq", 1},          {"~~~~f", "result_class", 8},
                           {"~~~~g", "latency_cycles", 32}};
enum LaneIndex { kBeat, kDma, kEngine, kQueue, kIrq, kClass, kLatency, kNumLanes };

std::string change(int lane, std::uint64_t v) {
  const Lane& l = kLanes[lane];
  if (l.width == 1) return fmt::format("{}{}", v ? 1 : 0, l.id);
  std::string bits;
  for (int b = l.width - 1; b >= 0; --b)
    if (!bits.empty() || ((v >> b) & 1u) || b == 0) bits += ((v >> b) & 1u) ? '1' : '0';
  return fmt::format("b{} {}", bits, l.id);
}

std::uint64_t ps(const sc_core::sc_time& t) { return static_cast<std::uint64_t>(t.to_seconds() * 1e12 + 0.5); }

}  // namespace

std::string tlm_lane_vars() {
  std::string s = "$scope module tlm $end\n";
  for (const Lane& l : kLanes)
    s += l.width == 1 ? fmt::format("$var wire 1 {} {} $end\n", l.id, l.name)
                      : fmt::format("$var wire {} {} {} [{}:0] $end\n", l.width, l.id, l.name, l.width - 1);
  return s + "$upscope $end\n";
}

std::vector<VcdLaneChange> tlm_lane_changes(const PlatformResult& r) {
  // Events: counters (+1/-1) for the busy/queue lanes, values for the others.
  struct Event {
    std::uint64_t t;
    int lane;
    long long delta;      // counter lanes
    std::uint64_t value;  // value lanes
    bool set;
  };
  std::vector<Event> ev;
  const double period_s = r.clock_mhz > 0 ? 1e-6 / r.clock_mhz : 0;
  for (std::size_t i = 0; i < r.trace.size(); ++i) {
    const BeatTrace& t = r.trace[i];
    if (!t.done) continue;
    ev.push_back({ps(t.t_avail), kQueue, +1, 0, false});
    ev.push_back({ps(t.t_dma), kQueue, -1, 0, false});
    ev.push_back({ps(t.t_dma), kDma, +1, 0, false});
    ev.push_back({ps(t.t_req), kDma, -1, 0, false});
    ev.push_back({ps(t.t_start), kEngine, +1, 0, false});
    ev.push_back({ps(t.t_start), kBeat, 0, i, true});
    ev.push_back({ps(t.t_done), kEngine, -1, 0, false});
    ev.push_back({ps(t.t_done), kIrq, +1, 0, false});
    ev.push_back({ps(t.t_host), kIrq, -1, 0, false});
    ev.push_back({ps(t.t_host), kClass, 0, static_cast<std::uint64_t>(std::max(0, t.cls)), true});
    const sc_core::sc_time service = (t.t_req - t.t_dma) + (t.t_host - t.t_start);  // as BeatOutcome::cycles
    ev.push_back({ps(t.t_host), kLatency, 0,
                  period_s > 0 ? static_cast<std::uint64_t>(service.to_seconds() / period_s + 0.5) : 0, true});
  }
  // At one time, ends before starts (a lane that ends and restarts stays busy).
  std::stable_sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) {
    return a.t != b.t ? a.t < b.t : a.delta < b.delta;
  });
  std::vector<VcdLaneChange> out;
  long long count[kNumLanes] = {};
  std::uint64_t shown[kNumLanes] = {};
  for (int l = 0; l < kNumLanes; ++l) out.push_back({0, change(l, 0)});
  std::size_t i = 0;
  while (i < ev.size()) {
    const std::uint64_t t = ev[i].t;
    std::uint64_t now[kNumLanes];
    std::copy(shown, shown + kNumLanes, now);
    for (; i < ev.size() && ev[i].t == t; ++i) {
      const Event& e = ev[i];
      if (e.set) {
        now[e.lane] = e.value;
      } else {
        count[e.lane] += e.delta;
        now[e.lane] = static_cast<std::uint64_t>(std::max(0LL, count[e.lane]));
      }
    }
    for (int l = 0; l < kNumLanes; ++l) {
      if (l == kDma || l == kEngine || l == kIrq) now[l] = now[l] > 0 ? 1 : 0;
      if (now[l] != shown[l]) {
        out.push_back({t, change(l, now[l])});
        shown[l] = now[l];
      }
    }
  }
  return out;
}

void write_tlm_lanes_vcd(const std::string& path, const PlatformResult& r) {
  std::string s = "$timescale 1ps $end\n" + tlm_lane_vars() + "$enddefinitions $end\n";
  std::uint64_t last = ~std::uint64_t{0};
  for (const VcdLaneChange& c : tlm_lane_changes(r)) {
    if (c.t_ps != last) s += fmt::format("#{}\n", c.t_ps);
    last = c.t_ps;
    s += c.line + "\n";
  }
  write_file_atomic(path, s);
}

namespace {
// The id of a VCD value change line ("1!", "b101 !", "r1.5 !"), "" for other lines.
std::string change_id(const std::string& line) {
  if (line.empty()) return "";
  const char c = line[0];
  if (c == 'b' || c == 'B' || c == 'r' || c == 'R') {
    const std::size_t sp = line.find(' ');
    return sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  if (c == '0' || c == '1' || c == 'x' || c == 'X' || c == 'z' || c == 'Z') return line.substr(1);
  return "";
}
}  // namespace

void merge_tlm_lanes_into_vcd(const std::string& path, const PlatformResult& r, int depth) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("tlm lanes: cannot read " + path);
  const std::string tmp = path + ".tmp";
  std::ofstream out(tmp);
  if (!out) throw std::runtime_error("tlm lanes: cannot write " + tmp);
  const std::vector<VcdLaneChange> lanes = tlm_lane_changes(r);
  std::string line;
  bool vars_done = false;
  int level = 0;                  // scope depth in the file's header
  std::set<std::string> dropped;  // ids of the signals --trace-depth leaves out
  // Header: the lanes' declarations before the first $scope of the RTL.
  while (std::getline(in, line)) {
    const std::size_t lead = line.find_first_not_of(" \t");
    const bool scope = lead != std::string::npos && line.compare(lead, 6, "$scope") == 0;
    if (!vars_done && (scope || line.find("$enddefinitions") != std::string::npos)) {
      out << tlm_lane_vars();
      vars_done = true;
    }
    if (scope) ++level;
    if (lead != std::string::npos && line.compare(lead, 8, "$upscope") == 0) --level;
    if (depth > 0 && lead != std::string::npos && line.compare(lead, 4, "$var") == 0 && level > depth + 1) {
      std::istringstream ls(line);
      std::string var, type, width, id;
      ls >> var >> type >> width >> id;
      dropped.insert(id);
      continue;
    }
    out << line << '\n';
    if (line.find("$enddefinitions") != std::string::npos) break;
  }
  auto keep = [&](const std::string& l) { return dropped.empty() || !dropped.count(change_id(l)); };
  // Body: merge by time. Lane changes before the file's first time are folded into it.
  std::size_t k = 0;
  bool started = false;
  auto emit_until = [&](std::uint64_t t, bool inclusive) {
    while (k < lanes.size() && (lanes[k].t_ps < t || (inclusive && lanes[k].t_ps == t))) {
      out << lanes[k].line << '\n';
      ++k;
    }
  };
  std::uint64_t t_last = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') {
      const std::uint64_t t = std::stoull(line.substr(1));
      if (!started) {
        out << line << '\n';  // first time of the file: the lanes' state there
        emit_until(t, true);
        started = true;
      } else {
        // lane changes strictly between the previous and this time, at their own times
        while (k < lanes.size() && lanes[k].t_ps < t) {
          const std::uint64_t tl = lanes[k].t_ps;
          out << '#' << tl << '\n';
          emit_until(tl, true);
        }
        out << line << '\n';
        emit_until(t, true);
      }
      t_last = t;
      continue;
    }
    if (keep(line)) out << line << '\n';
  }
  (void)t_last;  // changes after the file's last time are left out (the window ends there)
  out.close();
  if (!out) {
    std::filesystem::remove(tmp);
    throw std::runtime_error("tlm lanes: writing " + tmp + " failed");
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace ecg
