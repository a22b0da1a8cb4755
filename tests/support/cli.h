// Test support: running the leitong binary (LEITONG_CLI_PATH) as a user would, capturing its
// standard output, standard error and exit status separately.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace leitong::testing {

struct CliResult {
  int status = -1;  // exit status; 128 + signal number if it was killed by a signal
  std::string out, err;
  long max_rss_kb = 0;  // the child's peak resident set size (wait4's ru_maxrss), KiB
};

// Runs the CLI with `args` in folder `cwd`.
CliResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd);

// "leitong ARGS", the exit status, stderr and the start of stdout: for assertion messages.
std::string describe(const std::vector<std::string>& args, const CliResult& result);

}  // namespace leitong::testing
