#pragma once
// One error type for every user-facing failure: the message is a single line that names
// the file or flag and what is wrong. The CLI prints it and exits with code 2.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace ecg {

// `s` made safe to print and to store in JSON: valid UTF-8 is kept; control bytes (other
// than tab), C1 controls and bytes that are not valid UTF-8 become escapes such as \x1b, \n.
std::string printable(const std::string& s);
// printable(s), cut to about `max_chars` characters with a note of the full length.
std::string shorten(const std::string& s, std::size_t max_chars = 80);

class InputError : public std::runtime_error {
 public:
  // The message is passed through printable(), so it is always one line of plain text.
  explicit InputError(const std::string& what) : std::runtime_error(printable(what)) {}
};

}  // namespace ecg
