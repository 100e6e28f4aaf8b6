#pragma once
// Output files are written whole or not at all (docs: "no half-written output file"):
// reports, traces, npy exports, sweep results.
#include <string>

namespace ecg {

// Writes `content` to `path` through a temporary file and a rename, so a failure never
// leaves a half-written file. Throws InputError naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace ecg
