#pragma once
// The main job of ecg_sim: classify a record set with one network in one execution mode,
// print accuracy / confusion / per-class Se +P and (timed modes) the hardware figures, and
// write the JSON report.
//
//   ecg_sim --arch X [--mode tlm|golden|rtl|cosim] [--split ds2 | --records 100,101]
//           [--max-beats N] [--task aami|paper] [--weights DIR] [--data DIR] [--json FILE] [-j N]
//           [--config FILE] [-p key=value ...] [--trace FILE] [--realtime] [--no-golden-check]
//           [--trace-beats FIRST:LAST | --trace-at REC:SAMPLE] [--trace-depth N]
//
// main.cpp calls register_run() before parsing and run_main() when no sub-command ran.
#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ecg {

struct RunOptions {
  std::string arch;
  std::string mode = "tlm";   // the accelerator platform: accuracy and latency/FPS/power
  std::string split;    // named record set (ds1, ds2, all, ...)
  std::string records;  // explicit list "100,101" (or a named set)
  std::string task = "aami";  // --task: which of an arch's models (ecg::task_model_path)
  std::string weights;  // --weights DIR
  std::string data;     // --data DIR
  std::string json;     // --json FILE
  std::string config;   // --config FILE (backends with parameters)
  std::vector<std::string> params;  // -p key=value
  std::string trace;    // --trace FILE
  std::string trace_beats;  // --trace-beats FIRST:LAST (beat indices of the run)
  std::string trace_at;     // --trace-at RECORD:SAMPLE (the beat of that record nearest SAMPLE)
  int trace_depth = 0;      // --trace-depth N (0 = the backend's default)
  bool realtime = false;
  bool golden_check = true;  // non-golden modes: compare every beat with the golden model
  int threads = 0;           // 0 = all cores
  bool threads_given = false;  // -j on the command line (rtl/cosim: worker processes too)
  std::size_t max_beats = 0; // first N beats of the record set only (0 = all)
  bool download_data = false; // --download-data: fetch MIT-BIH when none is found (sim/first_run.h)
  bool allow_checksum_mismatch = false;  // warn and report instead of failing (docs/beats.md)
};

// Adds the run options to the top-level app (they apply when no sub-command is given).
void register_run(CLI::App& app, RunOptions& opt);

// True when the command line asked for a run (--arch given).
bool run_requested(const RunOptions& opt);

// Runs the job. Returns the exit code: 0 done; 1 when a non-golden mode's outputs differ
// from the golden model on some beat. Bad input throws ecg::InputError (main: exit 2).
int run_main(const RunOptions& opt);

}  // namespace ecg
