#pragma once
// Helpers for tests that need MIT-BIH data or scratch copies of it.
#include <filesystem>
#include <string>

namespace ecg::test {

// The MIT-BIH directory the tests read: $ECG_SIM_DATA, else ECG_TEST_DATA (the build's link to
// data/mitdb or ../shared/mitdb). Throws, with one line saying how to get the data, if it has none.
std::string data_dir();

// A fresh temporary directory, removed by the destructor. Corrupted copies of records
// are made here; the data folder itself is never written.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  // Copies <data>/<record>.{hea,dat,atr} here.
  void copy_record(const std::string& record) const;
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace ecg::test
