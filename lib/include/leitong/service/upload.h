// Reading what a browser or a script uploads: multipart/form-data bodies (RFC 7578) and zip
// archives of reports. Both refuse what does not follow the format, with the reason, instead of
// guessing; a zip is unpacked in memory under limits of entries and bytes, and an entry whose name
// would leave a folder (`..`, an absolute path, a drive letter) is refused by name.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

struct FormPart {
  std::string name;          // the form field
  std::optional<std::string> file_name;  // set for file fields (may be "")
  std::string content_type;  // as sent; "" when absent
  std::string_view data;     // points into the body given to parse_multipart
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type; throws Error for another type
// or a missing or invalid boundary.
std::string multipart_boundary(std::string_view content_type);

// Splits `body` into its parts. Throws Error("malformed form data: …") for a missing boundary
// line, a part without headers or a Content-Disposition, a missing closing boundary, or more
// than `max_parts` parts.
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary,
                                      std::size_t max_parts = 10000);

struct ZipLimits {
  std::size_t max_entries = 10000;
  std::size_t max_unpacked_bytes = std::size_t(512) << 20;  // all entries together
  std::size_t max_entry_bytes = std::size_t(64) << 20;      // one entry
};

struct ZipMember {
  std::string name;  // the path inside the zip ('/'-separated, never leaving the zip's root)
  std::string bytes;
};

struct ZipRefusal {
  std::string name;    // "ZIP/ENTRY", or "ZIP" when the whole zip is refused
  std::string reason;
};

struct UnpackedZip {
  std::vector<ZipMember> members;   // files with a document extension (extract.h)
  std::vector<ZipRefusal> refused;  // entries not unpacked, each with its reason
};

// Unpacks the documents in the zip `bytes` (named `zip_name` in messages). Folders and entries
// without a document extension are left out silently only when they are folders or hidden
// ("__MACOSX/", ".DS_Store"); any other entry left out is listed in `refused`. Throws Error for a
// file that is not a zip or passes the limits as a whole (a zip bomb): nothing is then unpacked.
UnpackedZip unpack_zip(std::string_view bytes, const std::string& zip_name, const ZipLimits& limits = {});

// A file name safe to show and to use inside a folder: the last path component of what a client
// sent, without control characters; "" when nothing is left (".", "..", empty).
std::string client_file_name(std::string_view sent);

}  // namespace leitong
