// libFuzzer target for the header and annotation parsers: any byte string must either parse
// or raise ecg::InputError; never crash, hang or read out of bounds.
// Build: scripts/fuzz.sh (clang -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecg/error.h"
#include "ecg/wfdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::uint8_t> bytes(data + 1, data + size);
  try {
    if (data[0] & 1)
      ecg::parse_header(std::string(bytes.begin(), bytes.end()), "fuzz.hea");
    else
      ecg::parse_annotations(bytes, "fuzz.atr");
  } catch (const ecg::InputError&) {
  }
  return 0;
}
