#include "ecg/sweep/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ecg/atomic_file.h"
#include "ecg/error.h"
#include "ecg/sweep/results.h"

extern char** environ;

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace ecg::sweep {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

// Installs SIGINT/SIGTERM handlers for the lifetime of a sweep, restoring the old ones after.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &m_old_int);
    sigaction(SIGTERM, &sa, &m_old_term);
  }
  ~StopSignals() {
    sigaction(SIGINT, &m_old_int, nullptr);
    sigaction(SIGTERM, &m_old_term, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction m_old_int {}, m_old_term {};
};

std::string last_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    // Progress bars redraw with '\r': keep the text after the last one.
    if (const auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1);
    if (!line.empty()) last = line;
  }
  if (last.size() > 500) last = last.substr(0, 500) + "...";
  return last;
}

std::string clock_text(double s) {
  const long t = static_cast<long>(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

struct Slot {
  pid_t pid = 0;
  Clock::time_point start;
  bool timed_out = false;
};

// What one child run gave.
struct ChildResult {
  int exit_code = 0;      // exit status, or 128 + signal
  int signal = 0;
  bool timed_out = false;
  bool spawned = true;
  std::string spawn_error;
};

class Sweeper {
 public:
  Sweeper(const Spec& spec, const RunOptions& opt, std::vector<Point> todo, std::string exe)
      : m_spec(spec), m_opt(opt), m_todo(std::move(todo)), m_exe(std::move(exe)) {}

  RunSummary run(unsigned jobs, std::size_t already) {
    const fs::path out(m_opt.out_dir);
    m_tmp = out / ".tmp";
    m_logs = out / "logs";
    fs::create_directories(m_tmp);
    m_results.open(out / kResultsJsonl, std::ios::binary | std::ios::app);
    if (!m_results) throw InputError(fmt::format("{}: cannot write", (out / kResultsJsonl).string()));
    m_total_shown = m_todo.size() + already;
    m_done = already;
    m_slots.assign(jobs, Slot{});
    m_t0 = Clock::now();

    std::vector<std::thread> workers;
    for (unsigned w = 0; w < jobs; ++w) workers.emplace_back([this, w] { work(w); });
    while (m_finished_workers.load() < jobs) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      supervise();
      if (m_opt.progress) draw(false);
    }
    for (auto& t : workers) t.join();
    if (m_opt.progress) draw(true);
    std::error_code ec;
    fs::remove_all(m_tmp, ec);

    RunSummary s;
    s.ok = m_ok;
    s.failed = m_failed;
    s.interrupted = g_stop != 0;
    s.wall_s = std::chrono::duration<double>(Clock::now() - m_t0).count();
    s.jobs = jobs;
    return s;
  }

 private:
  // Kills children past the spec's timeout, and every child once a stop signal came.
  void supervise() {
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = Clock::now();
    for (auto& s : m_slots) {
      if (s.pid <= 0) continue;
      if (g_stop) {
        kill(s.pid, SIGTERM);
      } else if (m_spec.timeout_s > 0 && std::chrono::duration<double>(now - s.start).count() > m_spec.timeout_s &&
                 !s.timed_out) {
        s.timed_out = true;
        kill(s.pid, SIGKILL);
      }
    }
  }

  ChildResult spawn_and_wait(unsigned w, const std::vector<std::string>& args, const std::string& log) {
    ChildResult r;
    std::vector<std::string> argv_s;
    argv_s.push_back(m_exe);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    int rc = 0;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (!g_stop) {
        rc = posix_spawn(&pid, m_exe.c_str(), &fa, nullptr, argv.data(), environ);
        if (rc == 0) m_slots[w] = Slot{pid, Clock::now(), false};
      } else {
        rc = ECANCELED;
      }
    }
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      r.spawned = false;
      r.spawn_error = fmt::format("cannot start {}: {}", m_exe, std::strerror(rc));
      return r;
    }
    // Wait without reaping, so the supervisor never signals a pid that was already reused.
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      r.timed_out = m_slots[w].timed_out;
      m_slots[w] = Slot{};
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
      r.exit_code = 128 + r.signal;
    }
    return r;
  }

  void work(unsigned w) {
    while (!g_stop) {
      const std::size_t k = m_next.fetch_add(1);
      if (k >= m_todo.size()) break;
      const Point& p = m_todo[k];
      const std::string json_path = (m_tmp / fmt::format("p{}.json", p.index)).string();
      const std::string log_path = (m_tmp / fmt::format("p{}.log", p.index)).string();
      std::error_code ec;
      fs::remove(json_path, ec);
      const auto t0 = Clock::now();
      const ChildResult c = spawn_and_wait(w, child_args(m_spec, p, json_path), log_path);
      const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
      if (g_stop && !c.timed_out) break;  // stopped by the user: leave the point for --resume

      std::string status = "failed", error;
      json report;
      bool have_report = false;
      if (!c.spawned) {
        error = c.spawn_error;
      } else if (c.timed_out) {
        error = fmt::format("timed out after {} s", m_spec.timeout_s);
      } else if (c.signal != 0) {
        error = fmt::format("killed by signal {} ({}){}", c.signal, strsignal(c.signal),
                            last_line(log_path).empty() ? "" : ": " + last_line(log_path));
      } else if (c.exit_code != 0) {
        error = last_line(log_path);
        if (error.empty()) error = fmt::format("exit code {}", c.exit_code);
      } else {
        std::ifstream in(json_path, std::ios::binary);
        if (!in) {
          error = "the run wrote no report";
        } else {
          try {
            report = json::parse(in);
            have_report = report.is_object();
            if (!have_report) error = "the report is not a JSON object";
          } catch (const json::parse_error& e) {
            error = fmt::format("the report is not valid JSON: {}", e.what());
          }
        }
        if (have_report) status = "ok";
      }
      const Row row = make_row(m_spec, p, status, error, c.exit_code, wall, have_report ? &report : nullptr);
      if (status != "ok" && c.spawned) {
        fs::create_directories(m_logs, ec);
        fs::rename(log_path, m_logs / fmt::format("p{}.log", p.index), ec);
      }
      fs::remove(log_path, ec);
      fs::remove(json_path, ec);
      std::lock_guard<std::mutex> lock(m_mutex);
      m_results << row.dump() << '\n';
      m_results.flush();
      ++(status == "ok" ? m_ok : m_failed);
      ++m_done;
    }
    m_finished_workers.fetch_add(1);
  }

  void draw(bool final_line) {
    std::lock_guard<std::mutex> lock(m_mutex);
    const double el = std::chrono::duration<double>(Clock::now() - m_t0).count();
    const std::size_t total = std::max<std::size_t>(1, m_total_shown);
    const std::size_t ran = m_ok + m_failed;
    const std::size_t left = m_total_shown - m_done;
    constexpr int kWidth = 30;
    const int fill = static_cast<int>(kWidth * m_done / total);
    std::string eta = ran > 0 && left > 0 ? fmt::format("  ~{} left", clock_text(el / static_cast<double>(ran) * static_cast<double>(left))) : "";
    fmt::print(stderr, "\rsweep [{}{}] {}/{}  ok {}  failed {}  {}{}\x1b[K{}", std::string(fill, '#'),
               std::string(kWidth - fill, '.'), m_done, m_total_shown, m_ok, m_failed, clock_text(el), eta,
               final_line ? "\n" : "");
    std::fflush(stderr);
  }

  const Spec& m_spec;
  const RunOptions& m_opt;
  std::vector<Point> m_todo;
  std::string m_exe;
  fs::path m_tmp, m_logs;
  std::ofstream m_results;
  std::mutex m_mutex;
  std::vector<Slot> m_slots;
  std::atomic<std::size_t> m_next{0};
  std::atomic<unsigned> m_finished_workers{0};
  std::size_t m_ok = 0, m_failed = 0, m_done = 0, m_total_shown = 0;
  Clock::time_point m_t0;
};

}  // namespace

