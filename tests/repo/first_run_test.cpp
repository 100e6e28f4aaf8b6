// The first-run logic of sim/first_run.h with fake downloaders (no network in CI): when to
// ask, what an answer does, and that every failure is one line (InputError, exit 2).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "first_run.h"

namespace fs = std::filesystem;

namespace {

class FirstRun : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("ecg_first_run_" + std::to_string(std::random_device{}()));
    fs::create_directories(m_dir);
    m_how.downloader = (m_dir / "fake_download.sh").string();
    m_how.dest = (m_dir / "data" / "mitdb").string();
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // A fake downloader: logs each call; `--check` runs CHECK, a download runs GET.
  void fake(const std::string& check, const std::string& get) {
    std::ofstream(m_how.downloader) << "#!/bin/sh\necho \"$*\" >>'" << log() << "'\n"
                                    << "if [ \"$1\" = --check ]; then " << check << "; fi\n"
                                    << get << "\n";
    ::chmod(m_how.downloader.c_str(), 0755);
  }
  std::string log() const { return (m_dir / "calls.log").string(); }
  std::string calls() const {
    std::ifstream in(log());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static constexpr const char* kOk = "exit 0";
  static constexpr const char* kGet = "mkdir -p \"$1\" && echo '100 1 360 650000' >\"$1/100.hea\"";

  std::string fetch(const std::string& answer) {
    std::istringstream in(answer);
    return ecg::fetch_after_miss(m_miss, m_how, in, m_err);
  }
  // The message of the InputError fetch() throws ("" if none).
  std::string fetch_error(const std::string& answer) {
    try {
      fetch(answer);
    } catch (const ecg::InputError& e) {
      return e.what();
    }
    return "";
  }

  fs::path m_dir;
  ecg::DataFetch m_how;
  ecg::InputError m_miss{"no MIT-BIH data found: pass --data DIR, set $ECG_SIM_DATA, or run scripts/download_mitdb.sh"};
  std::ostringstream m_err;
};

TEST_F(FirstRun, PipedAndNoFlagStaysTheOneLineErrorAndRunsNothing) {
  fake(kOk, kGet);
  EXPECT_EQ(fetch_error("y\n"), m_miss.what());
  EXPECT_EQ(calls(), "");
  EXPECT_EQ(m_err.str(), "");
}

TEST_F(FirstRun, FlagDownloadsWithoutAsking) {
  fake(kOk, kGet);
  m_how.download = true;
  EXPECT_EQ(fetch(""), m_how.dest);
  EXPECT_TRUE(fs::is_regular_file(fs::path(m_how.dest) / "100.hea"));
  EXPECT_EQ(calls(), "--check " + m_how.dest + "\n" + m_how.dest + "\n");
  EXPECT_EQ(m_err.str(), "");
}

TEST_F(FirstRun, TerminalAsksAndYesOrEnterDownloads) {
  fake(kOk, kGet);
  m_how.interactive = true;
  for (const char* answer : {"y\n", "\n", " YES \n"}) {
    fs::remove_all(m_how.dest);
    m_err.str("");
    EXPECT_EQ(fetch(answer), m_how.dest) << answer;
    EXPECT_NE(m_err.str().find("Download the MIT-BIH Arrhythmia Database from PhysioNet into " + m_how.dest),
              std::string::npos) << m_err.str();
    EXPECT_NE(m_err.str().find("[Y/n]"), std::string::npos);
  }
}

TEST_F(FirstRun, TerminalNoOrEndOfInputKeepsTheErrorAndDownloadsNothing) {
  fake(kOk, kGet);
  m_how.interactive = true;
  EXPECT_EQ(fetch_error("n\n"), m_miss.what());
  EXPECT_EQ(fetch_error(""), m_miss.what());  // stdin closed
  EXPECT_EQ(fetch_error("maybe\n"), m_miss.what());
  EXPECT_FALSE(fs::exists(m_how.dest));
  EXPECT_EQ(calls().find(m_how.dest + "\n" + m_how.dest), std::string::npos) << "a download ran: " << calls();
}

TEST_F(FirstRun, NoNetworkIsOneLineWithoutAsking) {
  fake("echo 'download_mitdb.sh: cannot reach https://physionet.org/files/mitdb/1.0.0 (no network?)' >&2; exit 2", kGet);
  for (bool interactive : {true, false}) {
    m_how.interactive = interactive;
    m_how.download = !interactive;
    EXPECT_EQ(fetch_error("y\n"), "download_mitdb.sh: cannot reach https://physionet.org/files/mitdb/1.0.0 (no network?)");
    EXPECT_EQ(m_err.str(), "") << "asked although the download cannot work";
  }
  EXPECT_FALSE(fs::exists(m_how.dest));
}

TEST_F(FirstRun, FailedOrEmptyDownloadIsAnInputError) {
  m_how.download = true;
  fake(kOk, "exit 2");
  EXPECT_NE(fetch_error("").find("downloading MIT-BIH into " + m_how.dest + " failed (exit 2)"), std::string::npos);
  fake(kOk, "mkdir -p \"$1\"");
  EXPECT_EQ(fetch_error(""), m_how.dest + ": the download finished but record 100 is not there");
  m_how.downloader = (m_dir / "missing.sh").string();
  EXPECT_NE(fetch_error("").find("the downloader " + m_how.downloader + " cannot be run"), std::string::npos);
}

}  // namespace
