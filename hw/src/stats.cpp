#include "ecg/hw/stats.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ecg {

StatsRegistry::Counter& StatsRegistry::counter(const std::string& name,
                                               const std::string& description) {
  if (m_checks.count(name)) throw std::logic_error("stats counter " + name + " is a check counter");
  auto it = m_index.find(name);
  if (it != m_index.end()) return *it->second;  // shared: the first description is kept
  m_counters.push_back(Counter{name, description, 0});
  m_index[name] = &m_counters.back();
  return m_counters.back();
}

StatsRegistry::Counter& StatsRegistry::check_counter(const std::string& name, const std::string& description) {
  if (m_index.count(name)) throw std::logic_error("stats counter " + name + " is an activity counter");
  auto it = m_checks.find(name);
  if (it != m_checks.end()) return *it->second;
  m_counters.push_back(Counter{name, description, 0});
  m_checks[name] = &m_counters.back();
  return m_counters.back();
}

std::uint64_t StatsRegistry::value(const std::string& name) const {
  if (auto it = m_index.find(name); it != m_index.end()) return it->second->value;
  if (auto it = m_checks.find(name); it != m_checks.end()) return it->second->value;
  throw std::logic_error("unknown stats counter: " + name);
}

std::uint64_t StatsRegistry::sum(const std::string& prefix) const {
  std::uint64_t s = 0;
  for (auto it = m_index.lower_bound(prefix); it != m_index.end() && it->first.rfind(prefix, 0) == 0; ++it)
    s += it->second->value;
  return s;
}

void StatsRegistry::reset() {
  for (auto& c : m_counters) c.value = 0;
}

nlohmann::json StatsRegistry::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, c] : m_index) j[name] = c->value;
  return j;
}

std::string StatsRegistry::to_text() const {
  std::size_t w = 8;
  for (const auto& [name, c] : m_index) w = std::max(w, name.size());
  std::string out;
  for (const auto& [name, c] : m_index)
    out += fmt::format("{:<{}}  {:>16}  {}\n", name, w, c->value, c->description);
  return out;
}

}  // namespace ecg
