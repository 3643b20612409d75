// Must precede Boost.Asio/Beast with Boost 1.74 + GCC 12 in C++20 mode.
#include <utility>

#include "server/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <stdexcept>
#include <thread>

#include "core/json_util.h"
#include "testutil/testutil.h"

namespace tailor::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Reply {
  int status = -1;  // -1: transport error (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = false;
  std::string error;
};

Reply Failed(const beast::error_code& ec) {
  Reply r;
  r.error = ec.message();
  return r;
}

// A tiny synchronous HTTP/1.1 client over one connection. Reads time out after 5 s so a
// broken server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  Reply Send(http::verb verb, std::string target, std::string body = {},
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    beast::error_code ec;
    http::write(socket_, MakeRequest(verb, std::move(target), std::move(body), headers), ec);
    if (ec) return Failed(ec);
    return Read(verb == http::verb::head);
  }

  static http::request<http::string_body> MakeRequest(
      http::verb verb, std::string target, std::string body,
      const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || verb == http::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    return req;
  }

  void WriteRaw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  Reply Read(bool head = false) {
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    http::read(socket_, buffer_, parser, ec);
    if (ec) return Failed(ec);
    auto& res = parser.get();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    r.keep_alive = res.keep_alive();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    return r;
  }

  // True when the server closed the connection (EOF or reset) within the read timeout.
  bool ServerClosed() {
    char c;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class FakeAuthenticator final : public Authenticator {
 public:
  Result<Principal> Authenticate(std::string_view token) override {
    if (token == "admin-key") return Principal{"k_admin", kScopeAdmin};
    if (token == "writer-key") return Principal{"k_writer", kScopeEventsWrite};
    return Unauthenticated("unknown API key");
  }
};

Route Get(std::string pattern, std::string name, Handler h, uint32_t scope = kScopeNone) {
  return Route{Method::kGet, std::move(pattern), scope, std::move(name), std::move(h)};
}

Handler Ok(std::string body) {
  return [body](const HttpRequest&) { return HttpResponse::Json(200, body); };
}

class TestServer {
 public:
  explicit TestServer(std::vector<Route> routes, HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(options, std::move(routes), auth_, metrics_, clock_);
    Status st = server_->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  HttpServer& server() { return *server_; }
  Metrics& metrics() { return metrics_; }
  uint16_t port() { return server_->port(); }

 private:
  FakeAuthenticator auth_;
  Metrics metrics_;
  SystemClock clock_;
  std::unique_ptr<HttpServer> server_;
};

std::vector<Route> BasicRoutes() {
  return {
      Get("/ping", "ping", Ok(R"({"pong":true})")),
      Get("/v1/echo/{id}", "echo",
          [](const HttpRequest& req) {
            std::string body = "{\"id\":" + JsonQuote(req.PathParam("id")) +
                               ",\"q\":" + JsonQuote(req.Query("q").value_or("")) +
                               ",\"path\":" + JsonQuote(req.path) + "}";
            return HttpResponse::Json(200, body);
          }),
      Route{Method::kPost, "/v1/echo", kScopeNone, "echo.post",
            [](const HttpRequest& req) {
              return HttpResponse::Text(200, req.body, "application/octet-stream");
            }},
      Get("/v1/decide", "decide",
          [](const HttpRequest& req) {
            return HttpResponse::Json(200, "{\"key\":" + JsonQuote(req.principal.key_id) + "}");
          },
          kScopeDecide),
      Get("/boom", "boom",
          [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaboom"); }),
  };
}

TEST(HttpServer, RoutesWithPathParamsAndQuery) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply r = c.Send(http::verb::get, "/v1/echo/a%2Fb%C3%A9?q=x+y%21&other=1");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "{\"id\":\"a/b\xC3\xA9\",\"q\":\"x y!\",\"path\":\"/v1/echo/a/b\xC3\xA9\"}");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["server"], "tailor");
  EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
}

TEST(HttpServer, MalformedQueryIs400) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply r = c.Send(http::verb::get, "/v1/echo/x?q=%zz");
  ASSERT_EQ(r.status, 400) << r.error;
  EXPECT_NE(r.body.find(R"("code":"invalid_argument")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("path":"query.q")"), std::string::npos) << r.body;
}

