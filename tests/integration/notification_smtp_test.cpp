// send_email against a real SMTP server (aiosmtpd, tests/support/smtp_sink): the message arrives
// whole with its envelope, lines starting with "." included (libcurl dot-stuffs them), and each
// failure (nobody listening, a rejected recipient, a silent server, TLS refused, a URL or an
// address that is not SMTP's) comes back as an error that never shows the URL's password.
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>

#include "core/time.hpp"
#include "mime_reader.hpp"
#include "modules/notification/mime.hpp"
#include "modules/notification/smtp.hpp"
#include "smtp_sink.hpp"

using payrollx::notification::EmailMessage;
using payrollx::notification::mime_message;
using payrollx::notification::send_email;
using payrollx::notification::SendOutcome;
using payrollx::notification::SmtpSettings;
using namespace payrollx::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr auto k_password = "s3cret";

// A TCP socket bound to a free loopback port. Not listening, connections to it are refused (and
// no other process can take the port meanwhile); listening, the kernel completes connections
// that nobody ever answers.
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        (listening && ::listen(fd_, 8) != 0))
      throw std::system_error(errno, std::generic_category(), "loopback socket");
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackPort() { ::close(fd_); }
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

EmailMessage sample() {
  return {.from = "payrollx@localhost",
          .to = "ann@example.com",
          .to_name = "Zoë Müller",
          .subject = "Payslip – Café",
          // A line of one "." would end the DATA early, and ".." would lose a dot, unless the
          // sender doubles the dot at the start of a line.
          .text = "Your payslip:\r\n.\r\n..two dots\r\n.one dot\r\n",
          .html = "<p>Your payslip: <b>1&nbsp;234,56&nbsp;€</b></p>\r\n"};
}

SendOutcome send(const std::string& url, const EmailMessage& message,
                 std::chrono::seconds timeout = 10s) {
  return send_email(SmtpSettings{url, timeout}, message,
                    mime_message(message, payrollx::now(), "delivery-1"));
}

std::string url_with_password(std::string_view scheme, std::uint16_t port) {
  return fmt::format("{}://user:{}@127.0.0.1:{}", scheme, k_password, port);
}

}  // namespace

TEST_CASE("notification smtp: a message reaches the relay whole, with its envelope") {
  SmtpSink sink;
  const auto message = sample();
  const auto outcome = send(sink.url(), message);
  INFO(outcome.error);
  REQUIRE(outcome.delivered);
  CHECK(outcome.error.empty());
  REQUIRE(sink.wait_for(1, 10s));

  const auto messages = sink.messages();
  REQUIRE(messages.size() == 1);
  INFO(messages[0]);
  const auto received = parse_entity(messages[0]);
  CHECK(received.field("X-MailFrom") == "payrollx@localhost");
  CHECK(received.field("X-RcptTo") == "ann@example.com");
  CHECK(decode_encoded_words(received.field("To")) == "Zoë Müller <ann@example.com>");
  CHECK(decode_encoded_words(received.field("Subject")) == message.subject);
  const auto parts = multipart_parts(received);
  REQUIRE(parts.size() == 2);
  CHECK(received.field("Content-Type").starts_with("multipart/alternative;"));
  CHECK(parts[0].field("Content-Type") == "text/plain; charset=utf-8");
  CHECK(decoded_body(parts[0]) == message.text);
  CHECK(parts[1].field("Content-Type") == "text/html; charset=utf-8");
  CHECK(decoded_body(parts[1]) == message.html);
}

TEST_CASE("notification smtp: nobody listening is an error that keeps the password out") {
  const LoopbackPort closed(false);
  const auto outcome = send(url_with_password("smtp", closed.port()), sample());
  INFO(outcome.error);
  CHECK_FALSE(outcome.delivered);
  CHECK_THAT(outcome.error, Contains("connect"));
  CHECK_THAT(outcome.error, !Contains(k_password));

  SECTION("even when libcurl's message holds the password, as written or URL-encoded") {
    // libcurl names the host it could not reach: here the password is the host's address.
    for (auto password : {"127.0.0.1", "127.0.0.%31"}) {
      const auto failed =
          send(fmt::format("smtp://user:{}@127.0.0.1:{}", password, closed.port()), sample());
      INFO(failed.error);
      CHECK_THAT(failed.error, Contains("connect to *** port"));
      CHECK_THAT(failed.error, !Contains("127.0.0.1"));
    }
  }
}

TEST_CASE("notification smtp: a rejected recipient is an error with the relay's reply") {
  SmtpSink sink;
  auto message = sample();
  message.to = "ann@example.com@example.org";  // aiosmtpd refuses it as malformed
  const auto outcome = send(url_with_password("smtp", sink.port()), message);
  INFO(outcome.error);
  CHECK_FALSE(outcome.delivered);
  CHECK_THAT(outcome.error, Contains("RCPT") && Contains("the relay said: 553"));
  CHECK_THAT(outcome.error, !Contains(k_password));
  CHECK(sink.messages().empty());
}

TEST_CASE("notification smtp: a relay that never answers times out") {
  const LoopbackPort silent(true);
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = send(url_with_password("smtp", silent.port()), sample(), 1s);
  INFO(outcome.error);
  CHECK_FALSE(outcome.delivered);
  CHECK_THAT(outcome.error, Contains("Timeout"));
  CHECK_THAT(outcome.error, !Contains(k_password));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("notification smtp: smtps:// speaks TLS from the first byte") {
  SmtpSink sink;  // plain SMTP only: the TLS handshake fails
  const auto outcome = send(url_with_password("smtps", sink.port()), sample());
  INFO(outcome.error);
  CHECK_FALSE(outcome.delivered);
  CHECK_THAT(outcome.error, Contains("SSL"));
  CHECK_THAT(outcome.error, !Contains(k_password));
  CHECK(sink.messages().empty());
}

TEST_CASE("notification smtp: what is not SMTP is refused before anything is sent") {
  SmtpSink sink;
  SECTION("another scheme") {
    const auto outcome = send(fmt::format("http://127.0.0.1:{}", sink.port()), sample());
    CHECK_FALSE(outcome.delivered);
    CHECK_THAT(outcome.error, Contains("Unsupported protocol"));
  }
  SECTION("an address that would add an SMTP command") {
    auto message = sample();
    message.to = "ann@example.com>\r\nRCPT TO:<evil@example.com";
    const auto outcome = send(sink.url(), message);
    CHECK_FALSE(outcome.delivered);
    CHECK(outcome.error == "invalid recipient address");
    message.to = "zoë@example.com";
    CHECK(send(sink.url(), message).error == "invalid recipient address");
    message = sample();
    message.from = "payrollx@localhost\r\nRSET";
    CHECK(send(sink.url(), message).error == "invalid sender address");
  }
  CHECK(sink.messages().empty());
}
