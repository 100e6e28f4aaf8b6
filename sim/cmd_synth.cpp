// `ecg_sim synth`: synthesis, place-and-route and bitstream of an arch's engine variant behind
// the board top (synth/flow.h, docs/synth.md). Results are cached in the build folder per
// (variant, parameters, clock, device, sources, tool versions).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "ecg/error.h"
#include "ecg/atomic_file.h"
#include "ecg/qnet.h"
#include "ecg/run/report.h"
#include "ecg/synth/flow.h"
#include "ecg/hw/engine_model.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"

namespace ecg::cli {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct SynthOptions {
  std::string arch, device = "up5k", config, weights, json, dsp = "auto", cache_dir;
  std::vector<std::string> params;
  // A module of your own instead of an arch's variant (the flow's tests use it).
  std::string engine_top;
  std::vector<std::string> rtl, gparams;
  double clock_mhz = 0;
  int seed = 1;
  bool check_only = false, no_cache = false;
};

// A one-line status on stderr while the tools run, only when stderr is a terminal.
class StepLine {
 public:
  explicit StepLine(std::string label) : m_label(std::move(label)), m_on(::isatty(STDERR_FILENO) != 0), m_t0(Clock::now()) {}
  ~StepLine() { done(); }
  void show(const std::string& step) {
    if (!m_on) return;
    const auto now = Clock::now();
    if (step != m_step) {
      m_step = step;
      m_ts = now;
    } else if (now - m_last < std::chrono::milliseconds(500)) {
      return;
    }
    m_last = now;
    std::fprintf(stderr, "\r\033[K%s: %s %.0f s (total %.0f s)", m_label.c_str(), step.c_str(),
                 std::chrono::duration<double>(now - m_ts).count(), std::chrono::duration<double>(now - m_t0).count());
    std::fflush(stderr);
    m_drawn = true;
  }
  void done() {
    if (m_drawn) std::fputs("\r\033[K", stderr);
    m_drawn = false;
  }

