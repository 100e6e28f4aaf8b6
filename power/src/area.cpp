#include "ecg/power/area.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg::power {
namespace fs = std::filesystem;

DeviceCapacity device_capacity(const std::string& device) {
  // The synth flow's capacities (docs/synth.md): UP5K 5280 LUT4 + FF, 30 EBR of 4 kbit,
  // 4 SPRAM of 256 kbit, 8 DSP; xc7a35t 20 800 LUT6, 41 600 FF, 100 RAMB18 (50 RAMB36), 90 DSP48E1.
  if (device == "up5k") return {"up5k", "EBR", 5280, 5280, 30, 4096, 4, 8};
  if (device == "xc7a35t") return {"xc7a35t", "RAMB18", 20800, 41600, 100, 18432, 0, 90};
  // A standard-cell ASIC (asic45): no capacity limit, no Fmax; its area is gate equivalents
  // and SRAM bits (Yosys generic synthesis, tools/area_synth_shapes.py --device asic), no LUTs.
  const double inf = std::numeric_limits<double>::infinity();
  if (device == "asic") return {"asic", "SRAM", inf, inf, inf, 4096, inf, inf};
  throw InputError(fmt::format("area.device: unknown device \"{}\" (known: up5k, xc7a35t, asic)", device));
}

namespace {

struct Widths {
  int a = 1, w = 1;
};
Widths lane_widths(const NetGeom& net, const std::string& layer = "") {
  Widths r;
  for (const auto& l : net.layers) {
    if (l.w_bits <= 0 || (!layer.empty() && l.name != layer)) continue;
    r.a = std::max(r.a, l.in_binary ? 1 : l.in_bits);
    r.w = std::max(r.w, l.w_bits);
  }
  return r;
}

// The lanes shift-add (pow2 weights everywhere): no lane multiplier.
bool shift_add_lanes(const NetGeom& net) {
  bool any = false;
  for (const auto& l : net.layers)
    if (l.w_bits > 0) {
      if (l.w_encoding != "pow2") return false;
      any = true;
    }
  return any;
}

}  // namespace

AreaFeatures area_features(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t,
                           const DeviceCapacity& dev) {
  AreaFeatures f;
  f.dsp_mapped = dsp_eligible(net, cfg, t) <= dev.dsps;
  const bool shift_add = shift_add_lanes(net);
  auto add_unit = [&](double pe, double simd, double xnor_lanes, const Widths& w) {
    const double lanes = pe * simd;
    f.units += 1;
    f.pe += pe;
    f.lane_operand += lanes * (w.a + w.w) + 2 * pe * xnor_lanes;
    f.xnor += pe * xnor_lanes;
    if (shift_add || !f.dsp_mapped) f.lut_mult += lanes * w.a * w.w;
    if (!f.dsp_mapped) f.requant_lut += pe;
    f.simd_depth = std::max(f.simd_depth, std::log2(std::max(1.0, simd * w.a * w.w)));
  };
  if (t.style == "pipe") {
    for (const auto& p : t.passes)
      add_unit(static_cast<double>(p.pe), static_cast<double>(p.simd), 0, lane_widths(net, p.layer));
  } else {
    add_unit(cfg.pe, cfg.simd, cfg.xnor_lanes, lane_widths(net));
  }
  return f;
}

AreaFeatures gate_features(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t) {
  DeviceCapacity gates = device_capacity("asic");
  gates.dsps = 0;  // no hard multipliers: every multiplier is gates
  return area_features(net, cfg, t, gates);
}

double buffer_bits(const AreaBuffers& b) { return 8.0 * (b.weights + b.activations); }

double model_sram_bits(const AreaBuffers& b, const std::vector<double>& c) {
  return std::max(0.0, dot(c, {1.0, buffer_bits(b)}));
}

