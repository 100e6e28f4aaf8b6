#pragma once
// Sub-commands of the ecg_sim front end; each registers its options and its action.
#include <CLI/CLI.hpp>

namespace ecg::cli {

void add_inspect(CLI::App& app);
void add_export_beats(CLI::App& app);
void add_sweep(CLI::App& app);  // sweep, sweep-merge (sim/sweep_cmd.cpp)
void add_synth(CLI::App& app);  // synth (sim/cmd_synth.cpp, synth/)
void add_import(CLI::App& app);  // import (sim/cmd_import.cpp, scripts/onnx/)

}  // namespace ecg::cli