 private:
  std::string m_label, m_step;
  bool m_on, m_drawn = false;
  Clock::time_point m_t0, m_ts, m_last;
};

std::pair<std::string, std::string> split_kv(const std::string& kv, const std::string& flag) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
    throw InputError(fmt::format("{} {}: expected Name=Value", flag, kv));
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

struct Resolved {
  synth::FlowRequest req;
  std::string label;  // what is built, for the table and the cache folder
  nlohmann::json meta;
};

Resolved resolve(const SynthOptions& o) {
  Resolved r;
  r.req.device = synth::find_device(o.device);
  r.req.dsp = o.dsp;
  r.req.check_only = o.check_only;
  r.req.seed = o.seed;
  if (!o.engine_top.empty()) {
    if (!o.arch.empty()) throw InputError("--engine-top: give either --arch or --engine-top, not both");
    if (o.rtl.empty()) throw InputError("--engine-top: needs its sources (--rtl FILE...)");
    for (const auto& f : o.rtl) {
      if (!fs::is_regular_file(f)) throw InputError(fmt::format("--rtl {}: no such file", f));
      r.req.engine_sources.push_back(fs::absolute(f).string());
    }
    for (const auto& g : o.gparams) r.req.params.push_back(split_kv(g, "-g"));
    r.req.engine_top = o.engine_top;
    r.req.clock_mhz = o.clock_mhz > 0 ? o.clock_mhz : 12.0;
    r.label = o.engine_top;
    r.meta = {{"engine_top", o.engine_top}};
    return r;
  }
  if (o.arch.empty()) throw InputError("synth: --arch is required (e.g. --arch qrcnn)");
  if (!o.gparams.empty() || !o.rtl.empty() || o.clock_mhz > 0)
    throw InputError("synth: -g/--rtl/--clock-mhz go with --engine-top; for an arch use -p key=value");
  const std::string weights = resolve_weights_dir(o.weights);
  const std::string model = task_model_path(weights, o.arch, "aami");  // the run's default model (its config is the same)
  if (!fs::is_regular_file(model)) throw InputError(fmt::format("--arch {}: no network {}", o.arch, model));
  const Network net = load_network(model);
  TlmOptions t;
  t.config_file = o.config;
  t.params = o.params;
  const ParamSet ps = make_platform_params(net, net_geometry(net), t);  // exit 2 on a bad config
  const long pe = static_cast<long>(ps.get(engine_param::kPe)), simd = static_cast<long>(ps.get(engine_param::kSimd));
  // engine.style picks the engine (seq_engine or pipe_engine: dwsep has both), pe/simd its shape.
  const std::string style = ps.get(engine_param::kStyle);
  const auto variants = synth::load_variants(ECG_SYNTH_VARIANTS);
  std::string shapes;
  const synth::Variant* v = nullptr;
  for (const auto& c : variants) {
    if (c.arch != o.arch || c.style != style) continue;
    if (c.param_int("Pe") == pe && c.param_int("Simd") == simd) {
      v = &c;
      break;
    }
    shapes += fmt::format(" pe={} simd={};", c.param_int("Pe"), c.param_int("Simd"));
  }
  if (!v && shapes.empty()) throw InputError(fmt::format("--arch {}: no {} RTL variant to synthesize (engine.style)", o.arch, style));
  if (!v)
    throw InputError(fmt::format("engine.pe={} engine.simd={}: no {} {} RTL variant with that shape (available:{})",
                                 pe, simd, o.arch, style, shapes));
  r.req.engine_top = v->top;
  r.req.engine_sources = v->sources;
  r.req.params = v->params;
  r.req.clock_mhz = ps.get(platform_param::kClockMhz);
  r.label = fmt::format("{} ({})", o.arch, v->name);
  r.meta = {{"arch", o.arch},
            {"config", o.config.empty() ? fmt::format("configs/{}.toml", o.arch) : o.config},
            {"overrides", o.params},
            {"variant", v->name},
            {"engine_top", v->top}};
  return r;
}

std::string pct(long used, const nlohmann::json& cap, const char* key) {
  if (!cap.contains(key) || cap[key].get<long>() == 0) return "";
  return fmt::format("{:5.1f} %", 100.0 * static_cast<double>(used) / cap[key].get<double>());
}

void print_table(const nlohmann::json& j) {
  const auto& cap = j["capacity"];
  std::string params;
  for (const auto& [k, v] : j["params"].items()) params += fmt::format(" {}={}", k, v.get<std::string>());
  fmt::print("ecg_sim synth {} on {}{}: {}{}\n", j.value("label", ""), j["device"].get<std::string>(),
             j.value("family", "") == "ice40" && !j.value("check_only", false)
                 ? fmt::format(" at {} MHz", j["clock_mhz"].get<double>())
                 : "",
             j["engine_top"].get<std::string>(), params.empty() ? "" : " (" + params.substr(1) + ")");
  if (j.contains("utilization")) {
    fmt::print("  {:<12} {:>7} {:>9} {:>8}\n", "resource", "used", "available", "");
    for (const auto& [k, v] : j["utilization"].items()) {
      const long used = v.get<long>();
      fmt::print("  {:<12} {:>7} {:>9} {:>8}\n", k, used, cap.contains(k) ? std::to_string(cap[k].get<long>()) : "",
                 pct(used, cap, k.c_str()));
    }
    if (j.contains("fits")) fmt::print("  fits         {}\n", j["fits"].get<bool>() ? "yes" : "NO");
  }
  if (j.contains("timing")) {
    const auto& t = j["timing"];
    fmt::print("  fmax         {:.2f} MHz (nextpnr, seed {}): {} at {} MHz\n", t["fmax_mhz"].get<double>(),
               t["seed"].get<int>(), t["meets_clock"].get<bool>() ? "meets the clock" : "MISSES the clock",
               t["clock_mhz"].get<double>());
  }
  if (j.contains("bitstream"))
    fmt::print("  bitstream    {} B ({})\n", j["bitstream"]["bytes"].get<long>(),
               (fs::path(j["work_dir"].get<std::string>()) / j["bitstream"]["file"].get<std::string>()).string());
  if (j.contains("generic")) {
    const auto& g = j["generic"];
    long in_ram = 0, in_ff = 0;
    for (const auto& m : g["memories"]) (m["mapped"].get<std::string>() == "ram" ? in_ram : in_ff)++;
    fmt::print("  checks       {} $div/$mod cells; {} $mul cells (mapped to {}); memories: {} in RAM, {} in flip-flops "
               "(largest {} bits)\n",
               g["div_mod_cells"].get<long>(), g["mul_cells"].get<long>(),
               j.value("dsp_mapping", "dsp") == "dsp" ? "DSPs" : "LUTs", in_ram, in_ff, g["ff_memory_bits_max"].get<long>());
  }
  std::string steps;
  for (const auto& s : j["steps"]) steps += fmt::format("{} {:.1f} s, ", s["name"].get<std::string>(), s["wall_s"].get<double>());
  fmt::print("  flow         {}total {:.1f} s{}\n", steps, j["wall_s"].get<double>(),
             j.value("cached", false) ? " (cached result)" : "");
  fmt::print("  logs         {}\n", j["work_dir"].get<std::string>());
}

int run_synth(const SynthOptions& o) {
  if (o.dsp != "auto" && o.dsp != "on" && o.dsp != "off") throw InputError(fmt::format("--dsp {}: expected auto, on or off", o.dsp));
  if (!o.json.empty()) check_output_path(o.json, "--json");
  Resolved res = resolve(o);
  const std::string cache = o.cache_dir.empty() ? std::string(ECG_SYNTH_CACHE_DIR) : o.cache_dir;
  const std::string key = synth::request_key(res.req);
  // Named by the request's key alone: an --engine-top run of a variant's exact sources and
  // parameters is the same request as the arch's.
  const std::string dir = fmt::format("{}/{}-{}{}", cache, key, res.req.device.name, o.check_only ? "-check" : "");
  const std::string result_file = dir + "/result.json";

  nlohmann::json j;
  if (!o.no_cache && fs::is_regular_file(result_file)) {
    try {
      j = nlohmann::json::parse(synth::read_text(result_file));
      j["cached"] = true;
    } catch (const nlohmann::json::exception&) {
      j = nullptr;
    }
  }
  if (j.is_null()) {
    // Run in a private folder and move it into place when done: concurrent runs of the same
    // request never see each other's half-written files.
    const std::string tmp = fmt::format("{}.tmp{}", dir, ::getpid());
    fs::remove_all(tmp);
    res.req.work_dir = tmp;
    {
      StepLine line(fmt::format("synth {} {}", res.label, res.req.device.name));
      j = synth::run_flow(res.req, [&line](const std::string& s) { line.show(s); });
    }
    j["key"] = key;
    // A tool killed by a signal (out of memory, interrupted) is not a result to keep.
    bool killed = false;
    for (const auto& s : j["steps"]) killed = killed || s["exit"].get<int>() >= 128;
    write_file_atomic(tmp + "/result.json", j.dump(2) + "\n");
    std::error_code ec;
    if (!killed) {
      fs::remove_all(dir, ec);
      fs::rename(tmp, dir, ec);
      if (ec) fs::remove_all(tmp, ec);  // another run finished the same request first
    }
    if (killed) j["work_dir_kept"] = tmp;
    j["cached"] = false;
  }
  // What was asked (the cached result may come from another spelling of the same request).
  j.update(res.meta);
  j["label"] = res.label;
  j["engine_top"] = res.req.engine_top;
  j["params"] = nlohmann::json::object();
  for (const auto& [k, v] : res.req.params) j["params"][k] = v;
  j["clock_mhz"] = res.req.clock_mhz;
  j["work_dir"] = j.value("work_dir_kept", dir);
  j.erase("work_dir_kept");
  print_table(j);
  if (!o.json.empty()) {
    write_file_atomic(o.json, j.dump(2) + "\n");
    fmt::print("report: {}\n", o.json);
  }
  std::fflush(stdout);
  for (const auto& p : j["problems"]) fmt::print(stderr, "ecg_sim synth: {}\n", p.get<std::string>());
  return j["pass"].get<bool>() ? 0 : 1;
}

}  // namespace