AreaBuffers area_buffers(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t) {
  AreaBuffers b;
  b.input = static_cast<double>(net.input_channels) * net.input_length * ((net.input_bits + 7) / 8) + net.aux;
  b.weights = static_cast<double>(cfg.weight_buffer_bits > 0 ? cfg.weight_buffer_bits : t.weight_bits_needed) / 8.0;
  if (t.style == "pipe") {
    for (const auto& p : t.passes) {
      const auto it = std::find_if(net.layers.begin(), net.layers.end(),
                                   [&](const LayerGeom& l) { return l.name == p.layer; });
      if (it == net.layers.end() || (it->type != "conv1d" && it->type != "maxpool")) continue;
      const int cols = cfg.line_buffer_cols > 0 ? cfg.line_buffer_cols : it->k;
      b.line_buffers += static_cast<double>(cols) * it->cin * (it->in_binary ? 1 : it->in_bits) / 8.0;
    }
  } else {
    // seq: two ping-pong activation (reuse) buffers.
    b.activations = 2.0 * static_cast<double>(cfg.act_buffer_bits > 0 ? cfg.act_buffer_bits : t.act_bits_needed) / 8.0;
  }
  return b;
}

double model_brams(const AreaBuffers& b, const DeviceCapacity& dev) {
  auto blocks = [&dev](double bytes) { return bytes > 0 ? std::ceil(bytes * 8 / dev.bram_bits) : 0.0; };
  return blocks(b.weights) + 2 * blocks(b.activations / 2) + blocks(b.line_buffers) + blocks(b.input);
}

double lane_multipliers(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t) {
  if (shift_add_lanes(net)) return 0;
  if (t.style != "pipe") return static_cast<double>(cfg.pe) * cfg.simd;
  double lanes = 0;
  for (const auto& p : t.passes) lanes += static_cast<double>(p.pe) * static_cast<double>(p.simd);
  return lanes;
}

double dsp_eligible(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t) {
  // A requant multiplier (24 x 16) takes two 16 x 16 SB_MAC16 (measured: seq logq 1 x 4 maps
  // its one requant to 2 DSPs, 2 x 4 to 4); a lane multiplier one.
  double pes = cfg.pe;
  if (t.style == "pipe") {
    pes = 0;
    for (const auto& p : t.passes) pes += static_cast<double>(p.pe);
  }
  return 2 * pes + lane_multipliers(net, cfg, t);
}

double model_dsps(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t, const DeviceCapacity& dev) {
  const double eligible = dsp_eligible(net, cfg, t);
  return eligible <= dev.dsps ? eligible : 0.0;  // all of them or none (--dsp auto)
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) s += a[i] * b[i];
  return s;
}

namespace {

// Solves (X'X + ridge I) c = X'y on the columns in `use` by Gaussian elimination.
std::vector<double> solve_ls(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                             const std::vector<bool>& use) {
  const std::size_t n = use.size();
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < n; ++j)
    if (use[j]) cols.push_back(j);
  const std::size_t m = cols.size();
  // Column scales so the ridge is relative (features differ by orders of magnitude).
  std::vector<double> scale(m, 0.0);
  for (std::size_t a = 0; a < m; ++a) {
    for (const auto& row : x) scale[a] = std::max(scale[a], std::abs(row[cols[a]]));
    if (scale[a] == 0) scale[a] = 1;
  }
  std::vector<std::vector<double>> A(m, std::vector<double>(m + 1, 0.0));
  for (std::size_t r = 0; r < x.size(); ++r)
    for (std::size_t a = 0; a < m; ++a) {
      for (std::size_t b = 0; b < m; ++b) A[a][b] += x[r][cols[a]] / scale[a] * x[r][cols[b]] / scale[b];
      A[a][m] += x[r][cols[a]] / scale[a] * y[r];
    }
  for (std::size_t a = 0; a < m; ++a) A[a][a] += 1e-6 * static_cast<double>(x.size());
  for (std::size_t p = 0; p < m; ++p) {
    std::size_t best = p;
    for (std::size_t r = p + 1; r < m; ++r)
      if (std::abs(A[r][p]) > std::abs(A[best][p])) best = r;
    std::swap(A[p], A[best]);
    if (std::abs(A[p][p]) < 1e-300) continue;
    for (std::size_t r = 0; r < m; ++r) {
      if (r == p) continue;
      const double k = A[r][p] / A[p][p];
      for (std::size_t c = p; c <= m; ++c) A[r][c] -= k * A[p][c];
    }
  }
  std::vector<double> c(n, 0.0);
  for (std::size_t a = 0; a < m; ++a) c[cols[a]] = std::abs(A[a][a]) > 1e-300 ? A[a][m] / A[a][a] / scale[a] : 0.0;
  return c;
}

}  // namespace

