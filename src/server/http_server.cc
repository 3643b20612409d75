// Boost 1.74 Asio with GCC 12 in C++20 mode uses std::exchange without including
// <utility>; it must come before any Boost.Asio/Beast header.
#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/log.h"
#include "server/router.h"
#include "server/status_mapping.h"

namespace tailor::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kUnmatchedRoute = "unmatched";
// After an error response we stop reading requests but keep draining the socket briefly,
// so the kernel does not answer unread request bytes with a RST that could destroy the
// error response before the client reads it ("lingering close").
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
// How long Shutdown waits for force-closed connections to go away before stopping the
// io_context outright.
constexpr auto kForceCloseGrace = std::chrono::milliseconds(1000);
// Bounds of the deadline sweep's period (a quarter of the shortest timeout in between).
constexpr int64_t kMinSweepMs = 10;
constexpr int64_t kMaxSweepMs = 1000;

Result<tcp::endpoint> ParseListen(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address must be host:port, got '" + std::string(listen) + "'",
                           "listen");
  }
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return InvalidArgument("listen port must be 0..65535, got '" + std::string(port_text) + "'",
                           "listen");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  asio::ip::address address;
  if (host.empty()) {
    address = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    boost::system::error_code aec;
    address = asio::ip::make_address(std::string(host), aec);
    if (aec) {
      return InvalidArgument(
          "listen host must be an IP address or localhost, got '" + std::string(host) + "'",
          "listen");
    }
  }
  return tcp::endpoint(address, static_cast<uint16_t>(port));
}

Method ToMethod(http::verb v) {
  switch (v) {
    case http::verb::get:
      return Method::kGet;
    case http::verb::post:
      return Method::kPost;
    case http::verb::put:
      return Method::kPut;
    case http::verb::delete_:
      return Method::kDelete;
    case http::verb::patch:
      return Method::kPatch;
    case http::verb::head:
      return Method::kHead;
    case http::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_method).category();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Extracts the key from "Bearer <key>" (scheme case-insensitive); empty when absent.
std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || Lower(header.substr(0, kScheme.size())) != kScheme ||
      (header[kScheme.size()] != ' ' && header[kScheme.size()] != '\t')) {
    return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

}  // namespace

Status HttpServerOptions::Validate() const {
  auto endpoint = ParseListen(listen);
  if (!endpoint.ok()) return endpoint.status();
  if (threads < 1 || threads > 1024) {
    return InvalidArgument("threads must be 1..1024, got " + std::to_string(threads), "threads");
  }
  if (max_body_bytes == 0) return InvalidArgument("max_body_bytes must be > 0", "max_body_bytes");
  if (request_timeout_ms <= 0) {
    return InvalidArgument("request_timeout_ms must be > 0", "request_timeout_ms");
  }
  if (idle_timeout_ms <= 0)
    return InvalidArgument("idle_timeout_ms must be > 0", "idle_timeout_ms");
  if (drain_timeout_ms < 0) {
    return InvalidArgument("drain_timeout_ms must be >= 0", "drain_timeout_ms");
  }
  return Status::OK();
}

class HttpServer::Impl {
 public:
  class Session;

  Impl(HttpServerOptions options, std::vector<Route> routes, Authenticator& authenticator,
       Metrics& metrics, const Clock& clock);
  ~Impl();

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Shutdown();
  void Wait();
  void ShutdownOnSignals();
  std::function<void()> on_shutdown_begin_;  // set before Start; read-only afterwards

