#pragma once
// Data shared by the platform modules: the beats to stream, the per-beat trace the modules
// fill in, and the metadata extensions carried on the bus.
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>

namespace ecg {

// A beat as the platform streams it.
struct BeatIn {
  std::vector<std::int32_t> input;  // channels * length quantized samples
  std::vector<std::int32_t> aux;
  double available_s = 0;  // paced mode: time the beat is complete (platform time axis)
  int stream = 0;          // beats of one record form one stream (deadline misses within it)
};

// What happened to one beat (absolute simulation times).
struct BeatTrace {
  sc_core::sc_time t_avail;   // handed to the DMA (paced: its recording time)
  sc_core::sc_time t_dma;     // DMA started writing it
  sc_core::sc_time t_req;     // START reached the accelerator (input in its buffer)
  sc_core::sc_time t_start;   // engine started (later than t_req while it is busy)
  sc_core::sc_time t_done;    // engine presented the result (IRQ)
  sc_core::sc_time t_host;    // host read the result over the bus
  std::uint64_t engine_cycles = 0;
  std::vector<std::int32_t> logits;
  int cls = -1;
  bool done = false;
};

// Beat metadata on DMA writes and on the START write.
class beat_ext : public tlm::tlm_extension<beat_ext> {
 public:
  std::uint64_t beat_index = 0;
  tlm::tlm_extension_base* clone() const override { return new beat_ext(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const beat_ext&>(o); }
};

// Result metadata returned on a read of the RESULT register.
class result_ext : public tlm::tlm_extension<result_ext> {
 public:
  std::uint64_t beat_index = 0;
  std::vector<std::int32_t> logits;
  tlm::tlm_extension_base* clone() const override { return new result_ext(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const result_ext&>(o); }
};

// Sets up the payload of one blocking LT transaction the way every initiator of the
// platform issues it: one streaming burst, no byte enables, no DMI, response incomplete
// until the target answers (extensions are the caller's).
inline void set_payload(tlm::tlm_generic_payload& t, tlm::tlm_command command, std::uint64_t address,
                        unsigned char* data, unsigned length) {
  t.set_command(command);
  t.set_address(address);
  t.set_data_ptr(data);
  t.set_data_length(length);
  t.set_streaming_width(length);
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// Address map (bus regions) and CSR offsets (docs/platform.md).
namespace addr {
constexpr std::uint64_t kCsrBase = 0x0000'0000, kCsrSize = 0x100;
constexpr std::uint64_t kInputBase = 0x1000'0000;
constexpr std::uint64_t kWeightBase = 0x2000'0000;
constexpr std::uint64_t kCtrl = 0x00;       // W: bit 0 = start the beat in the input buffer
constexpr std::uint64_t kStatus = 0x04;     // R: bit 0 = engine busy, bit 1 = result ready
constexpr std::uint64_t kResult = 0x08;     // R: class of the oldest result (pops it; IRQ drops when empty)
constexpr std::uint64_t kDoneCount = 0x0C;  // R: results produced so far
}  // namespace addr

}  // namespace ecg
