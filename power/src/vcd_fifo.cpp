#include "ecg/power/vcd_fifo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

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
  // Open the read end now (non-blocking open, then blocking reads) and hold a write end of
  // our own: a tracer that opens with O_NONBLOCK finds a reader, and the reader sees end of
  // file only after both the tracer and we (finish/abort) have closed.
  m_fd_read = open(m_path.c_str(), O_RDONLY | O_NONBLOCK);
  m_fd_hold = m_fd_read >= 0 ? open(m_path.c_str(), O_WRONLY) : -1;
  if (m_fd_read < 0 || m_fd_hold < 0) throw InputError(fmt::format("{}: cannot open the FIFO", m_path));
  fcntl(m_fd_read, F_SETFL, fcntl(m_fd_read, F_GETFL) & ~O_NONBLOCK);
  // A 1 MiB pipe (Linux; the default is 64 KiB, the most a user may set is
  // /proc/sys/fs/pipe-max-size, 1 MiB by default): Verilator writes ~48 KiB at a time, and a
  // full pipe blocks the simulation until the reader catches up (a context switch each time).
#ifdef F_SETPIPE_SZ
  (void)fcntl(m_fd_read, F_SETPIPE_SZ, 1 << 20);  // best effort: a smaller pipe is only slower
#endif
  m_reader = std::thread([this] {
    try {
      VcdToggleCounter counter(m_path);
      std::vector<char> buf(1 << 20);
      for (;;) {
        const ssize_t n = read(m_fd_read, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        counter.feed(buf.data(), static_cast<std::size_t>(n));
      }
      m_result = counter.finish();
    } catch (...) {
      m_error = std::current_exception();
    }
  });
}

VcdToggles VcdFifoCounter::finish() {
  if (!m_done) {
    close(m_fd_hold);  // the tracer has closed: end of file for the reader
    m_reader.join();
    close(m_fd_read);
    m_done = true;
    std::remove(m_path.c_str());
  }
  if (m_error) std::rethrow_exception(m_error);
  return m_result;
}

void VcdFifoCounter::abort() {
  if (m_done) return;
  close(m_fd_hold);
  m_reader.join();
  close(m_fd_read);
  m_done = true;
  std::remove(m_path.c_str());
}

VcdFifoCounter::~VcdFifoCounter() { abort(); }

}  // namespace ecg::power