  // ---- used by sessions ----
  const HttpServerOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }
  bool stopping() const { return stopping_.load(); }
  Router::Match Find(Method m, std::string_view raw_path) const {
    return router_->Find(m, raw_path);
  }
  // Authenticates and runs the matched handler; never throws.
  HttpResponse Handle(Router::Match& match, HttpRequest& req, const Status& decode_status);
  void RecordRequest(std::string_view route, Method method, int code, double seconds);
  Gauge& in_flight() { return in_flight_; }
  void OnSessionClosed(Session* s);
  // How often the deadline sweep runs: a deadline fires up to one period late.
  int64_t sweep_period_ms() const {
    return std::clamp(std::min({options_.idle_timeout_ms, options_.request_timeout_ms,
                                static_cast<int64_t>(kLingerTime.count())}) /
                          4,
                      kMinSweepMs, kMaxSweepMs);
  }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Closes the connections whose deadline has passed, then waits one sweep period.
  void Sweep();
  void DoShutdown();
  void RunIoThread();
  // Returns an error response, or nullopt when the request may proceed.
  std::optional<HttpResponse> Authorize(const Route& route, HttpRequest& req);

  const HttpServerOptions options_;
  std::vector<Route> routes_;
  Authenticator& authenticator_;
  const Clock& clock_;
  CounterFamily& requests_total_;
  HistogramFamily& request_duration_;
  Gauge& in_flight_;
  std::optional<Router> router_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};
  std::once_flag shutdown_once_;

  // Declared before the io_context: sessions still queued in it when it is destroyed
  // unregister themselves here.
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;                                 // GUARDED_BY(mu_)
  bool stopped_ = false;                                 // GUARDED_BY(mu_)
  std::map<Session*, std::weak_ptr<Session>> sessions_;  // GUARDED_BY(mu_)
  std::optional<std::thread> signal_shutdown_thread_;    // GUARDED_BY(mu_)

  asio::io_context ioc_;
  // I/O objects after the io_context, so they are destroyed before it.
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  std::optional<asio::signal_set> signals_;  // set under mu_, used on accept_strand_
  asio::steady_timer sweep_timer_;           // used on accept_strand_
  bool sweep_stopped_ = false;               // used on accept_strand_
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_guard_;
  std::vector<std::thread> threads_;
};

