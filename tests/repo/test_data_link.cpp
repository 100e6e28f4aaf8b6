// Points the tests' MIT-BIH link (<build>/mitdb: the ECG_TEST_DATA every test reads) at the
// folder ecg_sim itself would use: ecg::resolve_data_dir() run from the source tree, so the
// order is the command line's: --data (here -DECG_TEST_DATA_DIR=DIR), $ECG_SIM_DATA,
// data/mitdb (what scripts/download_mitdb.sh fills), then ../shared/mitdb. It runs at every
// build and before every ctest run (CTestCustom.cmake), so data downloaded or $ECG_SIM_DATA
// set after configuring is found.
//
// Usage: ecg_test_data_link SOURCE_DIR LINK [DATA_DIR] [--check]
//   Without --check (build, ctest pre-test) it always exits 0: when no data is found the link
//   is removed and one line says how to get the data (the tests that need it then fail).
//   --check (the CTest test data_mitdb): that line and exit 1 when no data is found.
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "ecg/data.h"
#include "ecg/error.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool check = false;
  for (auto it = args.begin(); it != args.end();)
    if (*it == "--check") {
      check = true;
      it = args.erase(it);
    } else {
      ++it;
    }
  if (args.size() < 2 || args.size() > 3) {
    std::fprintf(stderr, "usage: ecg_test_data_link SOURCE_DIR LINK [DATA_DIR] [--check]\n");
    return 2;
  }
  const fs::path source = args[0], link = fs::absolute(args[1]);
  const std::string explicit_dir = args.size() == 3 ? args[2] : "";
  std::error_code ec;
  try {
    fs::current_path(source);  // data/mitdb and ../shared/mitdb are relative to the checkout
    std::string dir = ecg::resolve_data_dir(explicit_dir);
    if (!fs::is_regular_file(fs::path(dir) / "100.hea"))
      throw ecg::InputError(dir + ": no MIT-BIH record 100 there");
    const fs::path target = fs::canonical(dir);
    if (fs::is_symlink(link) && fs::read_symlink(link) == target) return 0;
    const fs::path tmp = link.string() + ".tmp";
    fs::remove(tmp, ec);
    fs::create_symlink(target, tmp);
    fs::rename(tmp, link);  // atomic: a test running meanwhile sees the old or the new link
    return 0;
  } catch (const ecg::InputError& e) {
    fs::remove(link, ec);
    std::fprintf(stderr, "MIT-BIH for the tests: %s (then rerun; tests labelled 'data' need it)\n", e.what());
    return check ? 1 : 0;
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "MIT-BIH for the tests: %s\n", e.what());
    return check ? 1 : 0;
  }
}