TEST(HttpServer, AuthErrorsAreJson) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());

  Reply r = c.Send(http::verb::get, "/v1/decide");
  ASSERT_EQ(r.status, 401) << r.error;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"unauthenticated","message":"missing API key: pass it in the )"
            R"(header `Authorization: Bearer <key>`","path":null}})");

  r = c.Send(http::verb::get, "/v1/decide", "", {{"Authorization", "Bearer nope"}});
  ASSERT_EQ(r.status, 401);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"unauthenticated","message":"unknown API key","path":null}})");

  r = c.Send(http::verb::get, "/v1/decide", "", {{"Authorization", "Basic abc"}});
  ASSERT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Authorization: Bearer <key>"), std::string::npos);

  r = c.Send(http::verb::get, "/v1/decide", "", {{"Authorization", "Bearer writer-key"}});
  ASSERT_EQ(r.status, 403);
  EXPECT_NE(r.body.find(R"("code":"permission_denied")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"(\"decide\")"), std::string::npos) << r.body;

  r = c.Send(http::verb::get, "/v1/decide", "", {{"Authorization", "bearer  admin-key "}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"key":"k_admin"})");
}

TEST(HttpServer, NotFoundAndMethodNotAllowed) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply r = c.Send(http::verb::get, "/nope");
  ASSERT_EQ(r.status, 404) << r.error;
  EXPECT_EQ(r.body,
            R"({"error":{"code":"not_found","message":"no route for GET /nope","path":null}})");

  r = c.Send(http::verb::delete_, "/ping");
  ASSERT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, HEAD");
  EXPECT_NE(r.body.find(R"({"error":{"code":"method_not_allowed",)"), std::string::npos);
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpServer, HeadSendsLengthWithoutBody) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply r = c.Send(http::verb::head, "/ping");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers["content-length"], std::to_string(std::string(R"({"pong":true})").size()));
  // The connection is still in sync.
  EXPECT_EQ(c.Send(http::verb::get, "/ping").body, R"({"pong":true})");
}

TEST(HttpServer, BodyOverLimitIs413AndServerKeepsServing) {
  HttpServerOptions opt;
  opt.max_body_bytes = 1024;
  TestServer ts(BasicRoutes(), opt);
  {
    Client c(ts.port());
    Reply r = c.Send(http::verb::post, "/v1/echo", std::string(1024, 'a'));
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body.size(), 1024u);
  }
  {
    Client c(ts.port());
    Reply r = c.Send(http::verb::post, "/v1/echo", std::string(200000, 'a'));
    ASSERT_EQ(r.status, 413) << r.error << r.body;
    EXPECT_EQ(r.body,
              R"json({"error":{"code":"payload_too_large","message":"request body exceeds the )json"
              R"json(limit of 1024 bytes (server.max_body_bytes)","path":null}})json");
    EXPECT_FALSE(r.keep_alive);
  }
  {
    // Chunked bodies have no Content-Length; the limit trips while reading.
    Client c(ts.port());
    c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "800\r\n" + std::string(0x800, 'b') + "\r\n0\r\n\r\n");
    Reply r = c.Read();
    ASSERT_EQ(r.status, 413) << r.error;
  }
  {
    // Expect: 100-continue with an oversized Content-Length is refused before the body.
    Client c(ts.port());
    c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
               "Expect: 100-continue\r\n\r\n");
    Reply r = c.Read();
    ASSERT_EQ(r.status, 413) << r.error;
  }
  Client c(ts.port());
  EXPECT_EQ(c.Send(http::verb::get, "/ping").status, 200);
}

TEST(HttpServer, ExpectContinueWithinLimit) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\n\r\n");
  Reply cont = c.Read();
  ASSERT_EQ(cont.status, 100) << cont.error;
  c.WriteRaw("hello");
  Reply r = c.Read();
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "hello");
}