// One connection. All of its handlers run on its strand, so its state needs no lock.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, tcp::socket socket)
      : server_(server), stream_(std::move(socket)) {
    // Synchronous writes on this socket return would_block instead of waiting (Respond
    // tries one before async_write); asynchronous operations are unaffected.
    beast::error_code ec;
    stream_.socket().non_blocking(true, ec);
    non_blocking_ = !ec;
  }
  ~Session() {
    if (in_request_) server_.in_flight().Dec();
    server_.OnSessionClosed(this);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::DoReadHeader, shared_from_this()));
  }

  // Closes the connection if it is waiting for the next request (graceful shutdown).
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

  // Closes the connection whatever it is doing (drain timeout passed).
  void ForceClose() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  // When the connection waits on the network (a read or write in progress), the
  // monotonic time in ms at which it times out; 0 when it does not wait.
  int64_t deadline_ms() const { return deadline_ms_.load(std::memory_order_relaxed); }

  // Closes the connection if it still waits past its deadline by the time this runs on
  // its strand (its operation may have completed, and re-armed, meanwhile).
  void CloseIfExpired() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      const int64_t deadline = self->deadline_ms();
      if (deadline != 0 && deadline <= self->NowMs()) self->Close();
    });
  }

 private:
  // Timeouts are deadlines the server's sweep checks (Impl::Sweep) rather than a timer
  // per operation: beast's expires_after re-arms asio's timerfd with a system call on
  // almost every request (2.6 % of the server's CPU under ingest load, more for small
  // requests), where a deadline is one clock read and a store.
  int64_t NowMs() const { return server_.clock().MonotonicNs() / 1'000'000; }
  void Arm(int64_t timeout_ms) {
    deadline_ms_.store(NowMs() + timeout_ms, std::memory_order_relaxed);
  }
  void Disarm() { deadline_ms_.store(0, std::memory_order_relaxed); }

  void DoReadHeader() {
    idle_ = true;
    if (server_.stopping()) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options().max_body_bytes);
    Arm(server_.options().idle_timeout_ms);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    Disarm();
    idle_ = false;
    if (ec == http::error::end_of_stream) return Close();
    const bool body_too_large = ec == http::error::body_limit;
    if (ec && !body_too_large && !IsHttpParseError(ec)) return Close();  // timeout, reset

    BeginRequest();
    if (ec && !body_too_large) {
      return RespondError(InvalidArgument("malformed HTTP request: " + ec.message()),
                          /*close=*/true);
    }
    // The request line is complete even when the body limit tripped on Content-Length,
    // so a 413 is still counted under its route.
    const auto& req = parser_->get();
    auto [raw_path, raw_query] =
        SplitTarget(std::string_view(req.target().data(), req.target().size()));
    match_ = server_.Find(method_, raw_path);
    if (match_.kind == Router::Match::Kind::kFound) route_label_ = match_.route->name;
    if (body_too_large) return RespondTooLarge();

    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      Arm(server_.options().request_timeout_ms);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                          self->Disarm();
                          if (wec) return self->Close();
                          self->DoReadBody();
                        });
      return;
    }
    DoReadBody();
  }

  void DoReadBody() {
    // A small body usually arrives in the same segment as its header, so it is already
    // in buffer_. Parsing it here saves async_read's immediate completion, which asio
    // must post to the io_context: a scheduler round trip that often wakes the other io
    // thread (a futex and, on a VM, an inter-processor interrupt) once per request.
    while (!parser_->is_done() && buffer_.size() > 0) {
      beast::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) return OnBody(ec, 0);
      if (used == 0) break;
    }
    if (parser_->is_done()) return OnBody({}, 0);
    Arm(server_.options().request_timeout_ms);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    Disarm();
    if (ec == http::error::body_limit) return RespondTooLarge();
    if (ec && IsHttpParseError(ec) && ec != http::error::partial_message) {
      return RespondError(InvalidArgument("malformed HTTP request: " + ec.message()),
                          /*close=*/true);
    }
    if (ec) return Close();  // timeout or the client went away mid-body

    http::request<http::string_body> msg = parser_->release();
    const bool keep_alive = msg.keep_alive();
    HttpRequest req;
    req.method = method_;
    req.target = std::string(msg.target());
    req.received_ns = server_.clock().NowMs() * 1'000'000;
    auto [raw_path, raw_query] = SplitTarget(req.target);
    Status decode_status;
    if (auto path = PercentDecode(raw_path, /*plus_as_space=*/false); path.ok()) {
      req.path = std::move(*path);
    } else {
      req.path = std::string(raw_path);
      decode_status = InvalidArgument("URL path: " + path.status().message());
    }
    if (auto query = ParseQueryString(raw_query); query.ok()) {
      req.query = std::move(*query);
    } else if (decode_status.ok()) {
      decode_status = query.status();
    }
    req.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) {
      std::string name =
          Lower(std::string_view(field.name_string().data(), field.name_string().size()));
      std::string_view value(field.value().data(), field.value().size());
      // Header names are few (beast bounds the header block), so a scan is cheaper than
      // an index.
      auto same = std::find_if(req.headers.begin(), req.headers.end(),
                               [&](const auto& h) { return h.first == name; });
      if (same == req.headers.end()) {
        req.headers.emplace_back(std::move(name), value);
      } else {
        same->second.append(", ").append(value);
      }
    }
    req.body = std::move(msg.body());
    Respond(server_.Handle(match_, req, decode_status), !keep_alive);
  }

  void RespondTooLarge() {
    RespondError(PayloadTooLarge("request body exceeds the limit of " +
                                 std::to_string(server_.options().max_body_bytes) +
                                 " bytes (server.max_body_bytes)"),
                 /*close=*/true);
  }

  void RespondError(const Status& status, bool close) {
    linger_ = close;
    Respond(ErrorResponse(status), close);
  }

  void BeginRequest() {
    const auto& header = parser_->get();
    method_ = ToMethod(header.method());
    version_ = header.version() == 10 ? 10 : 11;
    route_label_ = std::string(kUnmatchedRoute);
    match_ = {};
    start_ns_ = server_.clock().MonotonicNs();
    in_request_ = true;
    server_.in_flight().Inc();
  }

  void Respond(HttpResponse resp, bool close) {
    close = close || server_.stopping();
    code_ = resp.status;
    serializer_.reset();  // refers to res_
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(resp.status));
    res_.set(http::field::server, "tailor");
    res_.set(http::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) res_.insert(name, value);
    res_.keep_alive(!close);
    if (method_ == Method::kHead) {
      res_.content_length(resp.body.size());  // what GET would send, without the body
    } else {
      res_.body() = std::move(resp.body);
      res_.prepare_payload();
    }
    // Most answers fit in the socket's send buffer: write them now, without blocking,
    // and go on to the next request inline. async_write would post its (immediate)
    // completion to the io_context instead, a round trip that often wakes the other io
    // thread. Only what does not fit now is left to async_write.
    serializer_.emplace(res_);
    if (non_blocking_) {
      beast::error_code ec;
      http::write(stream_.socket(), *serializer_, ec);
      if (!ec) return OnWrite(close, {}, 0);
      if (ec != asio::error::would_block && ec != asio::error::try_again) {
        return OnWrite(close, ec, 0);
      }
    }
    Arm(server_.options().request_timeout_ms);
    http::async_write(stream_, *serializer_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, size_t) {
    Disarm();
    if (in_request_) {
      in_request_ = false;
      server_.in_flight().Dec();
      double seconds = static_cast<double>(server_.clock().MonotonicNs() - start_ns_) * 1e-9;
      server_.RecordRequest(route_label_, method_, code_, seconds);
    }
    if (ec) return Close();
    if (close) return linger_ ? Linger() : Close();
    DoReadHeader();
  }

  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    linger_buffer_.resize(4096);
    Arm(kLingerTime.count());
    DoLingerRead();
  }

  void DoLingerRead() {
    stream_.async_read_some(asio::buffer(linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();  // the deadline stays armed
                              self->DoLingerRead();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  HttpServer::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;  // writes res_
  bool non_blocking_ = false;  // the socket's synchronous calls return would_block (set once)
  Router::Match match_;
  std::string route_label_;
  Method method_ = Method::kOther;
  unsigned version_ = 11;
  int code_ = 0;
  int64_t start_ns_ = 0;
  bool idle_ = false;
  bool in_request_ = false;
  bool linger_ = false;
  std::vector<char> linger_buffer_;
  std::atomic<int64_t> deadline_ms_{0};  // written on the strand, read by the sweep
};

HttpServer::Impl::Impl(HttpServerOptions options, std::vector<Route> routes,
                       Authenticator& authenticator, Metrics& metrics, const Clock& clock)
    : options_(std::move(options)),
      routes_(std::move(routes)),
      authenticator_(authenticator),
      clock_(clock),
      requests_total_(metrics.AddCounter("tailor_http_requests_total",
                                         "HTTP requests by route, method and status code.",
                                         {"route", "method", "code"})),
      request_duration_(metrics.AddHistogram(
          "tailor_http_request_duration_seconds",
          "Time from request headers received to response written, by route and method.",
          {"route", "method"}, LatencyBucketsSeconds())),
      in_flight_(metrics.AddGaugeNoLabels("tailor_http_in_flight",
                                          "HTTP requests currently being handled.")),
      ioc_(options_.threads > 0 ? options_.threads : 1),
      accept_strand_(asio::make_strand(ioc_)),
      acceptor_(accept_strand_),
      sweep_timer_(accept_strand_) {}

HttpServer::Impl::~Impl() {
  Shutdown();
  std::optional<std::thread> t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    t.swap(signal_shutdown_thread_);
  }
  if (t && t->joinable()) t->join();
}

Status HttpServer::Impl::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopping_.load()) {
      return FailedPrecondition("HTTP server already started or shut down");
    }
  }
  TAILOR_RETURN_IF_ERROR(options_.Validate());
  TAILOR_ASSIGN_OR_RETURN(Router router, Router::Create(routes_));
  router_.emplace(std::move(router));
  TAILOR_ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseListen(options_.listen));

  beast::error_code ec;
  auto fail = [&](std::string_view what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Unavailable("cannot listen on " + options_.listen + ": " + std::string(what) + ": " +
                       ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  // Lets a restarted server bind while old connections sit in TIME_WAIT; a port held by
  // a live listener still fails with "Address already in use".
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  port_.store(acceptor_.local_endpoint(ec).port());

  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  work_guard_.emplace(asio::make_work_guard(ioc_));
  asio::post(accept_strand_, [this] {
    DoAccept();
    Sweep();
  });
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { RunIoThread(); });
  LogInfo("http server listening", {{"listen", options_.listen},
                                    {"port", std::to_string(port())},
                                    {"threads", std::to_string(options_.threads)}});
  return Status::OK();
}

