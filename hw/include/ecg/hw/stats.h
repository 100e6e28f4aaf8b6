#pragma once
// Stats registry (ramulator2 style): counters are registered by name once, by the module
// that owns them (name = module path + counter, e.g. "engine.mac.int8x4",
// "mem.weight.read.32b"), incremented during simulation and dumped at the end. The power
// model consumes exactly these activity names. Check counters (check_counter(): e.g. the
// RTL engine's beats compared and output mismatches) live in the same registry but are not
// activity: to_json(), all() and sum() leave them out. Pure C++, no SystemC.
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ecg {

class StatsRegistry {
 public:
  struct Counter {
    std::string name;
    std::string description;
    std::uint64_t value = 0;
    void add(std::uint64_t n) { value += n; }
  };

  // Registers a counter, or returns the existing one of that name (modules that count the
  // same thing share it, e.g. bus-side and engine-side SRAM reads of one width; the first
  // description is kept). The reference stays valid for the registry's life.
  Counter& counter(const std::string& name, const std::string& description);
  // Registers (or returns) a check counter: verification totals, not hardware activity.
  Counter& check_counter(const std::string& name, const std::string& description);

  bool has(const std::string& name) const { return m_index.count(name) != 0 || m_checks.count(name) != 0; }
  // Value of a counter (activity or check); unknown names are a programming error
  // (std::logic_error).
  std::uint64_t value(const std::string& name) const;
  // Sum of all counters whose name starts with `prefix`.
  std::uint64_t sum(const std::string& prefix) const;
  void reset();  // every value back to 0

  // {"name": value, ...} in name order, and a text table (name, value, description).
  nlohmann::json to_json() const;
  std::string to_text() const;
  const std::map<std::string, Counter*>& all() const { return m_index; }

 private:
  std::deque<Counter> m_counters;  // stable addresses
  std::map<std::string, Counter*> m_index;   // activity
  std::map<std::string, Counter*> m_checks;  // check counters
};

}  // namespace ecg
