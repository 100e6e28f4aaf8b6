#include "ecg/atomic_file.h"

#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg {

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(fmt::format("{}: cannot write file", path));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      std::remove(tmp.c_str());
      throw InputError(fmt::format("{}: write failed", path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(fmt::format("{}: cannot write file", path));
  }
}

}  // namespace ecg
