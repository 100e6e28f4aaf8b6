// Records in parallel for the rtl and cosim modes (docs/cosim.md "Whole database"): SystemC
// elaborates one platform per process, so each record runs in a worker process of its own
// (fork of this process before any SystemC elaboration: the beats are already loaded and
// shared copy-on-write). A worker runs the rtl/cosim backend on its record's beats and sends
// back, over a pipe, its progress, every beat's outcome and its check counters; the parent
// puts the outcomes in run order (the front end then computes the metrics, latency and golden
// check over all beats as for one run) and sums the counters into the report's cosim and sim
// blocks. Records (cut into chunks when one is a large share of the run) are handed out
// longest first, one at a time, to at most `workers` workers.
#include "rtl_parallel.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ecg/error.h"

namespace ecg::rtl {
namespace {

using Clock = std::chrono::steady_clock;

// Writes a line to the parent (whole lines; a pipe write of <= PIPE_BUF bytes is atomic, and
// longer ones are still complete since only this process writes to this pipe).
void send(int fd, const std::string& line) {
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::_exit(4);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Sends "P <beats done> <RTL clock cycles so far>" at most 5 times a second.
class PipeProgress final : public CycleProgress {
 public:
  explicit PipeProgress(int fd) : m_fd(fd) {}
  void cycles(std::uint64_t rtl_clock_cycles) override { m_cycles = rtl_clock_cycles; }
  void advance(std::size_t done) override {
    const auto now = Clock::now();
    if (now - m_last < std::chrono::milliseconds(200)) return;
    m_last = now;
    send(m_fd, fmt::format("P {} {}\n", done, m_cycles));
  }

 private:
  int m_fd;
  std::uint64_t m_cycles = 0;
  Clock::time_point m_last{};
};

[[noreturn]] void worker(const BackendFactory& make, const BackendContext& ctx, const Network& net,
                         const std::vector<Beat>& beats, int fd) {
  int code = 0;
  try {
    std::unique_ptr<Backend> backend = make(ctx);
    std::vector<BeatOutcome> out;
    PipeProgress progress(fd);
    backend->run(net, beats, out, progress);
    Report r;
    backend->fill_report(r);
    std::string s;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const BeatOutcome& o = out[i];
      s += fmt::format("R {} {} {} {:.17g} {:.17g} {}", i, o.predicted, o.cycles, o.start_s, o.done_s, o.logits.size());
      for (const std::int32_t l : o.logits) s += fmt::format(" {}", l);
      s += "\n";
      if (s.size() > 65536) {
        send(fd, s);
        s.clear();
      }
    }
    const CosimReport c = r.cosim.value_or(CosimReport{});
    s += fmt::format("S beats_compared {}\nS output_mismatches {}\nS rtl_cycles {:.17g}\nS tlm_cycles {:.17g}\n",
                     c.beats_compared, c.output_mismatches, c.rtl_cycles_total, c.tlm_cycles_total);
    s += fmt::format("S rtl_clock_cycles {}\nS simulated_cycles {}\nS rtl_output_mismatches {}\n",
                     r.sim.rtl_clock_cycles.value_or(0), r.sim.simulated_cycles.value_or(0),
                     r.sim.rtl_output_mismatches.value_or(0));
    s += fmt::format("H clock_mhz {:.17g}\nH throughput_fps {:.17g}\nH initiation_interval_cycles {:.17g}\n",
                     r.hardware.clock_mhz.value_or(backend->clock_mhz()), r.hardware.throughput_fps.value_or(0.0),
                     r.hardware.initiation_interval_cycles.value_or(0.0));
    s += "D\n";
    send(fd, s);
  } catch (const InputError& e) {
    send(fd, fmt::format("E2 {}\n", e.what()));
    code = 2;
  } catch (const std::exception& e) {
    send(fd, fmt::format("E3 {}\n", e.what()));
    code = 3;
  }
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(code);  // no static destructors: the platform's threads stay suspended
}

struct Job {
  std::string record;
  std::size_t first = 0, count = 0;  // beats [first, first + count) of the run
};

struct Running {
  pid_t pid = -1;
  int fd = -1;
  std::size_t job = 0;
  std::string buf;
  std::size_t done = 0;
  double cycles = 0;  // RTL clock cycles so far (progress)
  bool finished = false;
  std::string error;
  int error_code = 0;
};

class ParallelRtlBackend final : public Backend {
 public:
  ParallelRtlBackend(const BackendContext& ctx, BackendFactory make) : m_ctx(ctx), m_make(std::move(make)) {
    BackendContext probe = ctx;
    probe.workers = 1;
    m_make(probe);  // bad -p values the backend itself checks: one line before any work
  }
  std::string mode() const override { return m_ctx.mode; }
  double clock_mhz() const override {
    const auto it = m_hw.find("clock_mhz");
    return it == m_hw.end() ? 0.0 : it->second;
  }

  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override {
    // Jobs: records, cut into chunks of at most `chunk` beats when a record is a large share of
    // the run (each chunk boots its own platform: the same engine cycles and outputs per beat).
    const std::size_t n_workers = static_cast<std::size_t>(std::max(1, m_ctx.workers));
    const std::size_t chunk = std::max<std::size_t>(16, (beats.size() + 4 * n_workers - 1) / (4 * n_workers));
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < beats.size(); ++i) {
      if (jobs.empty() || jobs.back().record != beats[i].record || jobs.back().count >= chunk)
        jobs.push_back({beats[i].record, i, 0});
      ++jobs.back().count;
    }
    std::vector<std::size_t> order(jobs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return jobs[a].count > jobs[b].count; });
    out.assign(beats.size(), BeatOutcome{});
    std::vector<char> have(beats.size(), 0);
    std::fflush(nullptr);
    const auto t0 = Clock::now();
    std::vector<Running> running;
    std::size_t next = 0, finished_beats = 0;
    double finished_edges = 0;
    std::string error;
    int error_code = 0;
    auto start = [&](std::size_t j) {
      int fds[2];
      if (::pipe(fds) != 0) throw std::runtime_error("rtl -j: pipe() failed");
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error("rtl -j: fork() failed");
      if (pid == 0) {
        ::close(fds[0]);
        for (const Running& r : running) ::close(r.fd);
        const Job& job = jobs[j];
        const std::vector<Beat> mine(beats.begin() + static_cast<std::ptrdiff_t>(job.first),
                                     beats.begin() + static_cast<std::ptrdiff_t>(job.first + job.count));
        BackendContext c = m_ctx;
        c.workers = 1;
        c.threads = 1;
        worker(m_make, c, net, mine, fds[1]);
      }
      ::close(fds[1]);
      Running r;
      r.pid = pid;
      r.fd = fds[0];
      r.job = j;
      running.push_back(std::move(r));
    };
    auto handle_line = [&](Running& r, const std::string& line) {
      const Job& job = jobs[r.job];
      std::istringstream in(line);
      std::string tag;
      in >> tag;
      if (tag == "P") {
        in >> r.done >> r.cycles;
      } else if (tag == "R") {
        std::size_t i = 0, n = 0;
        BeatOutcome o;
        in >> i >> o.predicted >> o.cycles >> o.start_s >> o.done_s >> n;
        o.logits.resize(n);
        for (auto& l : o.logits) in >> l;
        if (!in || i >= job.count) throw std::runtime_error(fmt::format("rtl -j: bad result from the worker of record {}", job.record));
        out[job.first + i] = std::move(o);
        have[job.first + i] = 1;
      } else if (tag == "S") {
        std::string key;
        double v = 0;
        in >> key >> v;
        m_sums[key] += v;
      } else if (tag == "H") {
        std::string key;
        double v = 0;
        in >> key >> v;
        if (!m_hw.count(key)) m_hw[key] = v;
      } else if (tag == "D") {
        r.finished = true;
      } else if (tag == "E2" || tag == "E3") {
        r.error = line.substr(3);
        r.error_code = tag == "E2" ? 2 : 3;
      }
    };
    auto draw = [&] {
      std::size_t done = finished_beats;
      double edges = finished_edges;
      for (const Running& r : running) {
        done += r.done;
        edges += r.cycles;
      }
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      const double rate = s > 0 ? static_cast<double>(done) / s : 0;
      const double edges_rate = s > 0 ? edges / s : 0;
      const double eta = rate > 0 ? static_cast<double>(beats.size() - std::min(done, beats.size())) / rate : 0;
      progress.detail(fmt::format("{} workers, {:.0f} beats/s, {:.2f} M RTL cycles/s, ETA {:.0f} s",
                                  running.size(), rate, edges_rate / 1e6, eta));
      progress.advance(done);
    };
    while (next < order.size() || !running.empty()) {
      while (error.empty() && next < order.size() && running.size() < n_workers)
        start(order[next++]);
      if (running.empty()) break;
      std::vector<pollfd> pfds;
      for (const Running& r : running) pfds.push_back({r.fd, POLLIN, 0});
      if (::poll(pfds.data(), pfds.size(), 250) < 0 && errno != EINTR) throw std::runtime_error("rtl -j: poll() failed");
      for (std::size_t k = 0; k < running.size(); ++k) {
        if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Running& r = running[k];
        char buf[65536];
        const ssize_t n = ::read(r.fd, buf, sizeof buf);
        if (n > 0) {
          r.buf.append(buf, static_cast<std::size_t>(n));
          std::size_t pos;
          while ((pos = r.buf.find('\n')) != std::string::npos) {
            handle_line(r, r.buf.substr(0, pos));
            r.buf.erase(0, pos + 1);
          }
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        // EOF: the worker is done (or died)
        ::close(r.fd);
        int status = 0;
        ::waitpid(r.pid, &status, 0);
        const Job& job = jobs[r.job];
        if (!r.finished && error.empty()) {
          error = !r.error.empty() ? fmt::format("record {}: {}", job.record, r.error)
                                   : fmt::format("record {}: the worker process ended without its result (status {})",
                                                 job.record, status);
          error_code = r.error_code == 2 ? 2 : 3;
        }
        finished_beats += job.count;
        finished_edges = m_sums["rtl_clock_cycles"];
        r.fd = -1;
      }
      running.erase(std::remove_if(running.begin(), running.end(), [](const Running& r) { return r.fd < 0; }),
                    running.end());
      draw();
    }
    m_wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!error.empty()) {
      if (error_code == 2) throw InputError(error);
      throw std::runtime_error(error);
    }
    for (std::size_t i = 0; i < have.size(); ++i)
      if (!have[i]) throw std::runtime_error(fmt::format("rtl -j: no result for beat {} (record {})", i, beats[i].record));
  }

