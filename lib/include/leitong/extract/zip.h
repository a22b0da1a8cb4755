// Zip files of reports, as an inspector collects them or a browser uploads them: unpacked in
// memory under limits of entries and bytes; an entry whose name would leave a folder (`..`, an
// absolute path, a drive letter) is refused by name, and names from Chinese Windows (GBK) are read
// as such.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

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

// The same for a zip file on disk (refused whole when it is larger than limits.max_unpacked_bytes).
UnpackedZip unpack_zip_file(const std::filesystem::path& path, const ZipLimits& limits = {});

// True when `path` names a .zip file (by extension, any case).
bool is_zip_path(const std::filesystem::path& path);

// A file name safe to show and to use inside a folder: the last path component of what a client
// sent, without control characters; "" when nothing is left (".", "..", empty).
std::string client_file_name(std::string_view sent);

}  // namespace leitong
