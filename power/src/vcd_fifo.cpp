#include "ecg/power/vcd_fifo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "ecg/error.h"

namespace ecg::power {

VcdFifoCounter::VcdFifoCounter() {
  static std::atomic<int> serial{0};
  m_path = fmt::format("{}/ecg_power_{}_{}.vcd", std::filesystem::temp_directory_path().string(), getpid(),
                       serial++);
  std::remove(m_path.c_str());
  if (mkfifo(m_path.c_str(), 0600) != 0)
    throw InputError(fmt::format("{}: cannot create a FIFO for the toggle counter", m_path));
  m_reader = std::thread([this] {
    try {
      m_result = count_vcd_toggles_file(m_path);  // blocks until the tracer opens the FIFO
    } catch (...) {
      m_error = std::current_exception();
    }
  });
}

VcdToggles VcdFifoCounter::finish() {
  if (!m_done) {
    m_reader.join();
    m_done = true;
    std::remove(m_path.c_str());
  }
  if (m_error) std::rethrow_exception(m_error);
  return m_result;
}

void VcdFifoCounter::abort() {
  if (m_done) return;
  { std::ofstream unblock(m_path); }  // a writer that closes at once: the reader sees end of file
  m_reader.join();
  m_done = true;
  std::remove(m_path.c_str());
}

VcdFifoCounter::~VcdFifoCounter() { abort(); }

}  // namespace ecg::power
