#include "ecg/npy.h"

#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "ecg/atomic_file.h"
#include "ecg/error.h"

namespace ecg {
namespace {

template <typename T>
std::string npy_bytes(const std::vector<T>& data, const std::vector<std::size_t>& shape, const char* descr) {
  std::size_t count = 1;
  for (auto d : shape) count *= d;
  if (count != data.size()) throw std::logic_error("write_npy: shape does not match data size");
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  // Little-endian data: x86-64 and arm64 hosts are little-endian.
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(T));
  return out;
}

}  // namespace

void write_npy(const std::string& path, const std::vector<std::int32_t>& data, const std::vector<std::size_t>& shape) {
  write_file_atomic(path, npy_bytes(data, shape, "<i4"));
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& data, const std::vector<std::size_t>& shape) {
  write_file_atomic(path, npy_bytes(data, shape, "<i8"));
}

}  // namespace ecg