void HttpServer::Impl::RunIoThread() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      // Handlers are wrapped in Handle(); this is a last line of defence.
      LogError("http io thread caught an exception", {{"what", e.what()}});
    }
  }
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and friends: log and keep accepting rather than going deaf.
    LogWarn("http accept failed", {{"error", ec.message()}});
  } else {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(*this, std::move(socket));
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.emplace(session.get(), session);
    }
    session->Start();
  }
  DoAccept();
}

void HttpServer::Impl::Sweep() {
  if (sweep_stopped_) return;
  const int64_t now_ms = clock_.MonotonicNs() / 1'000'000;
  std::vector<std::shared_ptr<Session>> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [ptr, weak] : sessions_) {
      const int64_t deadline = ptr->deadline_ms();
      if (deadline == 0 || deadline > now_ms) continue;
      if (auto s = weak.lock()) expired.push_back(std::move(s));
    }
  }
  for (auto& s : expired) s->CloseIfExpired();
  sweep_timer_.expires_after(std::chrono::milliseconds(sweep_period_ms()));
  sweep_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) Sweep();
  });
}

void HttpServer::Impl::OnSessionClosed(Session* s) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(s);
  if (sessions_.empty()) cv_.notify_all();
}

std::optional<HttpResponse> HttpServer::Impl::Authorize(const Route& route, HttpRequest& req) {
  std::string_view header = req.Header("authorization");
  if (header.empty()) {
    HttpResponse r = ErrorResponse(
        Unauthenticated("missing API key: pass it in the header `Authorization: Bearer <key>`"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  std::string_view token = BearerToken(header);
  if (token.empty()) {
    HttpResponse r = ErrorResponse(Unauthenticated(
        "malformed Authorization header: pass the API key as `Authorization: Bearer <key>`"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  Result<Principal> principal = authenticator_.Authenticate(token);
  if (!principal.ok()) {
    HttpResponse r = ErrorResponse(principal.status());
    if (principal.status().code() == StatusCode::kUnauthenticated) {
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
    }
    return r;
  }
  for (uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((route.scope & bit) == 0 || principal->Has(static_cast<Scope>(bit))) continue;
    return ErrorResponse(
        PermissionDenied("API key '" + principal->key_id + "' lacks the scope \"" +
                         std::string(ScopeName(static_cast<Scope>(bit))) + "\" required by " +
                         std::string(MethodName(route.method)) + " " + route.pattern));
  }
  req.principal = std::move(*principal);
  return std::nullopt;
}

HttpResponse HttpServer::Impl::Handle(Router::Match& match, HttpRequest& req,
                                      const Status& decode_status) {
  const std::string_view route_name =
      match.route != nullptr ? std::string_view(match.route->name) : kUnmatchedRoute;
  try {
    if (!decode_status.ok()) return ErrorResponse(decode_status);
    switch (match.kind) {
      case Router::Match::Kind::kNotFound:
        return ErrorResponse(
            NotFound("no route for " + std::string(MethodName(req.method)) + " " + req.path));
      case Router::Match::Kind::kMethodNotAllowed:
        return MethodNotAllowedResponse(MethodName(req.method), req.path, match.allow);
      case Router::Match::Kind::kFound:
        break;
    }
    const Route& route = *match.route;
    if (route.scope != kScopeNone) {
      if (auto denied = Authorize(route, req)) return std::move(*denied);
    }
    req.path_params = std::move(match.path_params);
    return route.handler(req);
  } catch (const std::exception& e) {
    LogError("http handler threw",
             {{"route", std::string(route_name)}, {"target", req.target}, {"what", e.what()}});
  } catch (...) {
    LogError("http handler threw a non-std exception",
             {{"route", std::string(route_name)}, {"target", req.target}});
  }
  return ErrorResponse(Internal("internal error while handling the request"));
}

void HttpServer::Impl::RecordRequest(std::string_view route, Method method, int code,
                                     double seconds) {
  const std::string_view method_name = MethodName(method);
  requests_total_.WithLabels({route, method_name, std::to_string(code)}).Inc();
  request_duration_.WithLabels({route, method_name}).Observe(seconds);
}

void HttpServer::Impl::Shutdown() {
  std::call_once(shutdown_once_, [this] { DoShutdown(); });
}

void HttpServer::Impl::DoShutdown() {
  if (on_shutdown_begin_) on_shutdown_begin_();
  stopping_.store(true);
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) {
    stopped_ = true;
    cv_.notify_all();
    return;
  }
  lock.unlock();
  LogInfo("http server draining",
          {{"drain_timeout_ms", std::to_string(options_.drain_timeout_ms)}});
  asio::post(accept_strand_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    std::lock_guard<std::mutex> l(mu_);
    if (signals_) signals_->cancel(ignored);
  });

  auto for_each_session = [this](auto fn) {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) fn(*s);
  };
  for_each_session([](Session& s) { s.CloseIfIdle(); });

  lock.lock();
  bool drained = cv_.wait_for(lock, std::chrono::milliseconds(options_.drain_timeout_ms),
                              [this] { return sessions_.empty(); });
  if (!drained) {
    LogWarn("http drain timeout passed; closing remaining connections",
            {{"connections", std::to_string(sessions_.size())}});
    lock.unlock();
    for_each_session([](Session& s) { s.ForceClose(); });
    lock.lock();
    drained = cv_.wait_for(lock, kForceCloseGrace, [this] { return sessions_.empty(); });
  }
  lock.unlock();

  // The sweep's timer would keep the io threads running: stop it (on its strand).
  asio::post(accept_strand_, [this] {
    sweep_stopped_ = true;
    sweep_timer_.cancel();
  });
  work_guard_.reset();
  // A handler that never returns would keep its connection alive forever; stop the loop
  // so the other io threads exit (joining still waits for that handler).
  if (!drained) ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();

  lock.lock();
  stopped_ = true;
  cv_.notify_all();
  lock.unlock();
  LogInfo("http server stopped");
}

void HttpServer::Impl::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopped_ || !started_; });
}

