#include "server.h"

#include <fmt/format.h>
#include <leitong/render/report.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/service/store.h>

#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace leitong::serve {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::awaitable;
using net::use_awaitable;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Counts while alive (connections open, requests being answered).
class Counted {
 public:
  explicit Counted(std::atomic<std::size_t>& n) : n_(n) { ++n_; }
  ~Counted() { --n_; }
  Counted(const Counted&) = delete;

 private:
  std::atomic<std::size_t>& n_;
};

class Server {
 public:
  Server(Router& router, const ServerOptions& options)
      : router_(router),
        options_(options),
        workers_(static_cast<std::size_t>(options.workers > 0 ? options.workers
                                                              : std::max(1u, std::thread::hardware_concurrency()))),
        acceptor_(accept_strand_),
        signals_(accept_strand_, SIGTERM, SIGINT) {}

  void run(const std::function<void(unsigned short)>& on_listening) {
    beast::error_code ec;
    const net::ip::address address = net::ip::make_address(options_.address, ec);
    if (ec) throw_error("--listen: '{}' is not an IP address", options_.address);
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw_error("cannot listen on {}:{}: {}", options_.address, options_.port, ec.message());
    on_listening(acceptor_.local_endpoint().port());

    signals_.async_wait([this](const beast::error_code& error, int signal) {
      if (!error) start_draining(signal);
    });
    net::co_spawn(accept_strand_, accept_loop(), net::detached);
    std::vector<std::thread> threads;
    for (int i = 1; i < std::max(1, options_.io_threads); ++i) threads.emplace_back([this] { io_.run(); });
    io_.run();
    for (std::thread& t : threads) t.join();
    workers_.join();
  }

 private:
  void log(const std::string& line) {
    if (options_.access_log) fmt::print(stderr, "{}\n", escape_controls(line));
  }

  void start_draining(int signal) {
    draining_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    fmt::print(stderr, "leitong serve: {} received: {} requests in flight finish, then it stops\n",
               signal == SIGTERM ? "SIGTERM" : "SIGINT", in_flight_.load());
    drain_deadline_ = Clock::now() + options_.drain_timeout;
    net::co_spawn(io_, wait_for_drain(), net::detached);
  }

