// The service's routes (DESIGN.md "Service contract"): who may call each, and what it answers.
// Pages for people at /, the JSON API at /api/v1. Signed-in callers are found by the session
// cookie; every state-changing request must carry the session's CSRF token (the X-CSRF-Token
// header, or the csrf_token field of a page's form) and, when the browser sends an Origin, come
// from this server's own origin.
#pragma once

#include <leitong/service/service.h>

#include "http.h"

namespace leitong::serve {

struct RouteOptions {
  std::size_t max_upload_bytes = std::size_t(64) << 20;
  bool secure_cookies = false;  // always mark the cookie Secure (served over TLS)
};

class Router {
 public:
  Router(Service& service, RouteOptions options) : service_(service), options_(options) {}

  // Routes whose body may be as large as an upload (the others are refused past 64 KiB).
  bool takes_upload(const std::string& method, const std::string& path) const;
  // Routes that may take long (a check, a login's password hash, an archive-wide view): run on the
  // worker pool, so that they never hold up other clients' pages.
  bool is_heavy(const std::string& method, const std::string& path) const;

  // True when `cookie_header` (a Cookie header's value) names a live session.
  bool signed_in(const std::string& cookie_header);

  HttpResponse handle(const HttpRequest& request);

 private:
  Service& service_;
  RouteOptions options_;
};

}  // namespace leitong::serve
