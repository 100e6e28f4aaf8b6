#pragma once
// First run on a machine without MIT-BIH: instead of stopping with "no MIT-BIH data found",
// ecg_sim offers (on a terminal) to fetch the database with scripts/download_mitdb.sh
// (PhysioNet, progress, SHA-256 check) and then goes on; `--download-data` fetches without
// asking. Without a terminal and without the flag, or without a network, it stays one line
// and exit 2 (an InputError).
#include <iosfwd>
#include <string>
#include <vector>

#include "ecg/error.h"

namespace ecg {

// Runs `args` (args[0]: the program's path) with stdin/stdout inherited; stderr inherited
// too, or captured into *captured. Returns the exit status (128 + signal when killed), or -1
// when it could not start. (Also used by `ecg_sim import` to run the Python importer.)
int run_program(const std::vector<std::string>& args, std::string* captured);
// The last non-empty line of a program's output.
std::string last_line(std::string s);

struct DataFetch {
  bool download = false;     // --download-data: fetch without asking
  bool interactive = false;  // stdin and stderr are terminals: ask first
  std::string downloader;    // run as `downloader --check DEST`, then `downloader DEST`
  std::string dest;          // where the database goes
};

// The data folder for a run: ecg::resolve_data_dir(cli_data) (--data, $ECG_SIM_DATA,
// data/mitdb, ../shared/mitdb). When that finds nothing, fetch_after_miss() with: dest =
// --data DIR (when given: only with --download-data) else <source tree>/data/mitdb;
// downloader = $ECG_SIM_DOWNLOADER else <source tree>/scripts/download_mitdb.sh;
// interactive = stdin and stderr are terminals. A $ECG_SIM_DATA naming a missing folder is
// the user's to fix: it stays an error.
std::string find_or_fetch_data(const std::string& cli_data, bool download_flag);

// The decision after the lookup failed with `miss`: rethrows `miss` unless `how.download`,
// or `how.interactive` and the answer read from `in` is yes (empty, y, yes); the question
// goes to `err`. Then runs the downloader's network check (no network: InputError with its
// one line), the download (its progress on this process's stderr), and returns `how.dest`
// once it holds record 100. Tests call it with a fake downloader.
std::string fetch_after_miss(const InputError& miss, const DataFetch& how, std::istream& in, std::ostream& err);

}  // namespace ecg