std::vector<std::string> child_args(const Spec& spec, const Point& p, const std::string& json_path) {
  std::vector<std::string> a = {"--arch", p.arch, "--mode", spec.mode};
  if (!spec.records.empty()) a.insert(a.end(), {"--records", spec.records});
  if (!spec.split.empty()) a.insert(a.end(), {"--split", spec.split});
  if (!spec.data.empty()) a.insert(a.end(), {"--data", spec.data});
  if (!spec.weights.empty()) a.insert(a.end(), {"--weights", spec.weights});
  if (!p.config.empty()) a.insert(a.end(), {"--config", p.config});
  for (const auto& [k, v] : p.params.items()) a.insert(a.end(), {"-p", k + "=" + value_text(v)});
  // One thread per child: the sweep runs points in parallel, so each point stays on one core
  // (and -j N of the sweep means N busy cores), unless the spec asks otherwise.
  const bool threads_given = std::any_of(spec.args.begin(), spec.args.end(), [](const std::string& x) {
    return x == "-j" || x == "--threads" || x.rfind("--threads=", 0) == 0 || (x.rfind("-j", 0) == 0 && x.size() > 2);
  });
  if (!threads_given) a.insert(a.end(), {"-j", "1"});
  a.insert(a.end(), spec.args.begin(), spec.args.end());
  a.insert(a.end(), {"--json", json_path});
  return a;
}

