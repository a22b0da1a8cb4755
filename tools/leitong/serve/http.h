// Requests and responses as the routes see them, apart from the HTTP library (server.cpp converts).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leitong::serve {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // the target without its query, percent-decoded
  std::map<std::string, std::string> query;    // decoded; the first value of a repeated name
  std::map<std::string, std::string> headers;  // names in lower case; repeated headers joined by ", "
  std::string body;
  std::string client;  // the client's address (or, behind a proxy, the one it names)
  bool secure = false;  // reached over TLS (said by a trusted proxy)

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides the security headers
};

// Percent-decoding of a path or query component ('+' as space in queries); false when malformed.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);
// "a=1&b=2" (application/x-www-form-urlencoded), the first value of a repeated name kept.
std::map<std::string, std::string> parse_form(std::string_view body);

}  // namespace leitong::serve
