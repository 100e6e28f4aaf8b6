#pragma once
// One error type for every user-facing failure: the message is a single line that names
// the file or flag and what is wrong. The CLI prints it and exits with code 2.
#include <stdexcept>
#include <string>

namespace ecg {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace ecg
