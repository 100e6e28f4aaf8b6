// ecg_sim: command-line front end. Errors in input (files, flags, configs) print one line
// and exit with code 2; no output file is left half-written.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.h"
#include "ecg/error.h"
#include "run.h"

// ecg_sim has its own main(); the SystemC library it links (the tlm/rtl/cosim platform) still
// references sc_main, which is never called here.
extern "C" int sc_main(int, char**) { return 3; }

int main(int argc, char** argv) {
  CLI::App app{"ecg_sim: SystemC/TLM-2.0 simulator of tiny quantized-CNN ECG accelerators", "ecg_sim"};
  app.require_subcommand(0, 1);
  ecg::cli::add_inspect(app);
  ecg::cli::add_export_beats(app);
  ecg::cli::add_sweep(app);
  ecg::cli::add_synth(app);
  ecg::cli::add_import(app);
  ecg::RunOptions run_opt;
  ecg::register_run(app, run_opt);
  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty() && ecg::run_requested(run_opt)) return ecg::run_main(run_opt);
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stdout);
      return 2;
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "ecg_sim: {}\n", e.what());
    return 2;
  } catch (const ecg::InputError& e) {
    fmt::print(stderr, "ecg_sim: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ecg_sim: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
