#pragma once
// A VerilatedVcdFile that counts toggles instead of writing a file: hand it to
// VerilatedVcdC (or a class derived from it) and a full record's switching activity is
// measured in-process, with no multi-GB waveform on disk.
//
//   ecg::power::VcdToggleSink sink("rtl:qrcnn");
//   VerilatedVcdC vcd(&sink);
//   model.trace(&vcd, 99);
//   vcd.open("toggles");            // the name is only a label
//   ... vcd.dump(t) every half cycle ...
//   vcd.close();
//   const ecg::power::VcdToggles& t = sink.counter().finish();
//
// Header-only: only code that links Verilator includes it (ecg_power itself does not).
#include "verilated_vcd_c.h"

#include "ecg/power/vcd.h"

namespace ecg::power {

class VcdToggleSink final : public VerilatedVcdFile {
 public:
  explicit VcdToggleSink(std::string origin) : m_counter(std::move(origin)) {}
  bool open(const std::string&) override { return true; }
  void close() override {}
  ssize_t write(const char* bufp, ssize_t len) override {
    m_counter.feed(bufp, static_cast<std::size_t>(len));
    return len;
  }
  VcdToggleCounter& counter() { return m_counter; }

 private:
  VcdToggleCounter m_counter;
};

}  // namespace ecg::power
