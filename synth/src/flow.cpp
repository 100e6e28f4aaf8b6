// The synthesis / place-and-route flow (synth/flow.h): Yosys scripts written per request,
// the tools run as child processes with their logs in the work folder, and the results
// parsed from the tools' own reports (stat -json, nextpnr --report).
#include "ecg/synth/flow.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ecg/error.h"
#include "ecg/atomic_file.h"

extern char** environ;

namespace ecg::synth {
namespace fs = std::filesystem;
namespace {

// Bump when the scripts or the result format change: part of every cache key.
constexpr const char* kFlowVersion = "synth-flow-4";
// Parameters board_top declares itself and passes to the engine.
const std::set<std::string> kBoardParams = {"MaxClasses"};

using Clock = std::chrono::steady_clock;

std::string src_path(const std::string& rel) { return fmt::format("{}/{}", ECG_SIM_SOURCE_DIR, rel); }

// Runs argv with stdout+stderr into `log` (every path handed to a tool is absolute); calls tick about 5 times a second.
// Returns the exit status (128 + signal when killed). A missing program is an InputError.
int run_tool(const std::vector<std::string>& argv, const std::string& log, const std::function<void()>& tick) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw InputError(fmt::format("{}: cannot run ({}); install it with scripts/install_deps.sh", argv[0],
                                 std::strerror(rc)));
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return 127;
    if (tick) tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// First line of a program's output (its version), "" if it cannot run.
std::string tool_version(const std::vector<std::string>& argv, const std::string& tmp_log) {
  int rc = 0;
  try {
    rc = run_tool(argv, tmp_log, {});
  } catch (const InputError&) {
    return "";
  }
  std::istringstream in(read_text(tmp_log));
  std::string line;
  std::getline(in, line);
  fs::remove(tmp_log);
  return rc == 0 ? line : "";
}

// FNV-1a, 64 bit: a cache key needs a stable hash of a few files, not a cryptographic one,
// and the project links no digest library for it.
std::uint64_t fnv1a(const std::string& s, std::uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string join_quoted(const std::vector<std::string>& files) {
  std::string s;
  for (const auto& f : files) s += fmt::format(" \"{}\"", f);
  return s;
}

// Elaboration: engine + board, the engine's parameters, proc; per-module stats before
// flattening; then flatten + opt and the generic checks; the design saved for the mapping.
std::string elaborate_script(const FlowRequest& req, const std::string& dir) {
  std::string s;
  s += fmt::format("read_verilog -sv{}\n", join_quoted(req.engine_sources));
  // The variant's parameters reach the engine through board_top's instance (a macro): Yosys
  // 0.23 loses a chparam'd module when hierarchy re-derives it for its submodules.
  std::string engine_params, board_set;
  for (const auto& [k, v] : req.params) {
    if (kBoardParams.count(k))
      board_set += fmt::format(" -set {} {}", k, v);
    else
      engine_params += fmt::format(".{}({}),", k, v);
  }
  s += fmt::format("read_verilog -sv -DECG_BOARD_ENGINE={} -DECG_BOARD_ENGINE_PARAMS={}{}\n", req.engine_top,
                   engine_params, join_quoted(board_sources()));
  if (!board_set.empty()) s += fmt::format("chparam{} board_top\n", board_set);
  s += "hierarchy -check -top board_top\nproc\n";
  s += fmt::format("tee -q -o {}/generic_stat.json stat -json\n", dir);
  s += "flatten\nopt\nwreduce\nopt_clean\n";
  s += fmt::format("tee -q -o {}/divmod.txt select -count t:$div t:$mod t:$divfloor t:$modfloor\n", dir);
  s += fmt::format("tee -q -o {}/mul.txt select -count t:$mul\n", dir);
  // mul2dsp's thresholds for the iCE40 DSP (synth_ice40 -dsp): both inputs >= 2 bits, product >= 11.
  s += fmt::format("tee -q -o {}/mul_dsp.txt select -count t:$mul r:Y_WIDTH>=11 %i r:A_WIDTH>=2 %i r:B_WIDTH>=2 %i\n", dir);
  // Products of a 1- or 2-bit operand: what a binary (+-1) lane written as a multiply gives.
  s += fmt::format("tee -q -o {}/mul_narrow.txt select -count t:$mul r:A_WIDTH<=2 %i t:$mul r:B_WIDTH<=2 %i %u\n", dir);
  s += fmt::format("write_rtlil {}/elab.il\n", dir);
  return s;
}

std::string synth_script(const FlowRequest& req, const std::string& dir, bool use_dsp) {
  std::string cmd, mem_stage, ff_stage;
  if (req.device.family == "ice40") {
    cmd = fmt::format("synth_ice40 -top board_top -spram{}", use_dsp ? " -dsp" : "");
    mem_stage = "map_ram";
  } else {
    cmd = "synth_xilinx -family xc7 -flatten -top board_top";
    mem_stage = "map_memory";
  }
  ff_stage = "map_ffram";
  std::string s = fmt::format("read_rtlil {}/elab.il\n", dir);
  // The pipe engine's large weight RAMs ask for the iCE40 UltraPlus SPRAM (ram_style "huge"),
  // which Yosys 0.23 has no Xilinx mapping for ("no valid mapping found"): block RAM there.
  if (req.device.family != "ice40") s += "setattr -unset ram_style m:*\n";
  s += fmt::format("{} -run begin:{}\n", cmd, mem_stage);
  s += fmt::format("tee -q -o {}/mem_all.txt dump t:$mem_v2\n", dir);
  s += fmt::format("{} -run {}:{}\n", cmd, mem_stage, ff_stage);
  s += fmt::format("tee -q -o {}/mem_ff.txt dump t:$mem_v2\n", dir);
  if (req.check_only) return s;
  if (req.device.family == "ice40")
    s += fmt::format("{} -run {}: -json {}/board.json\n", cmd, ff_stage, dir);
  else
    s += fmt::format("{} -run {}:\nwrite_json {}/board.json\n", cmd, ff_stage, dir);
  s += fmt::format("tee -q -o {}/stat.json stat -json\n", dir);
  return s;
}

nlohmann::json read_json(const std::string& path) {
  const std::string t = read_text(path);
  if (t.empty()) return nullptr;
  try {
    return nlohmann::json::parse(t);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

long count_type(const nlohmann::json& cells, const std::function<bool(const std::string&)>& pred) {
  long n = 0;
  for (auto it = cells.begin(); it != cells.end(); ++it)
    if (pred(it.key())) n += it.value().get<long>();
  return n;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace

long Variant::param_int(const std::string& key) const {
  for (const auto& [k, v] : params)
    if (k == key) {
      try {
        return std::stol(v);
      } catch (const std::exception&) {
        return -1;
      }
    }
  return -1;
}

std::vector<Variant> load_variants(const std::string& path) {
  const std::string text = read_text(path);
  if (text.empty()) throw InputError(fmt::format("{}: no RTL variant registry (reconfigure the build)", path));
  std::vector<Variant> out;
  try {
    for (const auto& j : nlohmann::json::parse(text)) {
      Variant v;
      v.name = j.at("name").get<std::string>();
      v.style = j.at("style").get<std::string>();
      v.arch = j.at("arch").get<std::string>();
      v.top = j.at("top").get<std::string>();
      v.sources = j.at("sources").get<std::vector<std::string>>();
      for (const auto& p : j.at("params")) {
        const auto s = p.get<std::string>();
        const auto eq = s.find('=');
        if (eq == std::string::npos) throw InputError(fmt::format("{}: parameter '{}' is not Name=Value", path, s));
        v.params.emplace_back(s.substr(0, eq), s.substr(eq + 1));
      }
      out.push_back(std::move(v));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: malformed RTL variant registry ({})", path, e.what()));
  }
  return out;
}

const std::vector<Device>& devices() {
  // iCE40UP5K (Lattice DS1056: 5280 LUT4 + FF, 30 EBR of 4 kbit, 4 SPRAM of 256 kbit, 8 DSP;
  // SG48 package: 39 I/O). XC7A35T (Xilinx DS180: 20800 LUT6, 41600 FF, 90 DSP48E1,
  // 50 RAMB36 = 100 RAMB18).
  static const std::vector<Device> list = {
      {"up5k", "ice40", {{"lut", 5280}, {"ff", 5280}, {"lc", 5280}, {"ebr", 30}, {"spram", 4}, {"dsp", 8}, {"io", 39}}},
      {"xc7a35t", "xc7", {{"lut", 20800}, {"ff", 41600}, {"dsp", 90}, {"ramb36", 50}, {"ramb18", 100}}},
  };
  return list;
}

const Device& find_device(const std::string& name) {
  std::string names;
  for (const auto& d : devices()) {
    if (d.name == name) return d;
    names += (names.empty() ? "" : ", ") + d.name;
  }
  throw InputError(fmt::format("--device {}: unknown device (devices: {})", name, names));
}

std::vector<std::string> board_sources() {
  return {src_path("rtl/board/board_spi.sv"), src_path("rtl/board/board_link.sv"), src_path("rtl/board/board_top.sv")};
}

std::string pcf_file() { return src_path("synth/up5k_sg48.pcf"); }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string request_key(const FlowRequest& req) {
  const std::string tmp = fmt::format("{}/.version.{}", fs::temp_directory_path().string(), ::getpid());
  nlohmann::json k = {{"flow", kFlowVersion},
                      {"device", req.device.name},
                      {"top", req.engine_top},
                      {"params", req.params},
                      {"dsp", req.dsp},
                      {"check_only", req.check_only},
                      {"seed", req.seed},
                      {"yosys", tool_version({"yosys", "-V"}, tmp)}};
  if (!req.check_only && req.device.family == "ice40") {
    k["clock_mhz"] = req.clock_mhz;
    k["nextpnr"] = tool_version({"nextpnr-ice40", "--version"}, tmp);
  }
  std::uint64_t h = fnv1a(k.dump());
  std::vector<std::string> files = req.engine_sources;
  for (const auto& f : board_sources()) files.push_back(f);
  files.push_back(pcf_file());
  for (const auto& f : files) h = fnv1a(read_text(f), fnv1a(fs::path(f).filename().string(), h));
  return fmt::format("{:016x}", h);
}

std::vector<Memory> parse_memory_dump(const std::string& dump) {
  std::vector<Memory> out;
  std::istringstream in(dump);
  std::string line;
  static const std::regex cell_re(R"(^\s*cell \$mem_v2 (\S+))");
  static const std::regex par_re(R"(^\s*parameter \\(SIZE|WIDTH) (\d+))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, cell_re)) {
      std::string name = m[1];
      if (!name.empty() && name[0] == '\\') name.erase(0, 1);
      out.push_back({name, 0, 0});
    } else if (!out.empty() && std::regex_search(line, m, par_re)) {
      (m[1] == "SIZE" ? out.back().depth : out.back().width) = std::stol(m[2]);
    }
  }
  return out;
}

long parse_select_count(const std::string& text) {
  static const std::regex re(R"((\d+) objects\.)");
  std::smatch m;
  if (std::regex_search(text, m, re)) return std::stol(m[1]);
  return -1;
}

std::vector<Memory> parse_mem2reg(const std::string& log, const std::string& wire_dump, const std::string& ff_dump) {
  std::set<std::string> names;
  static const std::regex rep_re(R"(Replacing memory \\(\S+) with list of registers)");
  for (std::sregex_iterator it(log.begin(), log.end(), rep_re), end; it != end; ++it) names.insert((*it)[1]);
  // Elements driven by a flip-flop (its Q); an array of wires (e.g. an adder tree's nodes)
  // is combinational logic, not a memory.
  std::set<std::string> ff_q;
  static const std::regex q_re(R"(^\s*connect \\Q (.*)$)");
  static const std::regex elem_re(R"(\\(\S+\[\d+\]))");
  std::istringstream fin(ff_dump);
  std::string line;
  std::smatch m;
  while (std::getline(fin, line)) {
    if (!std::regex_search(line, m, q_re)) continue;
    const std::string rhs = m[1];
    for (std::sregex_iterator it(rhs.begin(), rhs.end(), elem_re), end; it != end; ++it) ff_q.insert((*it)[1]);
  }
  std::map<std::string, Memory> mems;  // by full (flattened) name
  static const std::regex wire_re(R"(^\s*wire (?:width (\d+) )?(?:\S+ \d+ )*\\(\S+)\[\d+\]\s*$)");
  static const std::regex name_re(R"(\\(\S+\[\d+\])\s*$)");
  std::istringstream in(wire_dump);
  while (std::getline(in, line)) {
    if (!std::regex_search(line, m, wire_re)) continue;
    const std::string full = m[2];
    const auto dot = full.rfind('.');
    const std::string base = dot == std::string::npos ? full : full.substr(dot + 1);
    if (!names.count(base)) continue;
    const long width = m[1].matched ? std::stol(m[1]) : 1;
    if (std::regex_search(line, m, name_re) && !ff_q.count(m[1])) continue;
    auto& mem = mems[full];
    mem.name = full;
    mem.width = width;
    mem.depth += 1;
  }
  std::vector<Memory> out;
  for (auto& [k, v] : mems) out.push_back(v);
  return out;
}

nlohmann::json utilization_from_stat(const nlohmann::json& stat, const std::string& family) {
  const nlohmann::json cells =
      stat.is_object() && stat.contains("design") ? stat["design"].value("num_cells_by_type", nlohmann::json::object())
                                                  : nlohmann::json::object();
  auto is = [](const char* t) { return [t](const std::string& s) { return s == t; }; };
  if (family == "ice40")
    return {{"lut", count_type(cells, is("SB_LUT4"))},
            {"ff", count_type(cells, [](const std::string& s) { return starts_with(s, "SB_DFF"); })},
            {"carry", count_type(cells, is("SB_CARRY"))},
            {"ebr", count_type(cells, [](const std::string& s) { return starts_with(s, "SB_RAM40_4K"); })},
            {"spram", count_type(cells, is("SB_SPRAM256KA"))},
            {"dsp", count_type(cells, is("SB_MAC16"))}};
  return {{"lut", count_type(cells, [](const std::string& s) { return starts_with(s, "LUT") && s.size() == 4; })},
          {"ff", count_type(cells, [](const std::string& s) { return starts_with(s, "FD"); })},
          {"dsp", count_type(cells, is("DSP48E1"))},
          {"ramb18", count_type(cells, is("RAMB18E1"))},
          {"ramb36", count_type(cells, is("RAMB36E1"))},
          {"lutram", count_type(cells, [](const std::string& s) { return starts_with(s, "RAM") && !starts_with(s, "RAMB"); })},
          {"srl", count_type(cells, [](const std::string& s) { return starts_with(s, "SRL"); })},
          {"carry", count_type(cells, is("CARRY4"))}};
}

nlohmann::json mul_cells_by_module(const nlohmann::json& stat) {
  nlohmann::json out = nlohmann::json::object();
  if (!stat.is_object() || !stat.contains("modules")) return out;
  for (auto it = stat["modules"].begin(); it != stat["modules"].end(); ++it) {
    const auto& cells = it.value().value("num_cells_by_type", nlohmann::json::object());
    const long n = cells.value("$mul", 0L);
    if (n == 0) continue;
    std::string name = it.key();  // "\name" or "$paramod\name\P=..." (or "$paramod$hash\name")
    if (starts_with(name, "$paramod")) {
      const auto a = name.find('\\');
      const auto b = name.find('\\', a + 1);
      name = name.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    } else if (!name.empty() && name[0] == '\\') {
      name.erase(0, 1);
    }
    out[name] = out.value(name, 0L) + n;
  }
  return out;
}

double fmax_from_report(const nlohmann::json& report) {
  if (!report.is_object() || !report.contains("fmax")) return 0;
  double f = 0;
  for (const auto& c : report["fmax"]) {
    const double a = c.value("achieved", 0.0);
    if (a > 0 && (f == 0 || a < f)) f = a;
  }
  return f;
}

std::string first_error(const std::string& log) {
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (line.find("ERROR:") != std::string::npos) return line.substr(line.find("ERROR:"));
  return "";
}

nlohmann::json run_flow(const FlowRequest& req, const StepFn& on_step) {
  const std::string dir = fs::absolute(req.work_dir).string();
  fs::create_directories(dir);
  const auto t_all = Clock::now();
  nlohmann::json r = {{"device", req.device.name}, {"family", req.device.family},
                      {"check_only", req.check_only}, {"capacity", req.device.capacity}};
  nlohmann::json steps = nlohmann::json::array();
  nlohmann::json problems = nlohmann::json::array();
  std::string step_name;
  auto tick = [&] {
    if (on_step) on_step(step_name);
  };
  // One tool run, timed; false (and a problem recorded) when it fails.
  auto step = [&](const std::string& name, const std::vector<std::string>& argv, const std::string& log) {
    step_name = name;
    if (on_step) on_step(name);
    const auto t0 = Clock::now();
    const int rc = run_tool(argv, log, tick);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    steps.push_back({{"name", name}, {"wall_s", s}, {"exit", rc}, {"log", fs::path(log).filename().string()}});
    if (rc != 0) {
      const std::string err = first_error(read_text(log));
      problems.push_back(fmt::format("{} failed (exit {}): {}", name, rc, err.empty() ? "see " + log : err));
    }
    return rc == 0;
  };
  auto finish = [&]() {
    r["steps"] = steps;
    r["problems"] = problems;
    r["wall_s"] = std::chrono::duration<double>(Clock::now() - t_all).count();
    r["pass"] = problems.empty();
    return r;
  };

  // 1. Elaborate and check the generic design.
  write_file_atomic(dir + "/elaborate.ys", elaborate_script(req, dir));
  if (!step("elaborate", {"yosys", "-q", "-l", dir + "/elaborate.log", "-s", dir + "/elaborate.ys"}, dir + "/elaborate.out"))
    return finish();
  nlohmann::json g;
  g["div_mod_cells"] = parse_select_count(read_text(dir + "/divmod.txt"));
  g["mul_cells"] = parse_select_count(read_text(dir + "/mul.txt"));
  g["dsp_eligible_mul_cells"] = parse_select_count(read_text(dir + "/mul_dsp.txt"));
  g["narrow_mul_cells"] = parse_select_count(read_text(dir + "/mul_narrow.txt"));
  g["mul_cells_by_module"] = mul_cells_by_module(read_json(dir + "/generic_stat.json"));
  if (g["div_mod_cells"].get<long>() != 0)
    problems.push_back(fmt::format("{} $div/$mod cells in the generic design", g["div_mod_cells"].get<long>()));

  // Arrays the front end made into registers (mem2reg): listed as flip-flop memories.
  const std::string elab_log = read_text(dir + "/elaborate.log");
  std::vector<Memory> ff_mems;
  if (elab_log.find("with list of registers") != std::string::npos) {
    write_file_atomic(dir + "/wires.ys", fmt::format("read_rtlil {0}/elab.il\ntee -q -o {0}/wires.txt dump w:*\n"
                                                     "tee -q -o {0}/ffs.txt dump t:$*dff*\n",
                                                     dir));
    if (step("list-registers", {"yosys", "-q", "-s", dir + "/wires.ys"}, dir + "/wires.out"))
      ff_mems = parse_mem2reg(elab_log, read_text(dir + "/wires.txt"), read_text(dir + "/ffs.txt"));
  }

  // 2. Technology mapping.
  bool use_dsp = req.dsp == "on";
  if (req.dsp == "auto" && req.device.family == "ice40")
    use_dsp = g["dsp_eligible_mul_cells"].get<long>() <= req.device.capacity["dsp"].get<long>();
  r["dsp_mapping"] = req.device.family == "ice40" ? (use_dsp ? "dsp" : "lut") : "dsp";
  write_file_atomic(dir + "/synth.ys", synth_script(req, dir, use_dsp));
  const bool synth_ok =
      step("synthesize", {"yosys", "-q", "-l", dir + "/synth.log", "-s", dir + "/synth.ys"}, dir + "/synth.out");

  nlohmann::json mems = nlohmann::json::array();
  long ff_bits_max = 0;
  std::set<std::string> to_ff;
  for (const auto& m : parse_memory_dump(read_text(dir + "/mem_ff.txt"))) to_ff.insert(m.name);
  for (const auto& m : parse_memory_dump(read_text(dir + "/mem_all.txt"))) {
    const bool ff = to_ff.count(m.name) != 0;
    mems.push_back({{"name", m.name}, {"width", m.width}, {"depth", m.depth}, {"bits", m.bits()}, {"mapped", ff ? "ff" : "ram"}});
    if (ff) ff_bits_max = std::max(ff_bits_max, m.bits());
  }
  for (const auto& m : ff_mems) {
    mems.push_back({{"name", m.name}, {"width", m.width}, {"depth", m.depth}, {"bits", m.bits()}, {"mapped", "ff (registers)"}});
    ff_bits_max = std::max(ff_bits_max, m.bits());
  }
  g["memories"] = mems;
  g["ff_memory_bits_max"] = ff_bits_max;
  r["generic"] = g;
  if (ff_bits_max > 256)
    problems.push_back(fmt::format("a memory of {} bits is mapped to flip-flops (limit 256)", ff_bits_max));
  if (!synth_ok || req.check_only) return finish();

  nlohmann::json util = utilization_from_stat(read_json(dir + "/stat.json"), req.device.family);
  r["utilization"] = util;
  bool fits = true;
  for (auto it = util.begin(); it != util.end(); ++it)
    if (req.device.capacity.contains(it.key()) && it.value().get<long>() > req.device.capacity[it.key()].get<long>())
      fits = false;
  if (req.device.family == "xc7") {
    // Each RAMB36 holds two RAMB18s.
    if (2 * util["ramb36"].get<long>() + util["ramb18"].get<long>() > req.device.capacity["ramb18"].get<long>()) fits = false;
    r["fits"] = fits;
    if (!fits) problems.push_back("the design does not fit the device");
    return finish();
  }

  // 3. Place and route (iCE40 UltraPlus, SG48), timing at the target clock, bitstream.
  const bool pnr_ok = step("place-route",
                           {"nextpnr-ice40", "--up5k", "--package", "sg48", "--json", dir + "/board.json", "--pcf",
                            pcf_file(), "--asc", dir + "/board.asc", "--freq", fmt::format("{}", req.clock_mhz),
                            "--seed", std::to_string(req.seed), "--timing-allow-fail", "--report",
                            dir + "/report.json", "-l", dir + "/pnr.log", "-q"},
                           dir + "/pnr.out");
  const nlohmann::json rep = read_json(dir + "/report.json");
  if (rep.is_object() && rep.contains("utilization")) {
    const auto& u = rep["utilization"];
    auto used = [&](const char* k) { return u.contains(k) ? u[k].value("used", 0L) : 0L; };
    util["lc"] = used("ICESTORM_LC");
    util["io"] = used("SB_IO");
    util["gb"] = used("SB_GB");
    r["utilization"] = util;
  }
  if (!pnr_ok) {
    const std::string err = first_error(read_text(dir + "/pnr.log"));
    r["fits"] = !(err.find("Unable to place") != std::string::npos || err.find("available") != std::string::npos ||
                  err.find("no BELs") != std::string::npos) && fits;
    return finish();
  }
  r["fits"] = fits;
  if (!fits) problems.push_back("the design does not fit the device");
  const double fmax = fmax_from_report(rep);
  r["timing"] = {{"clock_mhz", req.clock_mhz}, {"fmax_mhz", fmax}, {"meets_clock", fmax >= req.clock_mhz}, {"seed", req.seed}};
  if (fmax < req.clock_mhz)
    problems.push_back(fmt::format("timing: fmax {:.2f} MHz is below the {:.2f} MHz clock", fmax, req.clock_mhz));
  if (step("bitstream", {"icepack", dir + "/board.asc", dir + "/board.bin"}, dir + "/icepack.out")) {
    std::error_code ec;
    const auto bytes = fs::file_size(dir + "/board.bin", ec);
    r["bitstream"] = {{"file", "board.bin"}, {"bytes", ec ? 0 : bytes}};
  }
  return finish();
}

}  // namespace ecg::synth
