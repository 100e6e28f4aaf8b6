#pragma once
// Runs the points of a sweep: each point is a child ecg_sim process (isolation: a crash or a
// bad value fails that point only), `jobs` at a time, results appended to results.jsonl as
// points finish.
#include <cstddef>
#include <string>
#include <vector>

#include "ecg/sweep/spec.h"

namespace ecg::sweep {

struct RunOptions {
  std::string out_dir;
  unsigned jobs = 0;             // parallel children (0 = number of cores)
  bool resume = false;           // skip points already in out_dir's results
  bool retry_failed = false;     // with resume: run failed points again
  bool force = false;            // start over in an out_dir that holds results
  std::size_t shard_i = 0, shard_n = 1;
  std::string exe;               // the child program ("" = this executable)
  bool progress = false;         // progress bar on stderr
};

struct RunSummary {
  std::size_t points = 0;    // points of this shard
  std::size_t skipped = 0;   // already finished (resume)
  std::size_t ok = 0, failed = 0;              // points run now
  std::size_t total_ok = 0, total_failed = 0;  // rows in the output afterwards
  bool interrupted = false;  // SIGINT/SIGTERM: unfinished points were not recorded
  double wall_s = 0;
  unsigned jobs = 0;
};

// The child's command line (without the program): --arch, --mode, --records/--split, --data,
// --weights, --config, -p key=value per parameter, -j 1 (unless the spec's args set threads),
// the spec's args, --json json_path.
std::vector<std::string> child_args(const Spec& spec, const Point& p, const std::string& json_path);

// The shard text of the options: "all" or "i/N".
std::string shard_text(const RunOptions& opt);

RunSummary run_sweep(const Spec& spec, const RunOptions& opt);

}  // namespace ecg::sweep
