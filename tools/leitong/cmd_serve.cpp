// leitong serve: the web application and JSON API over an archive (docs/service.md).
#include <fmt/format.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>
#include <leitong/service/service.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "commands.h"
#include "options.h"
#include "serve/server.h"

namespace leitong::cli {

namespace {

struct ServeOptions {
  std::string archive;
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  std::size_t max_upload_mb = 64;
  bool behind_proxy = false;
  bool secure_cookies = false;
  bool quiet = false;
  int login_failures = ServiceParams{}.login_failures;
  int keep_checks_days = 0;
};

int run_serve(const ServeOptions& o) {
  const std::size_t colon = o.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      std::size_t used = 0;
      port = std::stoi(o.listen.substr(colon + 1), &used);
      if (used != o.listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) {
    print_error(fmt::format("serve: --listen wants HOST:PORT, not '{}'", o.listen));
    return kExitUsage;
  }
  if (!std::filesystem::exists(o.archive)) {
    Archive::open(o.archive, Archive::Mode::kReadWrite);  // an empty archive, to be filled by uploads
    fmt::print(stderr, "note: created an empty archive {}\n", escape_controls(o.archive));
  }
  ServiceParams params;
  params.archive = o.archive;
  params.extract.max_file_bytes = o.max_upload_mb << 20;
  params.zip.max_entry_bytes = params.extract.max_file_bytes;
  params.login_failures = o.login_failures;
  params.login_failures_per_address = 10 * o.login_failures;
  params.keep_checks = std::chrono::days(o.keep_checks_days);
  Service service(params);
  bool has_inspector = false;
  for (const User& u : service.store().users()) has_inspector |= u.role == Role::kInspector;
  serve::RouteOptions route_options;
  route_options.max_upload_bytes = o.max_upload_mb << 20;
  route_options.secure_cookies = o.secure_cookies;
  serve::Router router(service, route_options);
  serve::ServerOptions server_options;
  server_options.address = o.listen.substr(0, colon);
  if (server_options.address.size() > 2 && server_options.address.front() == '[')
    server_options.address = server_options.address.substr(1, server_options.address.size() - 2);
  server_options.port = static_cast<unsigned short>(port);
  server_options.workers = o.threads;
  server_options.max_upload_bytes = (o.max_upload_mb << 20) + (std::size_t(1) << 20);  // the form around the file
  server_options.behind_proxy = o.behind_proxy;
  server_options.access_log = !o.quiet;
  serve::run_server(router, server_options, [&](unsigned short bound) {
    const std::string host = server_options.address.find(':') != std::string::npos
                                 ? "[" + server_options.address + "]"
                                 : server_options.address;
    fmt::print("leitong serve: listening on http://{}:{}/ (archive {}, users in {})\n", host, bound,
               escape_controls(o.archive), escape_controls(service.store().path().string()));
    if (!has_inspector)
      fmt::print("leitong serve: no inspector account yet; create one with\n"
                 "  leitong user add --archive {} --name NAME --role inspector\n",
                 escape_controls(o.archive));
    std::fflush(stdout);
  });
  fmt::print(stderr, "leitong serve: stopping: finishing the running upload's current group\n");
  service.stop_jobs();
  fmt::print(stderr, "leitong serve: stopped; the archive is closed\n");
  return kExitOk;
}

}  // namespace

Runner register_serve(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  app.footer(
      "Serve the web application (pages in Chinese for inspectors and agencies) and the JSON API\n"
      "under /api/v1 over the archive. Users are kept beside it in ARCHIVE.service; create the first\n"
      "inspector with `leitong user add`. Stops cleanly on SIGTERM or Ctrl-C.");
  add_archive_option(app, o->archive);
  app.add_option("--listen", o->listen, "Address and port to listen on (HOST:PORT; port 0: any free port)")
      ->capture_default_str();
  app.add_option("--threads", o->threads, "Threads for checks and other long requests (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  app.add_option("--max-upload-mb", o->max_upload_mb, "Largest uploaded file, in MiB")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t(1), kLargestFileMb));
  app.add_flag("--behind-proxy", o->behind_proxy,
               "Trust X-Forwarded-For and X-Forwarded-Proto (only behind a reverse proxy that sets them)");
  app.add_flag("--secure-cookies", o->secure_cookies, "Mark the session cookie Secure (when served over HTTPS)");
  app.add_option("--login-failures", o->login_failures,
                 "Failed logins per name in 15 minutes before that name must wait (ten times as many per address)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--keep-checks-days", o->keep_checks_days,
                 "Forget agencies' checks after this many days (0: keep them)")
      ->capture_default_str()
      ->check(CLI::Range(0, 36500));
  app.add_flag("--quiet", o->quiet, "No access log on standard error");
  return [o] { return run_serve(*o); };
}

}  // namespace leitong::cli
