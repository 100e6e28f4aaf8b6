// `ecg_sim sweep SPEC` and `ecg_sim sweep-merge`: design-space sweeps (docs/sweeps.md).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "ecg/error.h"
// Every point's parameters are checked by the very code the run will use (the platform's
// configuration, models/), before any point runs.
#include "ecg/models/tlm_run.h"
#include "ecg/qnet.h"
#include "ecg/sweep/results.h"
#include "ecg/sweep/runner.h"
#include "ecg/sweep/spec.h"

namespace ecg::cli {
namespace {

struct SweepOptions {
  std::string spec;
  std::string out;
  unsigned jobs = 0;
  bool resume = false, retry_failed = false, force = false, list = false, no_progress = false;
  std::string shard;
  std::string exe;
  std::vector<std::string> config_dirs;
  std::vector<std::string> archs;
};

// The --task a sweep's points run with (the spec's args: "--task X" or "--task=X"; default aami),
// so that its checks load the network its points will run.
std::string task_arg(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--task" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--task=", 0) == 0) return args[i].substr(7);
  }
  return "aami";
}

struct MergeOptions {
  std::string out;
  std::vector<std::string> inputs;
};

void run_sweep_command(const SweepOptions& o) {
  sweep::Spec spec = sweep::load_spec(o.spec);
  if (!o.archs.empty()) sweep::restrict_archs(spec, o.archs, "--archs");
  sweep::ValidationEnv env = sweep::default_env();
  if (!o.config_dirs.empty()) env.config_dirs = o.config_dirs;
  if (o.exe.empty()) {
    // The points run this ecg_sim: check what its run command will need, before any point.
    auto nets = std::make_shared<std::map<std::string, std::shared_ptr<const Network>>>();
    env.check_arch = [nets](const sweep::Spec& s, const sweep::ArchPlan& plan) {
      const std::string weights = resolve_weights_dir(s.weights);
      const std::string model = task_model_path(weights, plan.arch, task_arg(s.args));
      if (!std::filesystem::is_regular_file(model))
        throw InputError(fmt::format("no network {} (give weights = \"DIR\" in the spec)", model));
      (*nets)[plan.arch] = std::make_shared<const Network>(load_network(model));  // broken network: spec error
    };
    env.check_point = [nets](const sweep::Spec& s, const sweep::Point& p) {
      const Network& net = *nets->at(p.arch);
      TlmOptions t;
      t.config_file = p.config;
      t.realtime = std::find(s.args.begin(), s.args.end(), "--realtime") != s.args.end();
      for (const auto& [k, v] : p.params.items()) t.params.push_back(k + "=" + sweep::value_text(v));
      make_platform_config(net, t);
    };
  }
  sweep::validate(spec, env);  // everything is checked before any point runs

  sweep::RunOptions ro;
  if (!o.shard.empty()) std::tie(ro.shard_i, ro.shard_n) = sweep::parse_shard(o.shard, "--shard");
  const std::vector<sweep::Point> all = sweep::expand(spec);
  if (o.list) {
    for (const auto& p : sweep::shard(all, ro.shard_i, ro.shard_n)) {
      std::string line = fmt::format("{:>5} {} {}", p.index, p.id, p.arch);
      for (const auto& [k, v] : p.params.items()) line += fmt::format(" {}={}", k, sweep::value_text(v));
      fmt::print("{}\n", line);
    }
    return;
  }
  ro.out_dir = !o.out.empty() ? o.out
               : ro.shard_n > 1 ? fmt::format("sweep_out/{}/shard-{}-of-{}", spec.name, ro.shard_i, ro.shard_n)
                                : fmt::format("sweep_out/{}", spec.name);
  ro.jobs = o.jobs;
  ro.resume = o.resume;
  ro.retry_failed = o.retry_failed;
  ro.force = o.force;
  ro.exe = o.exe;
  ro.progress = !o.no_progress && isatty(STDERR_FILENO);
  const sweep::RunSummary s = sweep::run_sweep(spec, ro);
  fmt::print("sweep {}: {} points{} ({} run now, {} already done): {} ok, {} failed; {:.1f} s with -j {} -> {}/{}\n",
             spec.name, s.points, ro.shard_n > 1 ? fmt::format(" in shard {}", sweep::shard_text(ro)) : "",
             s.ok + s.failed, s.skipped, s.total_ok, s.total_failed, s.wall_s, s.jobs, ro.out_dir,
             sweep::kResultsCsv);
  if (s.interrupted) {
    fmt::print(stderr, "ecg_sim sweep: interrupted; finished points are kept, continue with --resume\n");
    throw CLI::RuntimeError(130);
  }
  if (s.total_failed > 0) throw CLI::RuntimeError(1);
}

}  // namespace

void add_sweep(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand("sweep", "Run a design-space sweep (docs/sweeps.md): one ecg_sim run per point");
  cmd->add_option("spec", o->spec, "Sweep spec (TOML or JSON)")->required();
  cmd->add_option("--out,-o", o->out, "Output folder (default: sweep_out/<name>, shards: .../shard-i-of-N)");
  cmd->add_option("--jobs,-j", o->jobs, "Points run in parallel (0 = cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--resume", o->resume, "Skip points already in the output folder's results");
  cmd->add_flag("--retry-failed", o->retry_failed, "With --resume: run failed points again");
  cmd->add_flag("--force", o->force, "Start over in an output folder that holds results");
  cmd->add_option("--shard", o->shard, "Run only shard i of N (every N-th point from i; 0 <= i < N), e.g. 0/4");
  cmd->add_option("--archs", o->archs, "Run only these archs of the spec, e.g. qrcnn,logq")->delimiter(',');
  cmd->add_flag("--list", o->list, "Validate the spec and list its points without running them");
  cmd->add_flag("--no-progress", o->no_progress, "No progress bar (it is drawn only when stderr is a terminal)");
  cmd->add_option("--exe", o->exe, "Program run for each point (default: this ecg_sim)");
  cmd->add_option("--configs", o->config_dirs, "Folder with <arch>.toml to check parameter names (default: configs/); repeatable")
      ->allow_extra_args(false);
  cmd->callback([o] { run_sweep_command(*o); });

  auto m = std::make_shared<MergeOptions>();
  auto* mc = app.add_subcommand("sweep-merge", "Join the output folders of sweep shards into one");
  mc->add_option("--out,-o", m->out, "Output folder of the merged sweep")->required();
  mc->add_option("shards", m->inputs, "Shard output folders")->required();
  mc->callback([m] {
    const sweep::MergeSummary s = sweep::merge(m->inputs, m->out);
    fmt::print("sweep-merge: {} shards, {} of {} points -> {}/{}\n", m->inputs.size(), s.rows, s.points, m->out,
               sweep::kResultsCsv);
    if (s.missing > 0) {
      fmt::print(stderr, "ecg_sim sweep-merge: {} points are in no shard (rerun those shards with --resume)\n",
                 s.missing);
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace ecg::cli
