#include "first_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "ecg/data.h"

extern char** environ;

#ifndef ECG_SIM_SOURCE_DIR
#define ECG_SIM_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;

namespace ecg {

// Hand-written (posix_spawn): the sweep runner's spawning is tied to its logs and timeouts.
int run_program(const std::vector<std::string>& args, std::string* captured) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2] = {-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (captured) {
    if (::pipe(fds) != 0) return -1;
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (captured) {
    ::close(fds[1]);
    char buf[4096];
    ssize_t n = 0;
    while (rc == 0 && (n = ::read(fds[0], buf, sizeof buf)) > 0) captured->append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
  }
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string last_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  const auto nl = s.find_last_of('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

namespace {

bool is_yes(std::string answer) {
  answer.erase(std::remove_if(answer.begin(), answer.end(), [](unsigned char c) { return std::isspace(c); }),
               answer.end());
  std::transform(answer.begin(), answer.end(), answer.begin(), [](unsigned char c) { return std::tolower(c); });
  return answer.empty() || answer == "y" || answer == "yes";
}

}  // namespace

std::string fetch_after_miss(const InputError& miss, const DataFetch& how, std::istream& in, std::ostream& err) {
  if (!how.download && !how.interactive) throw miss;
  if (::access(how.downloader.c_str(), X_OK) != 0)
    throw InputError(fmt::format("{} (and the downloader {} cannot be run)", miss.what(), how.downloader));
  std::string check_err;
  const int check = run_program({how.downloader, "--check", how.dest}, &check_err);
  if (check != 0)
    throw InputError(check_err.empty() ? fmt::format("{} --check failed (exit {})", how.downloader, check)
                                       : last_line(check_err));
  if (!how.download) {
    err << "ecg_sim: no MIT-BIH data found. Download the MIT-BIH Arrhythmia Database from PhysioNet into "
        << how.dest << " (48 records, about 100 MB, SHA-256 checked)? [Y/n] " << std::flush;
    std::string answer;
    if (!std::getline(in, answer) || !is_yes(answer)) throw miss;
  }
  const int rc = run_program({how.downloader, how.dest}, nullptr);
  if (rc != 0)
    throw InputError(fmt::format("downloading MIT-BIH into {} failed (exit {}); rerun to resume, or pass --data DIR",
                                 how.dest, rc));
  if (!fs::is_regular_file(fs::path(how.dest) / "100.hea"))
    throw InputError(fmt::format("{}: the download finished but record 100 is not there", how.dest));
  return how.dest;
}

std::string find_or_fetch_data(const std::string& cli_data, bool download_flag) {
  try {
    return resolve_data_dir(cli_data);
  } catch (const InputError& miss) {
    const char* env = std::getenv("ECG_SIM_DATA");
    if (cli_data.empty() && env && *env) throw;  // a wrong $ECG_SIM_DATA: the user's to fix
    DataFetch how;
    how.download = download_flag;
    how.interactive = cli_data.empty() && ::isatty(0) && ::isatty(2);
    const char* fake = std::getenv("ECG_SIM_DOWNLOADER");
    how.downloader = fake && *fake ? fake : std::string(ECG_SIM_SOURCE_DIR) + "/scripts/download_mitdb.sh";
    how.dest = cli_data.empty() ? std::string(ECG_SIM_SOURCE_DIR) + "/data/mitdb" : cli_data;
    return fetch_after_miss(miss, how, std::cin, std::cerr);
  }
}

}  // namespace ecg