TEST(HttpServer, MalformedRequestIs400AndCloses) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  c.WriteRaw("GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  Reply r = c.Read();
  ASSERT_EQ(r.status, 400) << r.error;
  EXPECT_NE(r.body.find(R"("code":"invalid_argument")"), std::string::npos) << r.body;
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.ServerClosed());
  Client c2(ts.port());
  EXPECT_EQ(c2.Send(http::verb::get, "/ping").status, 200);
}

// Timeouts are deadlines checked by a sweep (every quarter of the shortest timeout, at
// least every 10 ms): an idle connection is closed soon after idle_timeout_ms, one that
// keeps sending requests is not, and a body that stops arriving is cut off after
// request_timeout_ms while other connections are served.
TEST(HttpServer, IdleConnectionIsClosedAfterItsTimeoutAndBusyOneIsNot) {
  HttpServerOptions o;
  o.idle_timeout_ms = 300;
  TestServer ts(BasicRoutes(), o);
  Client busy(ts.port());
  for (int i = 0; i < 8; ++i) {  // 8 x 100 ms: well past the idle timeout in total
    ASSERT_EQ(busy.Send(http::verb::get, "/ping").status, 200) << "request " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Client idle(ts.port());
  ASSERT_EQ(idle.Send(http::verb::get, "/ping").status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.ServerClosed());
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  EXPECT_GE(waited.count(), 250);   // not before the timeout (less the clock's rounding)
  EXPECT_LT(waited.count(), 2000);  // the sweep runs every 75 ms here
}

TEST(HttpServer, StalledBodyIsClosedAfterRequestTimeoutSlowHandlerIsNot) {
  HttpServerOptions o;
  o.request_timeout_ms = 200;
  std::vector<Route> routes = BasicRoutes();
  routes.push_back(Get("/slow", "slow", [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return HttpResponse::Json(200, "{}");
  }));
  TestServer ts(std::move(routes), o);
  Client stalled(ts.port());
  stalled.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part");
  const auto start = std::chrono::steady_clock::now();
  Client other(ts.port());
  EXPECT_EQ(other.Send(http::verb::get, "/ping").status, 200);
  EXPECT_TRUE(stalled.ServerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // The handler's own time (500 ms) does not count against the 200 ms request timeout.
  Reply slow = other.Send(http::verb::get, "/slow");
  EXPECT_EQ(slow.status, 200) << slow.error;
  EXPECT_EQ(other.Send(http::verb::get, "/ping").status, 200);
}

TEST(HttpServer, KeepAliveAndPipelining) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply a = c.Send(http::verb::get, "/ping");
  ASSERT_EQ(a.status, 200) << a.error;
  EXPECT_TRUE(a.keep_alive);
  Reply b = c.Send(http::verb::get, "/v1/echo/two");
  ASSERT_EQ(b.status, 200) << b.error;
  EXPECT_NE(b.body.find("\"two\""), std::string::npos);

  // Two requests in one write: answered in order.
  c.WriteRaw("GET /v1/echo/p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/echo/p2 HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply p1 = c.Read();
  Reply p2 = c.Read();
  EXPECT_NE(p1.body.find("\"p1\""), std::string::npos) << p1.error;
  EXPECT_NE(p2.body.find("\"p2\""), std::string::npos) << p2.error;

  // Connection: close is honoured.
  Reply last = c.Send(http::verb::get, "/ping", "", {{"Connection", "close"}});
  EXPECT_EQ(last.status, 200);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(c.ServerClosed());
}

// The server parses a body that came with its header without another read, and writes
// answers that fit the socket buffer at once; everything else takes the asynchronous
// path. Both paths, on one connection.
TEST(HttpServer, BodiesAndAnswersOfEveryShape) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  // Body in the same write as the header.
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  Reply a = c.Read();
  ASSERT_EQ(a.status, 200) << a.error;
  EXPECT_EQ(a.body, "hello");
  // Header first, body in two later pieces.
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.WriteRaw("wor");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.WriteRaw("ld!");
  Reply b = c.Read();
  ASSERT_EQ(b.status, 200) << b.error;
  EXPECT_EQ(b.body, "world!");
  // Chunked, with the last chunk arriving later.
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.WriteRaw("2\r\nde\r\n0\r\n\r\n");
  Reply d = c.Read();
  ASSERT_EQ(d.status, 200) << d.error;
  EXPECT_EQ(d.body, "abcde");
  // Two POSTs and a GET in one write: each body ends where the next request begins.
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\np1"
             "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\np2"
             "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.Read().body, "p1");
  EXPECT_EQ(c.Read().body, "p2");
  EXPECT_EQ(c.Read().body, R"({"pong":true})");
  // An answer far larger than the socket's send buffer, read slowly: written partly at
  // once and the rest asynchronously.
  std::string big(6 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  c.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(big.size()) +
             "\r\n\r\n");
  c.WriteRaw(big.substr(0, 1 << 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.WriteRaw(std::string_view(big).substr(1 << 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server fills the socket
  Reply e = c.Read();
  ASSERT_EQ(e.status, 200) << e.error;
  EXPECT_TRUE(e.body == big) << "echoed " << e.body.size() << " of " << big.size() << " bytes";
  // The connection still serves.
  EXPECT_EQ(c.Send(http::verb::get, "/ping").status, 200);
}

TEST(HttpServer, Http10ClosesByDefault) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  c.WriteRaw("GET /ping HTTP/1.0\r\n\r\n");
  Reply r = c.Read();
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.ServerClosed());
}

TEST(HttpServer, ThrowingHandlerGives500AndServerKeepsServing) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  Reply r = c.Send(http::verb::get, "/boom");
  ASSERT_EQ(r.status, 500) << r.error;
  EXPECT_EQ(r.body,
            R"({"error":{"code":"internal","message":"internal error while handling the )"
            R"(request","path":null}})");
  EXPECT_EQ(c.Send(http::verb::get, "/ping").status, 200);
}

