// leitong::Error: the one exception type the library throws for input, user and I/O errors.
//
// The message is complete and meant for a person: it names the file (when there is one) and the
// reason, e.g. "reports/a.txt: invalid UTF-8 at byte 1234". Broken internal invariants assert
// instead. The library never prints and never exits; tools/ turns an Error into
// "leitong: MESSAGE" on stderr and an exit status.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace leitong {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message) : std::runtime_error(std::move(message)) {}
};

// Throws Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void throw_error(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace leitong
