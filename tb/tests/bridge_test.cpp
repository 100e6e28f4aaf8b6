// The fast bridge against the pin-level bench (tb/pin_bench.h), and the waveform options
// (docs/cosim.md). SystemC elaborates once per process, so every run below is a child
// process (fork before any elaboration) that sends its outcomes back over a pipe.
//  - FastEqualsPin.<arch>: cosim on the first beats of record 100, both bridges: the same
//    outputs, cycles, start/done times of every beat and the same simulated clock cycles.
//    ECG_BRIDGE_FULL_RECORD (the slow test): every beat of the record, one arch.
//  - BridgeTrace.Window: --trace-beats k:k writes exactly beat k's clock edges of the full waveform.
//  - BridgeTrace.Fst: FILE.fst (vcd2fst) opens with fst2vcd and holds the same edges as the VCD.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <systemc>  // declares extern "C" sc_main
#include <vector>

#include "ecg/beats.h"
#include "ecg/qnet.h"
#include "ecg/run/backend.h"

namespace ecg::rtl {
namespace {

struct Side {
  std::vector<BeatOutcome> out;
  double rtl_clock_cycles = 0, beats_compared = 0, mismatches = 0, rtl_cycles = 0, tlm_cycles = 0;
  double wall_s = 0;
};

// One cosim (or rtl) run in a child process.
Side run_side(const std::string& arch, const std::string& bridge, std::size_t n_beats, const std::string& trace = "",
              std::uint64_t first = 0, std::uint64_t last = ~std::uint64_t{0}, const std::string& mode = "cosim") {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    FILE* f = ::fdopen(fds[1], "w");
    try {
      const Network net = load_network(std::string(ECG_SIM_SOURCE_DIR) + "/weights/" + arch + "/model.json");
      std::vector<Beat> beats = load_beats(ECG_TEST_DATA, {"100"}, net.input, 1);
      if (n_beats > 0 && beats.size() > n_beats) beats.resize(n_beats);
      BackendContext ctx;
      ctx.arch = arch;
      ctx.mode = mode;
      ctx.params = {"rtl.bridge=" + bridge};
      ctx.trace_file = trace;
      ctx.trace_first = first;
      ctx.trace_last = last;
      auto backend = backend_registry().at(mode)(ctx);
      std::vector<BeatOutcome> out;
      NullProgress progress;
      const auto t0 = std::chrono::steady_clock::now();
      backend->run(net, beats, out, progress);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      Report r;
      backend->fill_report(r);
      const CosimReport c = r.cosim.value_or(CosimReport{});
      std::fprintf(f, "S %.17g %.17g %.17g %.17g %.17g %.17g\n", static_cast<double>(r.sim.rtl_clock_cycles.value_or(0)),
                   static_cast<double>(c.beats_compared), static_cast<double>(c.output_mismatches), c.rtl_cycles_total,
                   c.tlm_cycles_total, wall);
      for (const BeatOutcome& o : out) {
        std::fprintf(f, "R %d %llu %.17g %.17g %zu", o.predicted, static_cast<unsigned long long>(o.cycles), o.start_s,
                     o.done_s, o.logits.size());
        for (auto l : o.logits) std::fprintf(f, " %d", l);
        std::fprintf(f, "\n");
      }
      std::fclose(f);
      ::_exit(0);
    } catch (const std::exception& e) {
      std::fprintf(f, "E %s\n", e.what());
      std::fclose(f);
      ::_exit(1);
    }
  }
  ::close(fds[1]);
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Side s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "E") throw std::runtime_error(arch + " " + bridge + ": " + line.substr(2));
    if (tag == "S") ls >> s.rtl_clock_cycles >> s.beats_compared >> s.mismatches >> s.rtl_cycles >> s.tlm_cycles >> s.wall_s;
    if (tag == "R") {
      BeatOutcome o;
      std::size_t k = 0;
      ls >> o.predicted >> o.cycles >> o.start_s >> o.done_s >> k;
      o.logits.resize(k);
      for (auto& l : o.logits) ls >> l;
      s.out.push_back(o);
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(arch + " " + bridge + ": child failed");
  return s;
}

void expect_same(const std::string& arch, std::size_t n_beats) {
  const Side pin = run_side(arch, "pin", n_beats);
  const Side fast = run_side(arch, "fast", n_beats);
  ASSERT_EQ(pin.out.size(), fast.out.size());
  ASSERT_GT(pin.out.size(), 0u);
  for (std::size_t i = 0; i < pin.out.size(); ++i) {
    SCOPED_TRACE(arch + " beat " + std::to_string(i));
    EXPECT_EQ(pin.out[i].predicted, fast.out[i].predicted);
    EXPECT_EQ(pin.out[i].logits, fast.out[i].logits);
    EXPECT_EQ(pin.out[i].cycles, fast.out[i].cycles);
    EXPECT_EQ(pin.out[i].start_s, fast.out[i].start_s);
    EXPECT_EQ(pin.out[i].done_s, fast.out[i].done_s);
  }
  EXPECT_EQ(pin.rtl_clock_cycles, fast.rtl_clock_cycles);
  EXPECT_GT(fast.rtl_clock_cycles, 0);
  EXPECT_EQ(pin.rtl_cycles, fast.rtl_cycles);
  EXPECT_EQ(pin.tlm_cycles, fast.tlm_cycles);
  EXPECT_EQ(fast.beats_compared, static_cast<double>(fast.out.size()));
  EXPECT_EQ(pin.mismatches, 0);
  EXPECT_EQ(fast.mismatches, 0);
  std::printf("%s: %zu beats, %.0f RTL clock cycles; pin %.3f s (%.2f M cycles/s), fast %.3f s (%.2f M cycles/s), %.1fx\n",
              arch.c_str(), fast.out.size(), fast.rtl_clock_cycles, pin.wall_s, pin.rtl_clock_cycles / pin.wall_s / 1e6,
              fast.wall_s, fast.rtl_clock_cycles / fast.wall_s / 1e6, pin.wall_s / fast.wall_s);
}

#ifdef ECG_BRIDGE_FULL_RECORD
TEST(FastEqualsPin, FullRecord100) { expect_same(ECG_BRIDGE_FULL_RECORD, 0); }
#else
TEST(FastEqualsPin, qrcnn) { expect_same("qrcnn", 12); }
TEST(FastEqualsPin, bnn) { expect_same("bnn", 12); }
TEST(FastEqualsPin, int2kd) { expect_same("int2kd", 12); }
TEST(FastEqualsPin, logq) { expect_same("logq", 12); }
TEST(FastEqualsPin, dwsep) { expect_same("dwsep", 6); }

// Rising-edge times of the first `clk_i` in a VCD (ps).
std::vector<long long> clk_edges(const std::string& path, long long* t_min = nullptr, long long* t_max = nullptr) {
  std::ifstream in(path);
  std::string line, id;
  std::vector<long long> edges;
  long long t = 0;
  bool body = false, first_time = true;
  while (std::getline(in, line)) {
    if (!body) {
      std::istringstream ls(line);
      std::string tok, type, width, vid, name;
      ls >> tok;
      if (tok == "$var") {
        ls >> type >> width >> vid >> name;
        if (name == "clk_i" && id.empty()) id = vid;
      }
      if (line.find("$enddefinitions") != std::string::npos) body = true;
      continue;
    }
    if (line.empty()) continue;
    if (line[0] == '#') {
      t = std::stoll(line.substr(1));
      if (t_min && first_time) *t_min = t;
      if (t_max) *t_max = t;
      first_time = false;
    } else if (line == "1" + id) {
      edges.push_back(t);
    }
  }
  return edges;
}

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("ecg_bridge_" + std::to_string(::getpid()) + "_" + name)).string();
}

