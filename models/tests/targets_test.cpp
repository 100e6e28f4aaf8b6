// Targets set a response status for every request, including bad ones; the engine checks
// its job protocol (docs/platform.md, "Engine interface").
#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "ecg/models/bus.h"
#include "ecg/hw/params.h"
#include "ecg/models/sram.h"
#include "ecg/hw/stats.h"
#include "ecg/models/tlm_engine.h"
#include "ecg/models/tlm_run.h"

namespace ecg {
namespace {

struct prober : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<prober> to_bus{"to_bus"};
  tlm_utils::simple_initiator_socket<prober> to_eng{"to_eng"};
  std::vector<std::pair<std::string, tlm::tlm_response_status>> seen;
  std::vector<std::int32_t> logits;
  sc_core::sc_time t_done;
  SC_HAS_PROCESS(prober);
  explicit prober(const sc_core::sc_module_name& n) : sc_core::sc_module(n) { SC_THREAD(run); }

  tlm::tlm_response_status send(tlm_utils::simple_initiator_socket<prober>& s, tlm::tlm_command cmd,
                                std::uint64_t addr, unsigned char* data, unsigned len,
                                beat_job_ext* ext = nullptr) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) t.set_extension(ext);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    s->b_transport(t, d);
    if (ext) t.clear_extension(ext);
    return t.get_response_status();
  }

  void run() {
    unsigned char buf[64] = {};
    seen.emplace_back("sram write in range", send(to_bus, tlm::TLM_WRITE_COMMAND, 0x100, buf, 16));
    seen.emplace_back("sram write past end", send(to_bus, tlm::TLM_WRITE_COMMAND, 0x100 + 60, buf, 16));
    seen.emplace_back("unmapped address", send(to_bus, tlm::TLM_READ_COMMAND, 0x9000, buf, 4));
    seen.emplace_back("sram ignore command", send(to_bus, tlm::TLM_IGNORE_COMMAND, 0x100, buf, 4));
    // Engine: one job of the test network (length 128, 4 aux), then protocol errors.
    std::vector<std::int32_t> words(132, 7);
    beat_job_ext job;
    job.length = 128;
    job.aux = 4;
    seen.emplace_back("engine job", send(to_eng, tlm::TLM_WRITE_COMMAND, 0,
                                         reinterpret_cast<unsigned char*>(words.data()), 4 * 132, &job));
    logits = job.logits;
    t_done = job.t_done;
    seen.emplace_back("engine job without extension",
                      send(to_eng, tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(words.data()), 4 * 132));
    seen.emplace_back("engine read", send(to_eng, tlm::TLM_READ_COMMAND, 0,
                                          reinterpret_cast<unsigned char*>(words.data()), 4 * 132, &job));
    seen.emplace_back("engine short job", send(to_eng, tlm::TLM_WRITE_COMMAND, 0,
                                               reinterpret_cast<unsigned char*>(words.data()), 4 * 100, &job));
  }
};

TEST(Targets, SetResponseStatusAndEngineChecksItsProtocol) {
  const Network net = load_network(std::string(ECG_MODELS_TEST_DATA) + "/t_qrcnn.json");
  TlmOptions opt;
  opt.config_file = std::string(ECG_SIM_SOURCE_DIR) + "/configs/qrcnn.toml";
  const PlatformConfig cfg = make_platform_config(net, opt);
  const NetGeom& geom = cfg.geom;
  const ParamSet& ps = cfg.params;
  StatsRegistry stats;
  const sc_core::sc_time period(10, sc_core::SC_NS);
  ComputeFn compute = [](const std::vector<std::int32_t>& in, const std::vector<std::int32_t>& aux) {
    BeatOutput o;  // a checksum stands in for a network: the test looks at the transport
    std::int32_t s = 0;
    for (auto v : in) s += v;
    for (auto v : aux) s += 100 * v;
    o.logits = {s, -s};
    o.cls = s >= 0 ? 0 : 1;
    return o;
  };
  const EngineContext ctx{geom, ps, stats, compute, period, cfg.clock_mhz, cfg.engine, cfg.timing, &net, ""};
  prober p("p");
  ecg::bus b("bus", ps, stats, period);
  sram mem("mem", "input", 64, ps, stats, period);
  tlm_engine eng("eng", ctx);
  p.to_bus.bind(b.bus_in);
  b.bus_out.bind(mem.bus2mem);
  b.add_region(0x100, 64, 0);
  p.to_eng.bind(eng.acc2eng);
  sc_core::sc_start();
  ASSERT_EQ(p.seen.size(), 8u);
  EXPECT_EQ(p.seen[0].second, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.seen[1].second, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // bus: outside the region
  EXPECT_EQ(p.seen[2].second, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.seen[3].second, tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(p.seen[4].second, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.logits, (std::vector<std::int32_t>{7 * 128 + 2800, -(7 * 128 + 2800)}));
  EXPECT_EQ(p.t_done, period * static_cast<double>(eng.timing().latency_cycles));
  EXPECT_EQ(p.seen[5].second, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(p.seen[6].second, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(p.seen[7].second, tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(stats.value("mem.input.write.32b"), 4u);  // 16 bytes through a 32-bit port
  EXPECT_EQ(stats.value("engine.beats"), 1u);
}

}  // namespace
}  // namespace ecg
