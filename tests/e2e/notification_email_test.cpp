// Notification emails through a real SMTP server on loopback (aiosmtpd): the invitation email
// carries the token and its expiry, an organisation's template changes the subject, values are
// HTML-escaped in the HTML part, and work that did not commit sends nothing.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "eventually.hpp"
#include "ledger_helpers.hpp"
#include "mime_reader.hpp"
#include "problems.hpp"
#include "smtp_sink.hpp"
#include "test_app.hpp"

namespace {

using namespace payrollx::test;
namespace json = boost::json;
using namespace std::chrono_literals;

ServerSettings with_email(const SmtpSink& sink) {
  ServerSettings settings;
  settings.env = {{"PAYROLLX_SMTP_URL", sink.url()},
                  {"PAYROLLX_SMTP_FROM", "payroll@acme.example"},
                  {"PAYROLLX_OUTBOX_BACKOFF_MS", "100"},
                  {"PAYROLLX_AUTH_RATE_LIMIT", "1000000"}};
  return settings;
}

json::object invite(TestApp& app, const SignedUp& admin, const std::string& email,
                    const std::string& first_name) {
  return ledger::expect(app.http().post("/api/v1/users",
                                        json::object{{"email", email},
                                                     {"firstName", first_name},
                                                     {"lastName", "Invitee"},
                                                     {"role", "HR_MANAGER"}},
                                        admin.access_token),
                        201);
}

// The received message sent to `to` (the envelope's recipient).
MimeEntity message_to(const SmtpSink& sink, const std::string& to) {
  for (const auto& raw : sink.messages()) {
    auto message = parse_entity(raw);
    if (message.field("X-RcptTo").find(to) != std::string::npos) return message;
  }
  FAIL("no message to " << to);
  return {};
}

std::pair<std::string, std::string> text_and_html(const MimeEntity& message) {
  std::string text, html;
  for (const auto& part : multipart_parts(message)) {
    auto type = part.field("Content-Type");
    if (type.starts_with("text/plain")) text = decoded_body(part);
    if (type.starts_with("text/html")) html = decoded_body(part);
  }
  return {text, html};
}

}  // namespace

TEST_CASE("notification email: an invitation is mailed with its token and expiry", "[e2e]") {
  SmtpSink sink;
  TestApp app("notification-email-invite", with_email(sink));
  auto admin = app.signup("mailer");
  auto invited = invite(app, admin, "ivy@invitee.example", "Ivy");
  const auto token = std::string(invited.at("invitation").at("token").as_string());
  const auto expires = std::string(invited.at("invitation").at("expiresAt").as_string());

  REQUIRE(sink.wait_for(1, 10s));
  auto message = message_to(sink, "ivy@invitee.example");
  CHECK(message.field("From").find("payroll@acme.example") != std::string::npos);
  CHECK_FALSE(message.field("Date").empty());
  CHECK_FALSE(message.field("Message-ID").empty());
  CHECK(message.field("MIME-Version") == "1.0");
  auto [text, html] = text_and_html(message);
  CHECK(text.find(token) != std::string::npos);
  CHECK(text.find(expires) != std::string::npos);
  CHECK(html.find(token) != std::string::npos);
  // The delivery is recorded (just after the relay took it); the token never reaches the inbox
  // or the audit.
  CHECK(eventually([&] {
    return app.sql().count(
               "SELECT count(*) FROM notification.deliveries WHERE channel = 'EMAIL' "
               "AND status = 'DELIVERED'") == 1;
  }));
  CHECK(app.sql().count("SELECT count(*) FROM notification.notifications WHERE data::text LIKE "
                        "'%' || $1 || '%'",
                        {token}) == 0);
}

TEST_CASE("notification email: an organisation's template and escaped values", "[e2e]") {
  SmtpSink sink;
  TestApp app("notification-email-template", with_email(sink));
  auto admin = app.signup("templater");
  auto& http = app.http();
  const std::string path = "/api/v1/notifications/templates/user.invited";

  auto standard = ledger::expect(http.get(path, admin.access_token), 200);
  CHECK(standard.at("isDefault").as_bool());
  // A placeholder the event does not have is refused, and nothing changes.
  auto refused = http.put(path,
                          json::object{{"subject", "Hello {{recipient.nickname}}"},
                                       {"body", "Your token: {{token}} {{salary}}"}},
                          admin.access_token);
  CHECK(problem_fields(refused, 400, "validation_failed") ==
        std::set<std::string>{"subject", "body"});
  CHECK(ledger::expect(http.get(path, admin.access_token), 200).at("isDefault").as_bool());

  auto own = ledger::expect(
      http.put(
          path,
          json::object{{"subject", "Join {{organization.name}}, {{recipient.firstName}}"},
                       {"body", "Dear {{recipient.firstName}}, use {{token}} by {{expiresAt}}."}},
          admin.access_token),
      200);
  CHECK_FALSE(own.at("isDefault").as_bool());

  invite(app, admin, "eve@invitee.example", "<b>Eve & \"Co\"</b>");
  REQUIRE(sink.wait_for(1, 10s));
  auto message = message_to(sink, "eve@invitee.example");
  auto subject = decode_encoded_words(message.field("Subject"));
  CHECK(subject.starts_with("Join "));
  CHECK(subject.find("<b>Eve & \"Co\"</b>") != std::string::npos);
  auto [text, html] = text_and_html(message);
  CHECK(text.starts_with("Dear <b>Eve & \"Co\"</b>, use "));
  CHECK(html.find("&lt;b&gt;Eve &amp; &quot;Co&quot;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>Eve") == std::string::npos);

  // Back to the default.
  REQUIRE(http.del(path, admin.access_token).status == 204);
  CHECK(ledger::expect(http.get(path, admin.access_token), 200).at("isDefault").as_bool());
  CHECK(http.get("/api/v1/notifications/templates/no.such.event", admin.access_token).status ==
        404);
}

TEST_CASE("notification email: only committed work is mailed, once", "[e2e]") {
  SmtpSink sink;
  TestApp app("notification-email-commit", with_email(sink));
  auto admin = app.signup("depositor");
  auto& http = app.http();
  auto treasury = ledger::treasury_of(http, admin.access_token);
  const auto key = ledger::new_key();
  ledger::expect(ledger::deposit(http, admin.access_token, treasury, 5000, key), 201);
  // The replay answers the stored response: nothing is done, nothing is mailed again.
  auto replay = ledger::deposit(http, admin.access_token, treasury, 5000, key);
  CHECK(replay.header("idempotent-replayed") == "true");
  // A transfer refused for want of money rolls back: no notice, no email.
  auto employee = ledger::hire(http, admin.access_token, "payee");
  CHECK(ledger::transfer(http, admin.access_token, treasury, ledger::wallet_of_employee(employee),
                         999'999'999)
            .status == 409);
  REQUIRE(sink.wait_for(1, 10s));
  std::this_thread::sleep_for(1500ms);  // several dispatcher rounds
  CHECK(sink.messages().size() == 1);
  CHECK(app.sql().count("SELECT count(*) FROM notification.deliveries") == 1);
}
