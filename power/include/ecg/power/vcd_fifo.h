#pragma once
// Toggle counting of a VCD that another part of the process writes into a named pipe
// (POSIX FIFO): hand path() to the tracer as its file name (e.g. Verilator's VerilatedVcdSc,
// which a bench opens itself), run, close the tracer, then finish(). The waveform of a full
// record (tens of GB of text) is counted as it is written and never stored.
#include <exception>
#include <string>
#include <thread>

#include "ecg/power/vcd.h"

namespace ecg::power {

class VcdFifoCounter {
 public:
  VcdFifoCounter();  // creates the FIFO in the temp directory and starts the reader
  ~VcdFifoCounter();
  VcdFifoCounter(const VcdFifoCounter&) = delete;
  VcdFifoCounter& operator=(const VcdFifoCounter&) = delete;

  const std::string& path() const { return m_path; }
  // After the tracer has closed the file: the counts (rethrows the reader's InputError).
  VcdToggles finish();
  // The tracer failed or never opened the file: unblocks the reader and joins it.
  void abort();

 private:
  std::string m_path;
  std::thread m_reader;
  VcdToggles m_result;
  std::exception_ptr m_error;
  int m_fd_read = -1, m_fd_hold = -1;
  bool m_done = false;
};

}  // namespace ecg::power