std::vector<double> fit_nonneg(const std::vector<std::vector<double>>& x, const std::vector<double>& y) {
  if (x.empty()) return {};
  std::vector<bool> use(x.front().size(), true);
  for (;;) {
    std::vector<double> c = solve_ls(x, y, use);
    std::size_t worst = c.size();
    for (std::size_t j = 0; j < c.size(); ++j)
      if (use[j] && c[j] < 0 && (worst == c.size() || c[j] < c[worst])) worst = j;
    if (worst == c.size()) return c;
    use[worst] = false;
  }
}

std::string default_area_dir() {
  const char* env = std::getenv("ECG_AREA_DIR");
  return env && *env ? env : ECG_AREA_DIR;
}

namespace {

std::vector<double> numbers(const nlohmann::json& j, const std::string& key, const std::string& where) {
  std::vector<double> v;
  if (!j.contains(key)) return v;
  if (!j[key].is_array()) throw InputError(fmt::format("{}: \"{}\" must be an array of numbers", where, key));
  for (const auto& x : j[key]) {
    if (!x.is_number()) throw InputError(fmt::format("{}: \"{}\" must be an array of numbers", where, key));
    v.push_back(x.get<double>());
  }
  return v;
}

}  // namespace

std::map<std::string, AreaModel> load_area_models(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open the area model", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  if (!j.is_object() || !j.contains("devices") || !j["devices"].is_object())
    throw InputError(fmt::format("{}: an area model needs a \"devices\" object", path));
  std::map<std::string, AreaModel> out;
  for (const auto& [dev, d] : j["devices"].items()) {
    const std::string where = fmt::format("{}: devices.{}", path, dev);
    AreaModel m;
    m.file = path;
    m.device = dev;
    m.lut = numbers(d, "lut", where);
    m.ff = numbers(d, "ff", where);
    m.period_ns = numbers(d, "period_ns", where);
    m.ge = numbers(d, "ge", where);
    if (dev == "asic") {
      if (m.ge.size() != 6 || m.ff.size() != 3)
        throw InputError(fmt::format("{}: needs \"ge\" [6] and \"ff\" [3]", where));
      m.sram = numbers(d, "sram", where);
      if (m.sram.size() != 2) throw InputError(fmt::format("{}: needs \"sram\" [2]", where));
      m.ge_error_pct = d.value("held_out_ge_error_pct", 0.0);
    } else if (m.lut.size() != 6 || m.ff.size() != 3 || (!m.period_ns.empty() && m.period_ns.size() != 2)) {
      throw InputError(fmt::format("{}: needs \"lut\" [6], \"ff\" [3] and optionally \"period_ns\" [2]", where));
    }
    m.bram_offset = d.value("bram_offset", 0.0);
    m.board_luts = d.value("board_luts", 0.0);
    m.board_ffs = d.value("board_ffs", 0.0);
    m.lut_error_pct = d.value("held_out_lut_error_pct", 0.0);
    m.ff_error_pct = d.value("held_out_ff_error_pct", 0.0);
    if (d.contains("held_out") && d["held_out"].is_array())
      for (const auto& h : d["held_out"])
        if (h.is_object() && h.contains("file")) m.held_out.push_back(h["file"].get<std::string>());
    m.derived_from = d.value("derived_from", std::string());
    m.lut_scale_from = d.value("lut_scale", 0.0);
    m.provenance = d;
    out[dev] = m;
  }
  return out;
}

void save_area_models(const std::map<std::string, AreaModel>& models, const std::string& path) {
  nlohmann::json j = {{"comment", "analytic area model (docs/power.md, Area); written by ecg_area_fit"},
                      {"devices", nlohmann::json::object()}};
  for (const auto& [dev, m] : models) {
    nlohmann::json d = m.provenance.is_object() ? m.provenance : nlohmann::json::object();
    if (!m.ge.empty()) {  // asic: gate equivalents, flip-flops, SRAM bits
      d["ge"] = m.ge;
      d["ff"] = m.ff;
      d["sram"] = m.sram;
      d["held_out_ge_error_pct"] = m.ge_error_pct;
      d["held_out_ff_error_pct"] = m.ff_error_pct;
      j["devices"][dev] = d;
      continue;
    }
    d["lut"] = m.lut;
    d["ff"] = m.ff;
    if (!m.period_ns.empty()) d["period_ns"] = m.period_ns;
    else d.erase("period_ns");
    d["bram_offset"] = m.bram_offset;
    d["board_luts"] = m.board_luts;
    d["board_ffs"] = m.board_ffs;
    d["held_out_lut_error_pct"] = m.lut_error_pct;
    d["held_out_ff_error_pct"] = m.ff_error_pct;
    j["devices"][dev] = d;
  }
  std::ofstream out(path);
  if (!out) throw InputError(fmt::format("{}: cannot write the area model", path));
  out << j.dump(2) << "\n";
}