std::string shard_text(const RunOptions& opt) {
  return opt.shard_n <= 1 ? "all" : fmt::format("{}/{}", opt.shard_i, opt.shard_n);
}

RunSummary run_sweep(const Spec& spec, const RunOptions& opt) {
  if (opt.out_dir.empty()) throw InputError("--out: no output folder");
  const std::vector<Point> all = expand(spec);
  const std::vector<Point> mine = shard(all, opt.shard_i, opt.shard_n);
  const fs::path out(opt.out_dir);
  const fs::path jsonl = out / kResultsJsonl;
  const std::string shard = shard_text(opt);

  if (fs::exists(out) && !fs::is_directory(out)) throw InputError(fmt::format("--out {}: not a folder", opt.out_dir));
  const bool has_results = fs::exists(jsonl);
  if (has_results && !opt.resume && !opt.force)
    throw InputError(fmt::format("--out {}: already holds sweep results; pass --resume to continue or --force to start over",
                                 opt.out_dir));
  if (opt.resume && fs::exists(out / kMeta)) {
    const json meta = read_meta(opt.out_dir);
    if (meta.value("shard", "all") != shard)
      throw InputError(fmt::format("--resume: {} holds shard {}, not {}", opt.out_dir,
                                   meta.value("shard", std::string("all")), shard));
  }
  std::string exe = opt.exe;
  if (exe.empty()) exe = fs::read_symlink("/proc/self/exe").string();
  if (access(exe.c_str(), X_OK) != 0) throw InputError(fmt::format("--exe {}: not an executable", exe));

  fs::create_directories(out);
  if (opt.force && !opt.resume) {
    std::error_code ec;
    fs::remove(jsonl, ec);
    fs::remove(out / kResultsCsv, ec);
    fs::remove_all(out / "logs", ec);
  }
  write_file_atomic((out / kMeta).string(), make_meta(spec, all.size(), shard).dump(2) + "\n");

  // Points already finished (resume): matched by id, so an edited spec keeps what still applies.
  std::set<std::string> finished;
  if (opt.resume && fs::exists(jsonl)) {
    const auto rows = read_jsonl(jsonl.string());
    std::string text;  // rewritten without a row torn by an interrupted run, so appends stay whole lines
    for (const auto& r : rows) {
      text += r.dump() + "\n";
      if (r["status"] == "ok" || !opt.retry_failed) finished.insert(r["id"].get<std::string>());
    }
    write_file_atomic(jsonl.string(), text);
  }
  std::vector<Point> todo;
  std::vector<std::string> ids;
  for (const auto& p : mine) {
    ids.push_back(p.id);
    if (!finished.count(p.id)) todo.push_back(p);
  }

  unsigned jobs = opt.jobs ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, std::max<std::size_t>(1, todo.size())));
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);

  RunSummary s;
  {
    StopSignals signals;
    Sweeper sweeper(spec, opt, todo, exe);
    s = sweeper.run(jobs, mine.size() - todo.size());
  }
  s.points = mine.size();
  s.skipped = mine.size() - todo.size();

  // Rewrite both files in point order, keeping only this sweep's points.
  const auto rows = read_jsonl(jsonl.string());
  const auto kept = tidy_rows(rows, ids);
  write_results(opt.out_dir, kept);
  for (const auto& r : kept) ++(r["status"] == "ok" ? s.total_ok : s.total_failed);
  return s;
}

}  // namespace ecg::sweep
