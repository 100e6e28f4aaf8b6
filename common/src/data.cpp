#include "ecg/data.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "ecg/error.h"
#include "ecg/wfdb.h"

namespace fs = std::filesystem;

namespace ecg {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

const std::map<std::string, std::string>& named_sets() {
  static const std::map<std::string, std::string> sets = {
      {"all",
       "100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 117 118 119 121 122 123 124 200 201 202 "
       "203 205 207 208 209 210 212 213 214 215 217 219 220 221 222 223 228 230 231 232 233 234"},
      // de Chazal, O'Dwyer, Reilly, IEEE TBME 51(7) 2004: paced records 102 104 107 217 excluded.
      {"ds1", "101 106 108 109 112 114 115 116 118 119 122 124 201 203 205 207 208 209 215 220 223 230"},
      {"ds2", "100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234"},
      {"paced", "102 104 107 217"},
      // Records whose rhythm annotations contain atrial fibrillation episodes ("(AFIB").
      {"afib", "201 202 203 210 217 219 221 222"},
  };
  return sets;
}

}  // namespace

std::vector<std::string> record_set(const std::string& name) {
  auto it = named_sets().find(name);
  if (it == named_sets().end()) return {};
  return split(it->second, ' ');
}

namespace {
// The error_code overloads: a name the OS refuses (too long, bad bytes) is "not there",
// never a filesystem_error escaping as an internal error.
bool is_dir(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}
}  // namespace

std::string resolve_data_dir(const std::string& cli_value) {
  if (!cli_value.empty()) {
    if (!is_dir(cli_value)) throw InputError(fmt::format("--data {}: no such directory", shorten(cli_value, 200)));
    return cli_value;
  }
  if (const char* env = std::getenv("ECG_SIM_DATA"); env && *env) {
    if (!is_dir(env)) throw InputError(fmt::format("$ECG_SIM_DATA={}: no such directory", shorten(env, 200)));
    return env;
  }
  std::vector<std::string> candidates = {"data/mitdb", "../shared/mitdb"};
#ifdef ECG_SIM_SOURCE_DIR
  candidates.push_back(std::string(ECG_SIM_SOURCE_DIR) + "/data/mitdb");
  candidates.push_back(std::string(ECG_SIM_SOURCE_DIR) + "/../shared/mitdb");
#endif
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(c) / "100.hea", ec)) return c;
  }
  throw InputError(
      "no MIT-BIH data found: pass --data DIR, set $ECG_SIM_DATA, or run scripts/download_mitdb.sh "
      "(looked in data/mitdb and ../shared/mitdb)");
}

std::vector<std::string> resolve_records(const std::string& spec, const std::string& data_dir, const std::string& flag) {
  constexpr std::size_t kMaxName = 200;  // file names are at most 255 bytes with ".hea" and others
  std::vector<std::string> records = record_set(spec);
  if (records.empty()) {
    records = split(spec, ',');
    if (records.empty()) throw InputError(fmt::format("{}: empty record list", flag));
    for (const auto& r : records) {
      if (r.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") != std::string::npos)
        throw InputError(fmt::format("{}: '{}' is neither a record name nor a set (all, ds1, ds2, paced, afib)", flag,
                                     shorten(r)));
      if (r.size() > kMaxName)
        throw InputError(fmt::format("{}: record name '{}' is too long (at most {} characters)", flag, shorten(r, 40),
                                     kMaxName));
    }
  }
  for (const auto& r : records) {
    const std::string hea = (fs::path(data_dir) / (r + ".hea")).string();
    std::error_code ec;
    if (!fs::exists(hea, ec)) throw InputError(fmt::format("record {}: {} not found", r, hea));
    disk_files().size(hea);  // a directory, FIFO or device: a one-line error naming it
  }
  return records;
}

}  // namespace ecg
