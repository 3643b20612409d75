#include <utility>  // Boost 1.74 Asio needs std::exchange declared first (GCC 12, C++20)

#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tailor::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  std::string port;
  std::string bearer;
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return Unavailable("cannot resolve " + host + ":" + port + ": " + ec.message());
    stream = std::make_unique<beast::tcp_stream>(ioc);
    stream->connect(results, ec);
    if (ec) {
      return Unavailable("cannot connect to " + host + ":" + port + ": " + ec.message() +
                         "; is `tailor serve` running there?");
    }
    stream->socket().set_option(tcp::no_delay(true));
    return Status::OK();
  }

  Result<server::HttpResponse> Once(server::Method method, const std::string& target,
                                    const std::string& body) {
    http::verb verb = http::string_to_verb(std::string(server::MethodName(method)));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "tailor-cli");
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    beast::error_code ec;
    http::write(*stream, req, ec);
    if (ec) return Unavailable("sending request: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    http::read(*stream, buffer, parser, ec);
    if (ec) return Unavailable("reading response: " + ec.message());
    auto& res = parser.get();
    server::HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    for (const auto& f : res) {
      if (f.name() == http::field::retry_after) {
        out.headers.emplace_back("Retry-After", std::string(f.value()));
      }
    }
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url, std::string bearer) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  } else if (rest.find("://") != std::string::npos) {
    return InvalidArgument("only http:// URLs are supported (put TLS in a proxy in front)", "url");
  }
  rest = rest.substr(0, rest.find('/'));
  auto impl = std::make_unique<Impl>();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    impl->host = rest;
    impl->port = "80";
  } else {
    impl->host = rest.substr(0, colon);
    impl->port = rest.substr(colon + 1);
  }
  if (impl->host.empty()) return InvalidArgument("URL has no host: " + url, "url");
  impl->bearer = std::move(bearer);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<server::HttpResponse> HttpClient::Send(server::Method method, const std::string& target,
                                              const std::string& body) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream) TAILOR_RETURN_IF_ERROR(impl_->Connect());
    auto r = impl_->Once(method, target, body);
    if (r.ok() || attempt == 1) return r;
    impl_->stream.reset();  // a kept-alive connection may have been closed; retry once
  }
  return Internal("unreachable");
}

}  // namespace tailor::cli