  awaitable<void> wait_for_drain() {
    net::steady_timer timer(co_await net::this_coro::executor);
    while (in_flight_ > 0 && Clock::now() < drain_deadline_) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(use_awaitable);
    }
    if (in_flight_ > 0) fmt::print(stderr, "leitong serve: {} requests still running after the drain timeout\n", in_flight_.load());
    io_.stop();
  }

  awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(net::make_strand(io_), net::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        continue;  // a connection that failed before it was accepted
      }
      const std::string address = socket.remote_endpoint(ec).address().to_string();
      if (ec || connections_ >= options_.max_connections || !take_address_slot(address)) {
        socket.close(ec);  // over a limit: refused at once rather than queued
        continue;
      }
      auto executor = socket.get_executor();
      net::co_spawn(executor, serve_connection(std::move(socket), address), net::detached);
    }
  }

  static std::string too_large(std::size_t limit) {
    const std::string size = limit >= (std::size_t(1) << 20) ? fmt::format("{} MiB", limit >> 20)
                                                             : fmt::format("{} KiB", limit >> 10);
    return fmt::format("请求体过大：上限 {0} (the body is larger than the limit of {0})", size);
  }

  // Writes a short answer to a request that will not be read (its body is left unread).
  static http::response<http::string_body> plain_answer(http::status status, const std::string& message,
                                                        bool json) {
    http::response<http::string_body> res(status, 11);
    res.set(http::field::content_type, json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");
    res.set(http::field::connection, "close");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = json ? json_text({{"error", message}}) : message + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
  }

  awaitable<void> refuse(beast::tcp_stream& stream, http::status status, const std::string& message, bool json,
                         bool drain) {
    auto res = plain_answer(status, message, json);
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(10));
    co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
    if (ec || !drain) co_return;
    // Read (and drop) a little of the body the client is still sending, so that closing does not
    // reset the connection before the client has read the answer.
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16384> sink;
    std::size_t dropped = 0;
    while (dropped < (std::size_t(8) << 20)) {
      stream.expires_after(std::chrono::seconds(2));
      const std::size_t n = co_await stream.async_read_some(net::buffer(sink), net::redirect_error(use_awaitable, ec));
      if (ec) break;
      dropped += n;
    }
  }

  // One address may hold at most max_connections_per_address connections: one client cannot
  // take every connection.
  bool take_address_slot(const std::string& address) {
    std::lock_guard lock(addresses_mutex_);
    std::size_t& held = per_address_[address];
    if (held >= options_.max_connections_per_address) return false;
    ++held;
    return true;
  }
  void release_address_slot(const std::string& address) {
    std::lock_guard lock(addresses_mutex_);
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }

  awaitable<void> serve_connection(tcp::socket socket, std::string address) {
    Counted open(connections_);
    struct Slot {
      Server& server;
      std::string address;
      ~Slot() { server.release_address_slot(address); }
    } slot{*this, address};
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ec;
    const tcp::endpoint peer = stream.socket().remote_endpoint(ec);
    const std::string peer_address = ec ? "unknown" : peer.address().to_string();
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> header;
      header.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      // Judged below from the route, with the right answer (413). Not boost::none: Beast 1.74
      // compares Content-Length with the optional limit, and any length exceeds "none".
      header.body_limit(std::numeric_limits<std::uint64_t>::max());
      stream.expires_after(options_.header_timeout);
      co_await http::async_read_header(stream, buffer, header, net::redirect_error(use_awaitable, ec));
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
          ec == net::error::connection_reset || ec == net::error::eof)
        break;
      if (ec == http::error::header_limit) {
        co_await refuse(stream, http::status::request_header_fields_too_large, "request headers too large", false, false);
        break;
      }
      if (ec) {
        co_await refuse(stream, http::status::bad_request, "malformed HTTP request: " + ec.message(), false, false);
        break;
      }
      // In flight from its header on: a drain waits for a body still arriving, not only for a
      // request being answered.
      Counted answering(in_flight_);
      const auto& head = header.get();
      const std::string method(head.method_string());
      const std::string target(head.target());
      const std::string raw_path = target.substr(0, target.find('?'));
      std::string path;
      if (!percent_decode(raw_path, path, false) || path.empty() || path.front() != '/' ||
          path.find('\0') != std::string::npos) {
        co_await refuse(stream, http::status::bad_request, "malformed request target", false, false);
        break;
      }
      const bool api = path.starts_with("/api/");
      const bool upload = router_.takes_upload(method, path);
      const std::size_t limit = upload ? options_.max_upload_bytes : options_.max_small_body_bytes;
      std::optional<std::uint64_t> declared;
      if (header.content_length()) declared = *header.content_length();
      if (declared && *declared > limit) {
        log(fmt::format("{} {} {} 413 (declared {} bytes)", peer_address, method, path, *declared));
        co_await refuse(stream, http::status::payload_too_large, too_large(limit), api, true);
        break;
      }
      // An upload's body is read only for a signed-in user: nobody else can hold the memory
      // that bodies being received may take.
      if (upload && !router_.signed_in(std::string(head[http::field::cookie]))) {
        log(fmt::format("{} {} {} 401 (upload without a session)", peer_address, method, path));
        co_await refuse(stream, http::status::unauthorized, "请先登录 (sign in first)", api, true);
        break;
      }
      // Memory held by upload bodies being received is bounded across all connections.
      const std::size_t reserve = !upload ? 0 : declared ? static_cast<std::size_t>(*declared) : limit;
      if (upload_bytes_.fetch_add(reserve) + reserve > options_.upload_memory_budget) {
        upload_bytes_ -= reserve;
        log(fmt::format("{} {} {} 503 (upload memory budget)", peer_address, method, path));
        co_await refuse(stream, http::status::service_unavailable, "服务器繁忙，请稍后再试 (busy: retry shortly)", api, true);
        break;
      }
      struct Release {
        std::atomic<std::size_t>& n;
        std::size_t bytes;
        ~Release() { n -= bytes; }
      } release{upload_bytes_, reserve};

      http::request_parser<http::string_body> parser(std::move(header));
      parser.body_limit(limit);
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on(http::status::continue_, 11);
        co_await http::async_write(stream, go_on, net::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      const auto started = Clock::now();
      bool body_failed = false;
      while (!parser.is_done()) {
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        const double received = static_cast<double>(parser.get().body().size());
        if (seconds > 60 && received / seconds < options_.min_body_bytes_per_second) {
          ec = beast::error::timeout;
          break;
        }
        stream.expires_after(options_.body_idle);
        co_await http::async_read_some(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      if (ec == http::error::body_limit) {
        log(fmt::format("{} {} {} 413 (body past the limit)", peer_address, method, path));
        co_await refuse(stream, http::status::payload_too_large, too_large(limit), api, true);
        break;
      }
      if (ec) {
        body_failed = true;
        if (ec != beast::error::timeout && ec != http::error::end_of_stream && ec != net::error::eof &&
            ec != net::error::connection_reset)
          co_await refuse(stream, http::status::bad_request, "malformed request body: " + ec.message(), api, false);
      }
      if (body_failed) break;
      stream.expires_never();

      http::request<http::string_body> message = parser.release();
      HttpRequest request;
      request.method = method;
      request.path = path;
      request.client = peer_address;
      for (const auto& field : message) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto [it, fresh] = request.headers.emplace(name, std::string(field.value()));
        if (!fresh) it->second += ", " + std::string(field.value());
      }
      if (options_.behind_proxy) {
        const std::string forwarded = request.header("x-forwarded-for");
        if (!forwarded.empty()) request.client = forwarded.substr(0, forwarded.find(','));
        request.secure = request.header("x-forwarded-proto") == "https";
      }
      const std::size_t query_at = target.find('?');
      if (query_at != std::string::npos) request.query = parse_form(std::string_view(target).substr(query_at + 1));
      request.body = std::move(message.body());

      HttpResponse answer;
      if (router_.is_heavy(method, path)) {
        answer = co_await net::co_spawn(
            workers_, [this, &request]() -> awaitable<HttpResponse> { co_return handle(request); }, use_awaitable);
      } else {
        answer = handle(request);
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      log(fmt::format("{} {} {} {} {:.0f} ms", request.client, method, path, answer.status, ms));

      const bool keep_alive = message.keep_alive() && !draining_;
      http::response<http::string_body> res(static_cast<http::status>(answer.status), 11);
      res.set(http::field::content_type, answer.content_type);
      res.set("X-Content-Type-Options", "nosniff");
      res.set("X-Frame-Options", "DENY");
      // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the
      // pages' own form posts, which the same-origin check must refuse.
      res.set("Referrer-Policy", "same-origin");
      res.set(http::field::cache_control, "no-store");
      if (answer.content_type.starts_with("text/html")) {
        // Scripts run only when the page itself carries them: the renderers' own <script> tags get
        // this response's nonce; text from reports is escaped, so it cannot hold one.
        const std::string nonce = random_hex(16);
        std::string& body = answer.body;
        for (std::size_t at = body.find("<script>"); at != std::string::npos; at = body.find("<script>", at + 1))
          body.replace(at, 8, "<script nonce=\"" + nonce + "\">");
        res.set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-" + nonce +
                    "'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
      }
      for (auto& [name, value] : answer.headers) res.set(name, value);
      res.body() = std::move(answer.body);
      res.keep_alive(keep_alive);
      res.prepare_payload();
      if (method == "HEAD") res.body().clear();  // Content-Length stays that of the GET
      stream.expires_after(std::chrono::seconds(60));
      co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  HttpResponse handle(const HttpRequest& request) {
    try {
      return router_.handle(request);
    } catch (const std::exception& e) {
      // A fault of the server, not of the request: said in the log, not to the client.
      log(fmt::format("internal error answering {} {}: {}", request.method, request.path, e.what()));
      HttpResponse out;
      out.status = 500;
      out.content_type = "application/json; charset=utf-8";
      out.body = json_text({{"error", "服务器内部错误 (internal error)"}});
      return out;
    }
  }

  Router& router_;
  ServerOptions options_;
  // Declared before the I/O context: connections it still holds when it is destroyed count down
  // on destruction.
  std::atomic<std::size_t> connections_{0}, in_flight_{0}, upload_bytes_{0};
  std::atomic<bool> draining_{false};
  Clock::time_point drain_deadline_;
  std::mutex addresses_mutex_;
  std::map<std::string, std::size_t> per_address_;
  // Before the I/O context too: a request's coroutine suspended on a worker keeps the pool's
  // executor, and the context destroys such coroutines when it goes.
  net::thread_pool workers_;
  net::io_context io_;
  // The acceptor, its loop and the signal handler that closes it run on one strand: an acceptor may
  // not be closed on one I/O thread while an accept completes on another.
  net::strand<net::io_context::executor_type> accept_strand_{net::make_strand(io_)};
  tcp::acceptor acceptor_;
  net::signal_set signals_;
};

}  // namespace

void run_server(Router& router, const ServerOptions& options, const std::function<void(unsigned short)>& on_listening) {
  // The server is not destroyed: once it has stopped, the process ends, and destroying the I/O
  // context would destroy the coroutines of idle keep-alive connections still waiting on it, whose
  // sockets and timers belong to services being torn down (Asio and Beast have had shutdown races
  // there: a stop with no request in flight crashed now and then after the drain). The pointer keeps
  // it reachable for leak checkers.
  static Server* server = nullptr;
  server = new Server(router, options);
  server->run(on_listening);
}

}  // namespace leitong::serve