void add_synth(CLI::App& app) {
  auto o = std::make_shared<SynthOptions>();
  auto* cmd = app.add_subcommand("synth", "Synthesize an arch's engine behind the board top: utilization, Fmax, bitstream (docs/synth.md)");
  cmd->add_option("--arch", o->arch, "Network/hardware style (its configs/<arch>.toml picks the RTL variant and clock)");
  cmd->add_option("--device", o->device, "up5k (iCE40 UltraPlus, SG48: synthesis, place and route, bitstream) or xc7a35t "
                                         "(Artix-7: synthesis utilization)")
      ->capture_default_str();
  cmd->add_option("--config", o->config, "Architecture config file (default configs/<arch>.toml)");
  cmd->add_option("-p,--param", o->params, "Override a config parameter: -p key=value (repeatable), e.g. clock_mhz=24");
  cmd->add_option("--weights", o->weights, "Folder with <arch>/model.json (default: ./weights, then the source tree's)");
  cmd->add_option("--json", o->json, "Write the result as JSON to FILE (keys: docs/synth.md)");
  cmd->add_flag("--check-only", o->check_only, "Stop after memory mapping: the generic checks ($div/$mod, memories in flip-flops)");
  cmd->add_option("--dsp", o->dsp, "iCE40 multipliers: auto (DSPs when they fit the device), on, off")->capture_default_str();
  cmd->add_option("--seed", o->seed, "nextpnr placement seed")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-cache", o->no_cache, "Run the tools even when a cached result exists");
  cmd->add_option("--cache-dir", o->cache_dir, "Where results are cached (default: the build folder's synth/cache)");
  cmd->add_option("--engine-top", o->engine_top, "Synthesize this module (engine ports) instead of an arch's variant");
  cmd->add_option("--rtl", o->rtl, "--engine-top: its SystemVerilog sources, dependencies first");
  cmd->add_option("-g", o->gparams, "--engine-top: a Verilog parameter Name=Value (repeatable)");
  cmd->add_option("--clock-mhz", o->clock_mhz, "--engine-top: target clock in MHz (default 12)")->check(CLI::PositiveNumber);
  cmd->callback([o] {
    const int rc = run_synth(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace ecg::cli
