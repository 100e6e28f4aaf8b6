#include "ecg/models/engine_if.h"

#include <map>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg {
namespace {
std::map<std::string, EngineFactory>& registry() {
  static std::map<std::string, EngineFactory> r;
  return r;
}
}  // namespace

void register_engine(const std::string& kind, EngineFactory factory) {
  registry()[kind] = std::move(factory);
}

std::vector<std::string> engine_kinds() {
  std::vector<std::string> k;
  for (const auto& [name, f] : registry()) k.push_back(name);
  return k;
}

std::unique_ptr<engine_base> make_engine(const std::string& kind, const char* instance_name,
                                         const EngineContext& ctx) {
  auto it = registry().find(kind);
  if (it == registry().end()) {
    std::string known;
    for (const auto& k : engine_kinds()) known += (known.empty() ? "" : ", ") + k;
    throw InputError(fmt::format("engine kind \"{}\" is not available (built: {})", kind, known));
  }
  return it->second(instance_name, ctx);
}

}  // namespace ecg
