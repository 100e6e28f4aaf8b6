#include "ecg/models/tlm_run.h"

#include <filesystem>

#include <fmt/format.h>

#include "ecg/error.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/infer.h"
#include "ecg/models/beat_source.h"
#include "ecg/power/hw.h"

namespace ecg {

std::vector<std::uint8_t> weight_image(const Network& net) {
  std::vector<std::uint8_t> img;
  img.reserve(net.weight_storage_bytes());
  for (const Tensor& t : net.tensors) {
    const std::size_t start = img.size();
    img.resize(start + t.storage_bytes(), 0);
    std::uint64_t bit = 0;
    for (std::int32_t v : t.data) {
      std::uint32_t code = 0;
      if (t.encoding == Encoding::kBinary) {
        code = v > 0 ? 1u : 0u;
      } else if (t.encoding == Encoding::kPow2) {
        if (v != 0) {
          std::uint32_t mag = static_cast<std::uint32_t>(v < 0 ? -static_cast<std::int64_t>(v) : v);
          std::uint32_t e = 0;
          while ((1u << e) < mag) ++e;
          code = (v < 0 ? 1u << (t.bits - 1) : 0u) | (e + 1);
        }
      } else {
        code = static_cast<std::uint32_t>(v);
      }
      for (int b = 0; b < t.bits; ++b, ++bit)
        if ((code >> b) & 1u) img[start + bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
    }
  }
  return img;
}

std::string default_config_path(const std::string& arch) {
  const std::string rel = fmt::format("configs/{}.toml", arch);
  if (std::filesystem::exists(rel)) return rel;
  const std::string src = fmt::format("{}/{}", ECG_SIM_SOURCE_DIR, rel);
  if (std::filesystem::exists(src)) return src;
  throw InputError(fmt::format("--arch {}: no config file {} (give one with --config)", arch, rel));
}

void declare_run_params(ParamSet& ps, const NetGeom& geom) {
  declare_platform_params(ps, geom);
  power::declare_power_params(ps);
}

ParamSet make_platform_params(const Network& net, const NetGeom& geom, const TlmOptions& opt) {
  ParamSet ps;
  declare_run_params(ps, geom);
  ps.load_toml_file(opt.config_file.empty() ? default_config_path(net.arch) : opt.config_file);
  if (opt.realtime) ps.set(beat_source::kPace, std::string("realtime"), "--realtime");
  for (const auto& kv : opt.params) ps.set_override(kv);
  validate_platform_params(ps, geom);
  return ps;
}

PlatformConfig make_platform_config(const Network& net, const TlmOptions& opt) {
  PlatformConfig c;
  c.geom = net_geometry(net);
  c.params = make_platform_params(net, c.geom, opt);
  c.engine = engine_config(c.params, c.geom);
  c.timing = engine_timing(c.geom, c.engine);
  c.clock_mhz = c.params.get(platform_param::kClockMhz);  // the platform's (declare_platform_params)
  c.power = power::power_config(c.params, c.geom.arch);  // bad power.tech / power.calib: exit 2 before the run
  return c;
}

std::vector<BeatIn> platform_beats(const std::vector<Beat>& beats) {
  std::vector<BeatIn> out;
  out.reserve(beats.size());
  double offset = 0, last = 0;
  int stream = -1;
  const std::string* rec = nullptr;
  for (const Beat& b : beats) {
    if (!rec || *rec != b.record) {
      if (rec) offset += last + 1.0;
      rec = &b.record;
      ++stream;
      last = 0;
    }
    last = std::max(last, b.available_s);
    out.push_back(BeatIn{b.input, b.aux, offset + b.available_s, stream});
  }
  return out;
}

void run_tlm(const Network& net, const std::vector<Beat>& beats, const TlmOptions& opt, TlmRun& run,
             const std::function<void(std::size_t)>& on_result, const std::string& waveform_file) {
  if (run.config.clock_mhz <= 0) run.config = make_platform_config(net, opt);
  const std::vector<BeatIn> in = platform_beats(beats);
  Interpreter interp(net);
  const std::size_t n_classes = net.classes.size();
  ComputeFn compute = [&interp, n_classes](const std::vector<std::int32_t>& input,
                                           const std::vector<std::int32_t>& aux) {
    BeatOutput o;
    o.logits.resize(n_classes);
    o.cls = interp.run(input.data(), aux.empty() ? nullptr : aux.data(), o.logits.data());
    return o;
  };
  PlatformSetup setup{run.config, compute, weight_image(net), &net, opt.engine_kind, on_result, waveform_file};
  run.result = run_platform(setup, in, run.stats);
}

}  // namespace ecg