// --trace-beats k:k: the file holds exactly the clock edges of beat k's job in the full waveform.
TEST(BridgeTrace, WindowIsOneBeat) {
  const std::string full = tmp_path("full.vcd"), win = tmp_path("win.vcd");
  run_side("qrcnn", "fast", 5, full);
  run_side("qrcnn", "fast", 5, win, 2, 2);
  long long w_min = 0, w_max = 0;
  const std::vector<long long> all = clk_edges(full), w = clk_edges(win, &w_min, &w_max);
  ASSERT_FALSE(w.empty());
  ASSERT_GE(w.size(), 2u);
  const long long period = w[1] - w[0];  // the configured clock's (12 MHz: 83 333 ps)
  ASSERT_GT(period, 0);
  // The full waveform's edges in runs (the clock is gated between jobs).
  std::vector<std::vector<long long>> runs;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i == 0 || all[i] - all[i - 1] > period + period / 2) runs.emplace_back();
    runs.back().push_back(all[i]);
  }
  ASSERT_GE(runs.size(), 4u);  // load + beat 0, beats 1..4
  bool found = false;
  for (std::size_t r = 1; r + 1 < runs.size(); ++r) found = found || runs[r] == w;
  EXPECT_TRUE(found) << "the windowed edges are not one job's run of the full waveform";
  EXPECT_GE(w_min, w.front() - period);  // nothing before the window
  EXPECT_LE(w_max, w.back() + period);   // nor after it
  EXPECT_LT(std::filesystem::file_size(win) * 3, std::filesystem::file_size(full));
  // The TLM lanes are in the file, above the RTL scope, and the engine is busy in the window.
  std::ifstream in(win);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* lane : {"beat_id", "dma_busy", "engine_busy", "queue_depth", "irq", "result_class", "latency_cycles"})
    EXPECT_NE(text.find(std::string(" ") + lane), std::string::npos) << lane;
  EXPECT_LT(text.find("$scope module tlm"), text.find("clk_i"));
  EXPECT_NE(text.find("\n1~~~~c\n"), std::string::npos);  // engine_busy rises
  EXPECT_NE(text.find("b10 ~~~~a"), std::string::npos);     // beat_id = 2
  std::filesystem::remove(full);
  std::filesystem::remove(win);
}

// FILE.fst: converted by vcd2fst, readable by fst2vcd, the same edges as the VCD.
TEST(BridgeTrace, FstOpensWithFst2vcd) {
  const std::string vcd = tmp_path("w.vcd"), fst = tmp_path("w.fst"), back = tmp_path("back.vcd");
  run_side("bnn", "fast", 3, vcd, 1, 1);
  run_side("bnn", "fast", 3, fst, 1, 1);
  ASSERT_TRUE(std::filesystem::exists(fst));
  EXPECT_FALSE(std::filesystem::exists(fst + ".tmp.vcd"));
  ASSERT_EQ(std::system(("fst2vcd -f " + fst + " -o " + back + " > /dev/null 2>&1").c_str()), 0);
  const std::vector<long long> a = clk_edges(vcd), b = clk_edges(back);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_LT(std::filesystem::file_size(fst), std::filesystem::file_size(vcd));
  for (const auto& p : {vcd, fst, back}) std::filesystem::remove(p);
}
#endif

}  // namespace
}  // namespace ecg::rtl

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
