// ecg_params_toml MODEL.JSON [CONFIG.toml] [key=value ...]: prints every platform parameter
// of that network (description, type, range, default; value in effect) as the documented
// TOML that configs/<arch>.toml follow. Per-layer stage keys (engine.stage.*) are left out
// unless set, so a config does not depend on a particular trained network's layer names.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "ecg/error.h"
#include "ecg/models/platform.h"
#include "ecg/hw/net_geometry.h"
#include "ecg/models/tlm_run.h"

// A SystemC program: libsystemc provides main() and calls sc_main().
int sc_main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (argc < 2) {
    std::fputs("usage: ecg_params_toml MODEL.JSON [CONFIG.toml] [key=value ...]\n", stderr);
    return 2;
  }
  try {
    const ecg::Network net = ecg::load_network(argv[1]);
    const ecg::NetGeom geom = ecg::net_geometry(net);
    ecg::ParamSet ps;
    ecg::declare_run_params(ps, geom);
    int i = 2;
    if (argc > 2 && std::string(argv[2]).find('=') == std::string::npos) ps.load_toml_file(argv[i++]);
    for (; i < argc; ++i) ps.set_override(argv[i]);
    ecg::validate_platform_params(ps, geom);
    std::fputs(ps.to_toml([](const ecg::ParamSet::Param& p) {
                   return p.key.rfind(ecg::engine_param::kStagePrefix, 0) != 0 || p.origin != "default";
                 }).c_str(),
               stdout);
  } catch (const ecg::InputError& e) {
    fmt::print(stderr, "ecg_params_toml: {}\n", e.what());
    return 2;
  }
  return 0;
}
