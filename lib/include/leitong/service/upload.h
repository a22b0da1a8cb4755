// Reading what a browser or a script uploads: multipart/form-data bodies (RFC 7578), refused with
// the reason when they do not follow the format. Zip files of reports: extract/zip.h.
#pragma once

#include <leitong/extract/zip.h>

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

}  // namespace leitong