std::optional<SynthShape> read_synth_result(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open synthesis result", path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  if (!j.is_object() || !j.contains("utilization") || !j["utilization"].is_object() || !j.contains("device"))
    return std::nullopt;
  const auto& u = j["utilization"];
  const bool gates = j["device"] == "asic" && u.contains("ge") && u.contains("ff");
  if (!gates && (!u.contains("lut") || !u.contains("ff"))) return std::nullopt;
  SynthShape s;
  s.file = path;
  s.arch = j.value("arch", std::string());
  s.device = j["device"].get<std::string>();
  const std::string top = j.value("engine_top", std::string());
  s.style = top.rfind("seq", 0) == 0 ? "seq" : top.rfind("pipe", 0) == 0 ? "pipe" : "";
  const auto& p = j.contains("params") && j["params"].is_object() ? j["params"] : nlohmann::json::object();
  auto param = [&](const char* verilog, const char* key) -> int {
    if (p.contains(verilog) && p[verilog].is_number()) return p[verilog].get<int>();
    if (p.contains(verilog) && p[verilog].is_string()) return std::atoi(p[verilog].get<std::string>().c_str());
    if (j.contains("engine") && j["engine"].is_object() && j["engine"].contains(key)) return j["engine"][key].get<int>();
    return 0;
  };
  s.pe = param("Pe", "pe");
  s.simd = param("Simd", "simd");
  // Hand-made results (h-fit's) name the shape "pe1 simd4" instead of Verilog parameters.
  if ((s.pe == 0 || s.simd == 0) && j.contains("shape") && j["shape"].is_string()) {
    const std::string sh = j["shape"].get<std::string>();
    const auto pe_at = sh.find("pe"), simd_at = sh.find("simd");
    if (pe_at != std::string::npos) s.pe = std::atoi(sh.c_str() + pe_at + 2);
    if (simd_at != std::string::npos) s.simd = std::atoi(sh.c_str() + simd_at + 4);
  }
  // Scope: the engine alone (engine_top seq_engine / pipe_engine, or "scope": "engine only")
  // or the board top around it (the synth flow's default).
  const std::string scope = j.value("scope", std::string());
  s.engine_only = j.contains("engine_top") ? j.value("flow", std::string()).find("alone") != std::string::npos
                                           : scope.find("engine") != std::string::npos;
  auto num = [&u](const char* k) { return u.contains(k) && u[k].is_number() ? u[k].get<double>() : 0.0; };
  s.luts = num("lut");
  s.ffs = num("ff");
  s.brams = s.device == "up5k" ? num("ebr") : num("ramb18") + 2 * num("ramb36");
  s.sprams = num("spram");
  s.dsps = num("dsp");
  s.ge = num("ge");
  s.sram_bits = num("sram_bits");
  s.fits = j.value("fits", false);
  s.clock_mhz = j.value("clock_mhz", 0.0);
  if (j.contains("timing") && j["timing"].is_object() && j["timing"].contains("fmax_mhz") &&
      j["timing"]["fmax_mhz"].is_number())
    s.fmax_mhz = j["timing"]["fmax_mhz"].get<double>();
  return s;
}

std::vector<SynthShape> read_synth_dir(const std::string& dir) {
  std::vector<SynthShape> v;
  if (!fs::is_directory(dir)) return v;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    if (auto s = read_synth_result(f.string())) v.push_back(*s);
  return v;
}

