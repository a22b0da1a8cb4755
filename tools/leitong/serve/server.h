// The HTTP server of `leitong serve`: Boost.Beast on Boost.Asio (docs/service.md says why).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "routes.h"

namespace leitong::serve {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  int workers = 0;     // threads for checks and other long requests; 0: one per core
  int io_threads = 2;  // threads reading and writing connections
  std::size_t max_upload_bytes = std::size_t(64) << 20;
  std::size_t max_small_body_bytes = std::size_t(64) << 10;  // every request that is not an upload
  std::size_t max_header_bytes = std::size_t(16) << 10;
  // Upload bodies being received at once hold at most this much memory; an upload past it is
  // told to retry (503) rather than read. Only signed-in users' upload bodies are read at all.
  std::size_t upload_memory_budget = std::size_t(512) << 20;
  std::size_t max_connections = 512;
  std::size_t max_connections_per_address = 64;
  std::chrono::seconds header_timeout{15};  // a request's headers must arrive within this
  std::chrono::seconds body_idle{20};       // a body that stalls this long is dropped
  double min_body_bytes_per_second = 20 * 1024;  // and one slower than this on the whole (after 60 s)
  std::chrono::seconds drain_timeout{30};   // SIGTERM: how long in-flight requests may finish
  bool behind_proxy = false;  // trust X-Forwarded-For / X-Forwarded-Proto from the proxy
  bool access_log = true;     // one line per request on standard error
};

// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (at most
// drain_timeout) and returns. `on_listening(port)` is called once the socket listens (the port
// actually bound, for --listen HOST:0). Throws Error when the address cannot be bound.
void run_server(Router& router, const ServerOptions& options, const std::function<void(unsigned short)>& on_listening);

}  // namespace leitong::serve