void HttpServer::Impl::ShutdownOnSignals() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_.load() || signals_) return;
  // Registered here, on the caller's thread, so a signal arriving right after this call
  // returns is already ours rather than the default action's.
  signals_.emplace(accept_strand_, SIGINT, SIGTERM);
  asio::post(accept_strand_, [this] {
    // Shutdown sets stopping_ before posting the cancel to this strand: either the cancel
    // runs after this wait starts, or this sees stopping_ and never starts waiting.
    if (stopping_.load()) return;
    signals_->async_wait([this](beast::error_code ec, int signo) {
      if (ec) return;
      LogInfo("signal received, shutting down", {{"signal", std::to_string(signo)}});
      // Shutdown joins the io threads, so it cannot run on this one.
      std::lock_guard<std::mutex> l(mu_);
      if (!signal_shutdown_thread_) signal_shutdown_thread_.emplace([this] { Shutdown(); });
    });
  });
}

HttpServer::HttpServer(HttpServerOptions options, std::vector<Route> routes,
                       Authenticator& authenticator, Metrics& metrics, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(routes), authenticator, metrics,
                                   clock)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }
void HttpServer::Wait() { impl_->Wait(); }
void HttpServer::ShutdownOnSignals() { impl_->ShutdownOnSignals(); }
void HttpServer::OnShutdownBegin(std::function<void()> hook) {
  impl_->on_shutdown_begin_ = std::move(hook);
}

}  // namespace tailor::server