TEST(HttpServer, MetricsCountRequestsPerRoute) {
  TestServer ts(BasicRoutes());
  Client c(ts.port());
  ASSERT_EQ(c.Send(http::verb::get, "/ping").status, 200);
  ASSERT_EQ(c.Send(http::verb::get, "/ping").status, 200);
  ASSERT_EQ(c.Send(http::verb::get, "/nope").status, 404);
  ASSERT_EQ(c.Send(http::verb::get, "/v1/decide").status, 401);
  // Metrics are recorded once the write completes, which may be just after the client has
  // read the response.
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = ts.metrics().RenderPrometheus();
    if (text.find("tailor_http_in_flight 0\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(text.find("# TYPE tailor_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find(R"(tailor_http_requests_total{route="ping",method="GET",code="200"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(tailor_http_requests_total{route="unmatched",method="GET",code="404"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tailor_http_requests_total{route="decide",method="GET",code="401"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tailor_http_request_duration_seconds_count{route="ping",method="GET"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tailor_http_request_duration_seconds_bucket{route="ping",method="GET",le="10"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tailor_http_in_flight 0\n"), std::string::npos) << text;
}

TEST(HttpServer, GracefulShutdownWaitsForInFlightRequest) {
  std::promise<void> started;
  std::atomic<bool> finished{false};
  auto routes = BasicRoutes();
  routes.push_back(Get("/slow", "slow", [&](const HttpRequest&) {
    started.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    finished = true;
    return HttpResponse::Json(200, R"({"slow":true})");
  }));
  HttpServerOptions opt;
  opt.drain_timeout_ms = 5000;
  TestServer ts(routes, opt);
  const uint16_t port = ts.port();

  // An idle keep-alive connection must not hold up shutdown.
  Client idle(port);
  ASSERT_EQ(idle.Send(http::verb::get, "/ping").status, 200);

  std::future<Reply> slow = std::async(std::launch::async, [port] {
    Client c(port);
    return c.Send(http::verb::get, "/slow");
  });
  started.get_future().wait();
  auto t0 = std::chrono::steady_clock::now();
  ts.server().Shutdown();
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(finished.load());
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));

  Reply r = slow.get();
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, R"({"slow":true})");
  EXPECT_FALSE(r.keep_alive);  // Connection: close while draining
  EXPECT_TRUE(idle.ServerClosed());

  ts.server().Wait();  // returns at once after Shutdown
  ts.server().Shutdown();  // idempotent
  EXPECT_THROW(Client{port}, boost::system::system_error);
}

