// ecg_sim import MODEL.onnx --out weights/NAME [--input-spec SPEC.json]: a quantized 1-D CNN
// from ONNX -> the qnet format (docs/byo-model.md). The conversion itself is
// scripts/onnx/onnx2qnet.py, run with Debian's python3: python3-onnx is the ONNX reader on
// this platform (reading the protobuf from C++ would need generated code plus our own copy
// of each operator's semantics), and the importer reuses the training scripts' quantization
// conventions (scripts/train/qnet.py) rather than restating them here. This command checks
// the result with the C++ loader (the golden model's validator), tells whether it fits the
// RTL seq engine's memories, and only then moves it into place: no half-written output.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "ecg/error.h"
#include "ecg/qnet.h"
#include "first_run.h"
#if ECG_SIM_HAVE_RTL
#include "engine_bench.h"
#include "seq_program.h"
#endif

#ifndef ECG_SIM_SOURCE_DIR
#define ECG_SIM_SOURCE_DIR "."
#endif

namespace ecg::cli {
namespace {

namespace fs = std::filesystem;

struct ImportOptions {
  std::string model;
  std::string out;
  std::string input_spec;
  std::string target = "byo8";
};

// One line on whether the network fits the Verilated seq variant of its target (rtl/cosim).
std::string rtl_fit(const Network& net) {
#if ECG_SIM_HAVE_RTL
  if (!rtl::has_variant(net.arch, "seq")) return fmt::format("rtl: no seq RTL variant for target '{}'", net.arch);
  const rtl::Variant& v = rtl::default_variant("seq", net.arch);
  try {
    const rtl::SeqProgram p = rtl::compile_seq(net, v.seq_hw());
    return fmt::format("rtl: fits seq variant {}: weight rows {}/{}, parameters {}/{}, activation words A {}/{} B {}/{}, "
                       "{} passes, {} cycles per beat",
                       v.name, p.weight_rows, v.wgt_rows, p.param_entries, v.par_depth, p.act_words_a, v.act_a,
                       p.act_words_b, v.act_b, p.passes.size(), p.cycles_per_beat());
  } catch (const InputError& e) {
    return fmt::format("rtl: does not fit seq variant {} (golden and tlm run it; rtl/cosim will refuse): {}", v.name,
                       e.what());
  }
#else
  (void)net;
  return "rtl: this build has no RTL (tb/ skipped)";
#endif
}

void run_import(const ImportOptions& o) {
  if (!fs::is_regular_file(o.model)) throw InputError(fmt::format("{}: no such file", o.model));
  if (!o.input_spec.empty() && !fs::is_regular_file(o.input_spec))
    throw InputError(fmt::format("--input-spec {}: no such file", o.input_spec));
  const fs::path out = fs::path(o.out).lexically_normal();
  if (out.filename().empty() || out.filename() == "." || out.filename() == "..")
    throw InputError(fmt::format("--out {}: give a folder name, e.g. weights/mynet", o.out));
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(parent)) throw InputError(fmt::format("--out {}: folder {} does not exist", o.out, parent.string()));
  if (fs::exists(out) && !fs::exists(out / "model.json"))
    throw InputError(fmt::format("--out {}: exists and is not a network folder (no model.json); not overwritten", o.out));

  const char* py_env = std::getenv("ECG_SIM_PYTHON");
  const std::string python = py_env && *py_env ? py_env : "/usr/bin/python3";  // Debian's, with python3-onnx
  const std::string script = std::string(ECG_SIM_SOURCE_DIR) + "/scripts/onnx/onnx2qnet.py";
  const fs::path staging = fs::path(out.string() + fmt::format(".import{}", ::getpid()));
  std::vector<std::string> args = {python, script, o.model, "--out", staging.string(), "--arch", o.target};
  if (!o.input_spec.empty()) args.insert(args.end(), {"--input-spec", o.input_spec});
  std::string err;
  const int rc = run_program(args, &err);
  // Removes the staging folder on every way out.
  std::unique_ptr<const fs::path, void (*)(const fs::path*)> cleanup(&staging, [](const fs::path* p) {
    std::error_code ec;
    fs::remove_all(*p, ec);
  });
  if (rc == -1) throw InputError(fmt::format("cannot run {} (set ECG_SIM_PYTHON to a python3 with onnx)", python));
  if (rc == 2) throw InputError(last_line(err));
  if (rc != 0) throw std::runtime_error(fmt::format("{} exited with {}: {}", script, rc, last_line(err)));

  try {
    load_network((staging / "model.json").string());  // the golden model's checks, before it is moved in
  } catch (const InputError& e) {  // name the file the user asked for, not the staging folder
    std::string msg = e.what();
    const std::string from = staging.string(), to = out.string();
    for (auto at = msg.find(from); at != std::string::npos; at = msg.find(from, at + to.size()))
      msg.replace(at, from.size(), to);
    throw InputError(fmt::format("{}: the converted network is not valid: {}", o.model, msg));
  }
  std::error_code ec;
  fs::remove_all(out, ec);
  fs::rename(staging, out, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create it: {}", o.out, ec.message()));
  const Network net = load_network((out / "model.json").string());
  const std::string fit = rtl_fit(net);

  fmt::print("imported {} -> {}/model.json: {} layers, {} B weights, {} ops per beat, target {}\n", o.model,
             out.string(), net.layers.size(), net.weight_storage_bytes(), net.ops_per_beat(), net.arch);
  fmt::print("{}\n", fit);
  fmt::print("run it: ecg_sim --weights {} --arch {} --mode golden|tlm|rtl|cosim\n", parent.string(),
             out.filename().string());
}

}  // namespace

void add_import(CLI::App& app) {
  auto opt = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Convert a quantized 1-D CNN from ONNX (QDQ, QOperator or QONNX) to the qnet format");
  cmd->add_option("model", opt->model, "MODEL.onnx")->required();
  cmd->add_option("--out", opt->out, "Output folder, e.g. weights/mynet (then --arch mynet)")->required();
  cmd->add_option("--input-spec", opt->input_spec,
                  "Input spec JSON (docs/qnet-format.md); default: the model's metadata 'ecg_sim.input', "
                  "else a 128-sample aami5 beat");
  cmd->add_option("--target", opt->target, "Hardware target written as the network's arch (configs/<target>.toml)")
      ->capture_default_str();
  cmd->callback([opt]() { run_import(*opt); });
}

}  // namespace ecg::cli
