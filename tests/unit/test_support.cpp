#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ecg::test {

std::string data_dir() {
  // ECG_TEST_DATA is <build>/mitdb, the link each build and ctest run point at the first of
  // $ECG_SIM_DATA, data/mitdb, ../shared/mitdb (tests/repo/test_data_link.cpp); $ECG_SIM_DATA
  // still comes first when the test binary is run by hand.
  const char* env = std::getenv("ECG_SIM_DATA");
  const std::string dir = env && *env ? env : ECG_TEST_DATA;
  if (!fs::is_regular_file(fs::path(dir) / "100.hea"))
    throw std::runtime_error("no MIT-BIH data in " + dir +
                             ": run scripts/download_mitdb.sh (fills data/mitdb) or set $ECG_SIM_DATA, then rerun");
  return dir;
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