TEST(HttpServer, ShutdownHookRunsOnceBeforeDraining) {
  FakeAuthenticator auth;
  Metrics metrics;
  SystemClock clock;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server(options, BasicRoutes(), auth, metrics, clock);
  std::atomic<int> calls{0};
  server.OnShutdownBegin([&] { calls.fetch_add(1); });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(calls.load(), 0);
  server.Shutdown();
  server.Shutdown();  // idempotent
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServer, WaitReturnsAfterShutdownFromAnotherThread) {
  TestServer ts(BasicRoutes());
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ts.server().Shutdown();
  });
  ts.server().Wait();
  t.join();
}

TEST(HttpServer, SigtermTriggersGracefulShutdown) {
  TestServer ts(BasicRoutes());
  ts.server().ShutdownOnSignals();
  Client c(ts.port());
  ASSERT_EQ(c.Send(http::verb::get, "/ping").status, 200);
  ASSERT_EQ(std::raise(SIGTERM), 0);
  ts.server().Wait();
  EXPECT_TRUE(c.ServerClosed());
}

TEST(HttpServer, BusyPortNamesTheAddress) {
  TestServer first(BasicRoutes());
  FakeAuthenticator auth;
  Metrics metrics;
  SystemClock clock;
  HttpServerOptions opt;
  opt.listen = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(opt, BasicRoutes(), auth, metrics, clock);
  Status st = second.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find(opt.listen), std::string::npos) << st.ToString();
  second.Wait();  // never started: returns at once
}

TEST(HttpServer, StartRejectsBadRoutesAndTwice) {
  FakeAuthenticator auth;
  Metrics metrics;
  SystemClock clock;
  HttpServerOptions opt;
  opt.listen = "127.0.0.1:0";
  HttpServer bad(opt, {Get("no-slash", "x", Ok("{}"))}, auth, metrics, clock);
  EXPECT_EQ(bad.Start().code(), StatusCode::kInvalidArgument);

  HttpServer good(opt, BasicRoutes(), auth, metrics, clock);
  ASSERT_OK(good.Start());
  EXPECT_EQ(good.Start().code(), StatusCode::kFailedPrecondition);
  good.Shutdown();
  EXPECT_EQ(good.Start().code(), StatusCode::kFailedPrecondition);
}

TEST(HttpServerOptions, Validate) {
  HttpServerOptions o;
  EXPECT_OK(o.Validate());
  o.listen = "[::1]:0";
  EXPECT_OK(o.Validate());
  o.listen = ":8080";
  EXPECT_OK(o.Validate());
  o.listen = "localhost:8080";
  EXPECT_OK(o.Validate());
  for (const char* bad : {"8080", "127.0.0.1:", "127.0.0.1:70000", "example.com:80", "1.2.3.4:x"}) {
    o.listen = bad;
    Status st = o.Validate();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(st.path(), "listen") << bad;
  }
  o = {};
  o.threads = 0;
  EXPECT_EQ(o.Validate().path(), "threads");
  o = {};
  o.max_body_bytes = 0;
  EXPECT_EQ(o.Validate().path(), "max_body_bytes");
  o = {};
  o.request_timeout_ms = 0;
  EXPECT_EQ(o.Validate().path(), "request_timeout_ms");
  o = {};
  o.idle_timeout_ms = -1;
  EXPECT_EQ(o.Validate().path(), "idle_timeout_ms");
}

}  // namespace
}  // namespace tailor::server