  // The counters summed over the workers; the platform's configuration-given figures (clock,
  // initiation interval, throughput) as the workers' platforms computed them. Power and the
  // engine/activity breakdown belong to one platform run and are not reported here.
  void fill_report(Report& report) const override {
    auto sum = [&](const char* k) {
      const auto it = m_sums.find(k);
      return it == m_sums.end() ? 0.0 : it->second;
    };
    auto hw = [&](const char* k) {
      const auto it = m_hw.find(k);
      return it == m_hw.end() ? 0.0 : it->second;
    };
    report.hardware.clock_mhz = hw("clock_mhz");
    report.hardware.throughput_fps = hw("throughput_fps");
    report.hardware.initiation_interval_cycles = hw("initiation_interval_cycles");
    if (m_ctx.mode == "cosim") {
      CosimReport c;
      c.beats_compared = static_cast<std::uint64_t>(sum("beats_compared"));
      c.output_mismatches = static_cast<std::uint64_t>(sum("output_mismatches"));
      c.rtl_cycles_total = sum("rtl_cycles");
      c.tlm_cycles_total = sum("tlm_cycles");
      c.cycle_error_pct = c.rtl_cycles_total > 0 ? 100.0 * (c.tlm_cycles_total - c.rtl_cycles_total) / c.rtl_cycles_total : 0.0;
      report.cosim = c;
    } else {
      report.sim.rtl_output_mismatches = static_cast<std::uint64_t>(sum("rtl_output_mismatches"));
    }
    report.sim.simulated_cycles = static_cast<std::uint64_t>(sum("simulated_cycles"));
    const auto edges = static_cast<std::uint64_t>(sum("rtl_clock_cycles"));
    report.sim.rtl_clock_cycles = edges;
    if (m_wall_s > 0) report.sim.rtl_cycles_per_s = static_cast<double>(edges) / m_wall_s;
  }

 private:
  BackendContext m_ctx;
  BackendFactory m_make;
  std::map<std::string, double> m_sums, m_hw;
  double m_wall_s = 0;
};

}  // namespace

std::unique_ptr<Backend> make_parallel_rtl_backend(const BackendContext& ctx, BackendFactory single) {
  return std::make_unique<ParallelRtlBackend>(ctx, std::move(single));
}

}  // namespace ecg::rtl
