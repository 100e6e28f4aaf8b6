#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace ecg::test {

std::string data_dir() {
  if (const char* env = std::getenv("ECG_SIM_DATA"); env && *env) return env;
  return ECG_TEST_DATA;
}

TempDir::TempDir() {
  std::random_device rd;
  m_path = fs::temp_directory_path() / ("ecg_sim_test_" + std::to_string(rd()));
  fs::create_directories(m_path);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

void TempDir::copy_record(const std::string& record) const {
  for (const char* ext : {".hea", ".dat", ".atr"})
    fs::copy_file(fs::path(data_dir()) / (record + ext), m_path / (record + ext), fs::copy_options::overwrite_existing);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace ecg::test
