#pragma once
// Minimal NumPy .npy (format 1.0) writer for the training export. Hand-written because
// Debian has no C++ npy library (cnpy/xtensor-io are not packaged); the format is a short
// ASCII header followed by raw little-endian data.
#include <cstdint>
#include <string>
#include <vector>

namespace ecg {

// Writes a 1-D or 2-D array (shape {n} or {n, m}) of int32 or int64 atomically
// (write_file_atomic, ecg/atomic_file.h).
void write_npy(const std::string& path, const std::vector<std::int32_t>& data, const std::vector<std::size_t>& shape);
void write_npy(const std::string& path, const std::vector<std::int64_t>& data, const std::vector<std::size_t>& shape);

}  // namespace ecg
