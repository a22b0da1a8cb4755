// The subcommands of the leitong tool. Each file registers its options on the CLI11 app and returns
// the function that runs it; the function returns the exit status (0 success, 1 some input refused,
// 2 usage error or an archive that cannot be used).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace leitong::cli {

using Runner = std::function<int()>;

Runner register_add(CLI::App& app);
Runner register_check(CLI::App& app);
Runner register_compare(CLI::App& app);
Runner register_stats(CLI::App& app);
Runner register_extract(CLI::App& app);
Runner register_yoy(CLI::App& app);
Runner register_boilerplate(CLI::App& app);
Runner register_clusters(CLI::App& app);
Runner register_verify(CLI::App& app);
Runner register_synth(CLI::App& app);
Runner register_eval(CLI::App& app);
Runner register_serve(CLI::App& app);
Runner register_user(CLI::App& app);
Runner register_agencies(CLI::App& app);

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

// Prints "leitong: MESSAGE" on stderr.
void print_error(const std::string& message);

// Writes `content` to `path`, or to stdout when `path` is empty or "-". Throws Error on failure.
void write_output(const std::string& path, const std::string& content);

}  // namespace leitong::cli