AreaReport area_report(const NetGeom& net, const EngineConfig& cfg, const EngineTiming& t, double clock_mhz,
                       const std::string& device, const std::string& area_dir) {
  const DeviceCapacity dev = device_capacity(device);
  const std::string dir = area_dir.empty() ? default_area_dir() : area_dir;
  AreaReport a;
  a.device = dev.name;
  a.bram_kind = dev.bram_kind;
  a.lut_capacity = dev.luts;
  a.ff_capacity = dev.ffs;
  a.bram_capacity = dev.brams;
  a.dsp_capacity = dev.dsps;
  a.buffers = area_buffers(net, cfg, t);
  // A matching result; one with a post-route Fmax (the board placed and routed) before one
  // without, then the last in file-name order.
  std::optional<SynthShape> match;
  for (const SynthShape& s : read_synth_dir(dir + "/synth"))
    if (s.arch == net.arch && s.device == dev.name && s.pe == cfg.pe && s.simd == cfg.simd &&
        (s.style.empty() || s.style == t.style) && (!match || s.fmax_mhz || !match->fmax_mhz))
      match = s;
  auto model = [&]() -> const AreaModel& {
    static thread_local std::map<std::string, std::map<std::string, AreaModel>> cache;
    const std::string path = dir + "/model.json";
    if (!cache.count(path)) cache[path] = load_area_models(path);
    const auto& models = cache[path];
    const auto it = models.find(dev.name);
    if (it == models.end()) throw InputError(fmt::format("{}: no area model for device \"{}\"", path, dev.name));
    return it->second;
  };
  if (dev.name == "asic") {
    // Standard cells: gate equivalents, flip-flops and SRAM bits of the engine alone (no board
    // top: an ASIC's SPI link is not in the FPGA board's LUTs); no LUTs, block RAMs, DSPs, Fmax.
    if (match) {
      a.source = "synthesis";
      a.source_file = fs::path(match->file).filename().string();
      a.ffs = match->ffs;
      a.gate_equivalents = match->ge;
      a.sram_bits = match->sram_bits;
    } else {
      const AreaModel& m = model();
      const AreaFeatures g = gate_features(net, cfg, t);
      a.source = "model";
      a.source_file = "model.json";
      a.gate_equivalents = std::round(dot(m.ge, g.lut_vector()));
      a.ffs = std::round(dot(m.ff, g.ff_vector()));
      a.sram_bits = std::round(model_sram_bits(a.buffers, m.sram));
      a.model_ge_error_pct = m.ge_error_pct;
      a.model_ff_error_pct = m.ff_error_pct;
    }
    a.fits = true;
    return a;
  }
  const AreaFeatures f = area_features(net, cfg, t, dev);
  auto model_fmax = [&](const AreaModel& m) {
    if (!m.period_ns.empty()) {
      const double period = dot(m.period_ns, f.fmax_vector());
      if (period > 0) a.fmax_mhz = 1e3 / period;
    }
  };
  if (match) {
    a.source = match->fmax_mhz ? "place_and_route" : "synthesis";
    a.source_file = fs::path(match->file).filename().string();
    a.luts = match->luts;
    a.ffs = match->ffs;
    a.brams = match->brams;
    a.sprams = match->sprams;
    a.dsps = match->dsps;
    a.fmax_mhz = match->fmax_mhz;
    if (match->engine_only) {  // the engine alone: add the board top, Fmax from the model
      const AreaModel& m = model();
      a.luts += m.board_luts;
      a.ffs += m.board_ffs;
      model_fmax(m);
    }
  } else {
    const AreaModel& m = model();
    a.source = "model";
    a.source_file = "model.json";
    a.luts = std::round(dot(m.lut, f.lut_vector()) + m.board_luts);
    a.ffs = std::round(dot(m.ff, f.ff_vector()) + m.board_ffs);
    a.brams = model_brams(a.buffers, dev) + m.bram_offset;
    a.dsps = model_dsps(net, cfg, t, dev);
    model_fmax(m);
    a.model_lut_error_pct = m.lut_error_pct;
    a.model_ff_error_pct = m.ff_error_pct;
  }
  // The UP5K's capacity is 5280 logic cells (LUT4 + carry + DFF each), not LUT4s: carry
  // cells and lone flip-flops take cells of their own. A placed result says itself whether it
  // fits; otherwise the LUTs x the placed results' logic cells per LUT4 (model "lc_per_lut").
  double cells = a.luts;
  if (dev.name == "up5k" && !(match && match->fmax_mhz))
    cells = a.luts * std::max(1.0, model().provenance.value("lc_per_lut", 1.0));
  a.fits = cells <= dev.luts && a.ffs <= dev.ffs && a.brams <= dev.brams && a.dsps <= dev.dsps &&
           a.sprams <= dev.sprams;
  if (a.fmax_mhz) a.meets_clock = clock_mhz <= *a.fmax_mhz;
  return a;
}

}  // namespace ecg::power
