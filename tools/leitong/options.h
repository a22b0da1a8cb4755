// Options shared by several subcommands (internal to the tool).
#pragma once

#include "commands.h"

#include <leitong/analysis/agencies.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <optional>
#include <string>

namespace leitong::cli {

inline void add_archive_option(CLI::App& app, std::string& archive) {
  archive = "leitong.db";
  app.add_option("--archive", archive, "Archive file (created by `add` if missing)")->capture_default_str();
}

// Alignment and boilerplate settings of a check; the defaults are CheckParams{}.
inline void add_check_options(CLI::App& app, CheckParams& params) {
  app.add_option("--min-passage", params.align.min_passage, "Shortest passage reported, in normalized characters")
      ->capture_default_str()
      ->check(CLI::Range(5, 100000));
  app.add_option("--max-gap", params.align.max_gap, "Longest unmatched stretch inside one passage")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  app.add_option("--boilerplate-agencies", params.boilerplate_agencies,
                 "Text shared by reports of this many other agencies is boilerplate")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--max-candidates", params.max_candidates, "Most archived documents aligned per check")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
}

inline const char* kFormatHelp = "Output format";

// --max-file-mb, stored into `params.max_file_bytes`. At most 256 MiB: a file is read whole and
// held as UTF-32 and sketches, about 12 bytes of memory per input byte at `add` (60 MB of report
// text peaked at 707 MB), so the cap is what bounds memory: a 1 GB input is always refused.
constexpr std::size_t kLargestFileMb = 256;
inline void add_max_file_option(CLI::App& app, ExtractParams& params) {
  app.add_option_function<std::size_t>(
         "--max-file-mb", [&params](std::size_t mb) { params.max_file_bytes = mb << 20; },
         "Refuse files larger than this many MiB (at most 256: memory is about 12 times the file)")
      ->default_str(std::to_string(params.max_file_bytes >> 20))
      ->check(CLI::Range(std::size_t(1), kLargestFileMb));
}

// --max-seconds: the time budget for reading one file (ExtractParams::max_seconds); a file whose
// reading outlasts it is refused with the reason.
inline void add_max_seconds_option(CLI::App& app, ExtractParams& params) {
  app.add_option("--max-seconds", params.max_seconds,
                 "Refuse a file whose reading (decoding, parsing, the PDF's pages) takes longer than this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
}

// --keep-chrome: page chrome (portal headers, navigation, footers) is kept in the text.
inline void add_keep_chrome_option(CLI::App& app, ExtractParams& params) {
  app.add_flag_function(
      "--keep-chrome", [&params](std::int64_t) { params.remove_chrome = false; },
      "Keep page chrome (portal headers, navigation, footers) in the text instead of leaving it out");
}

// Opens an archive for reading; says on standard error when it lies in a place that cannot be
// written (read as it stands, see Archive::read_only_place).
inline Archive open_for_reading(const std::string& path) {
  Archive archive = Archive::open(path, Archive::Mode::kReadOnly);
  if (archive.read_only_place())
    fmt::print(stderr, "note: {} is in a read-only place: read as it stands on disk\n", escape_controls(path));
  return archive;
}

// The archive's name of the agency written `given` (resolve_agency): an alias or a short or long
// form of one archive name becomes that name, said in a note on stderr. nullopt, with the error
// printed, when several archive names fit, or when an unknown name is one character from a known
// one outside the place's name (a typo?) unless `new_agency`; other near names are noted.
inline std::optional<std::string> agency_in_archive(const Archive& archive, const std::string& given,
                                                    std::string_view command, bool new_agency) {
  const AgencyResolution r = resolve_agency(given, archive);
  auto names = [](const std::vector<std::string>& list) {
    std::string out;
    for (const std::string& n : list) out += (out.empty() ? "" : ", ") + escape_controls(n);
    return out;
  };
  switch (r.how) {
    case AgencyResolution::How::kExact:
      break;
    case AgencyResolution::How::kAlias:
    case AgencyResolution::How::kShortName:
    case AgencyResolution::How::kLongName:
      fmt::print(stderr, "note: agency {} is {} in the archive: taken as that\n", escape_controls(given),
                 escape_controls(r.name));
      break;
    case AgencyResolution::How::kAmbiguous:
      print_error(fmt::format("{}: agency {} could be any of {}: give the full name", command, escape_controls(given),
                              names(r.candidates)));
      return std::nullopt;
    case AgencyResolution::How::kUnknown:
      if (!r.candidates.empty() && !new_agency) {
        print_error(fmt::format("{}: agency {} is not in the archive but resembles {} (a typo?); give the archive's "
                                "name, or --new-agency to use this one",
                                command, escape_controls(given), names(r.candidates)));
        return std::nullopt;
      }
      if (!r.candidates.empty() || !r.other_places.empty()) {
        std::vector<std::string> similar = r.candidates;
        similar.insert(similar.end(), r.other_places.begin(), r.other_places.end());
        fmt::print(stderr, "note: the archive holds no agency {} (similar: {}); check the name\n",
                   escape_controls(given), names(similar));
      }
      break;
  }
  return r.name;
}

// Extracts `file`; a refusal is printed as "leitong: FILE: reason" and gives nullopt (exit 1).
inline std::optional<ExtractedText> extract_or_refuse(const std::string& file, const ExtractParams& params) {
  try {
    return extract_file(file, params);
  } catch (const Error& e) {
    print_error(e.what());
    return std::nullopt;
  }
}

}  // namespace leitong::cli
