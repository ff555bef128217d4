#include <catch2/catch.hpp>
#include <set>

#include "modules/notification/templates.hpp"

using namespace payrollx::notification;

using Values = std::map<std::string, std::string, std::less<>>;

TEST_CASE("notification templates: the eleven events, in the order the contract lists them") {
  const auto types = event_types();
  REQUIRE(types.size() == 11);
  CHECK(types.front() == "payroll.run.created");
  CHECK(types[4] == "payroll.payslip.available");
  CHECK(types.back() == "user.invited");
  CHECK(std::set<std::string_view>(types.begin(), types.end()).size() == 11);
  CHECK(is_event_type("employee.kyc.rejected"));
  CHECK_FALSE(is_event_type("employee.kyc"));
  CHECK_FALSE(is_event_type("*"));
  CHECK(placeholders_of("nope").empty());
  CHECK_THROWS_AS(default_template("nope"), std::invalid_argument);
}

TEST_CASE("notification templates: every default uses only its event's placeholders") {
  for (std::string_view type : event_types()) {
    INFO(type);
    const Template tmpl = default_template(type);
    CHECK_FALSE(tmpl.subject.empty());
    CHECK_FALSE(tmpl.body.empty());
    CHECK(template_errors(type, tmpl.subject).empty());
    CHECK(template_errors(type, tmpl.body).empty());
    const auto names = placeholders_of(type);
    for (std::string_view common :
         {"recipient.firstName", "recipient.lastName", "organization.name"})
      CHECK(std::find(names.begin(), names.end(), common) != names.end());
  }
}

TEST_CASE("notification templates: each event has its data keys") {
  auto has = [](std::string_view type, std::string_view name) {
    const auto names = placeholders_of(type);
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  CHECK(has("payroll.run.completed", "totalNet"));
  CHECK(has("payroll.run.completed", "employeeCount"));
  CHECK_FALSE(has("payroll.run.completed", "net"));
  CHECK(has("payroll.payslip.available", "net"));
  CHECK(has("payroll.run.reversed", "transactionId"));
  CHECK_FALSE(has("payroll.payslip.available", "totalNet"));
  CHECK(has("transaction.withdrawal.failed", "walletId"));
  CHECK(has("employee.kyc.rejected", "reason"));
  CHECK_FALSE(has("employee.kyc.approved", "reason"));
  CHECK(has("user.invited", "token"));
  CHECK(placeholders_of("user.invited").size() == 4 + 3);
}

TEST_CASE("notification templates: the invitation's default shows the token and its expiry") {
  const Template tmpl = default_template("user.invited");
  CHECK_THAT(tmpl.body, Catch::Contains("{{token}}"));
  CHECK_THAT(tmpl.body, Catch::Contains("{{expiresAt}}"));
}

TEST_CASE("notification templates: problems are reported for the PUT") {
  const auto type = "payroll.payslip.available";
  CHECK(template_errors(type, "Net {{ net }} {{currency}}, {{\tgross\t}}").empty());
  CHECK(template_errors(type, "no placeholders } { at all").empty());
  CHECK(template_errors(type, "{{totalNet}}") ==
        std::vector<std::string>{"unknown placeholder {{totalNet}}"});
  CHECK(template_errors(type, "{{ nope }} and {{nope}} and {{ other }}") ==
        std::vector<std::string>{"unknown placeholder {{nope}}", "unknown placeholder {{other}}"});
  CHECK(template_errors(type, "{{}} and {{  }}") ==
        std::vector<std::string>{"empty placeholder {{}}"});
  CHECK(template_errors(type, "Net {{net}} then {{net") ==
        std::vector<std::string>{"a \"{{\" is never closed by \"}}\""});
  CHECK(template_errors(type, "{{recipient.firstname}}") ==
        std::vector<std::string>{"unknown placeholder {{recipient.firstname}}"});
}

TEST_CASE("notification templates: rendering substitutes and escapes only the HTML") {
  const Template tmpl{"Payslip\r\nfor {{ organization.name }}{{missing}}",
                      "Hello {{recipient.firstName}},\nnet {{net}} {{currency}}\r\nfrom "
                      "{{organization.name}}. {{unclosed"};
  const Values values{{"recipient.firstName", "Ada"},
                      {"net", "8471.79"},
                      {"currency", "EUR"},
                      {"organization.name", R"(<script>alert("x")</script> & Co's)"}};
  const Rendered rendered = render(tmpl, values);

  CHECK(rendered.subject == R"(Payslip  for <script>alert("x")</script> & Co's)");
  CHECK(rendered.text ==
        "Hello Ada,\nnet 8471.79 EUR\r\nfrom "
        "<script>alert(\"x\")</script> & Co's. {{unclosed");
  CHECK(html_of(rendered).starts_with("<!doctype html>\n"));
  CHECK_THAT(html_of(rendered), Catch::Contains("<meta charset=\"utf-8\">"));
  CHECK_THAT(html_of(rendered),
             Catch::Contains("Hello Ada,<br>\nnet 8471.79 EUR<br>\nfrom "
                             "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&#39;s. "
                             "{{unclosed"));
  CHECK_THAT(html_of(rendered), Catch::Contains("<title>Payslip  for &lt;script&gt;"));
  CHECK_THAT(html_of(rendered), !Catch::Contains("<script>"));
  CHECK_THAT(html_of(rendered), !Catch::Contains("\r"));
}

TEST_CASE("notification templates: a value cannot inject a placeholder or a header line") {
  const Template tmpl{"Hi {{recipient.firstName}}", "{{recipient.firstName}} {{net}}"};
  const Values values{{"recipient.firstName", "{{net}}\nBcc: x@example.com"}, {"net", "1"}};
  const Rendered rendered = render(tmpl, values);
  CHECK(rendered.subject == "Hi {{net}} Bcc: x@example.com");
  CHECK(rendered.text == "{{net}}\nBcc: x@example.com 1");
}

TEST_CASE("notification templates: the defaults render with a full set of values") {
  Values values{{"recipient.firstName", "Ada"},
                {"recipient.lastName", "Lovelace"},
                {"organization.name", "Acme"}};
  const auto names = placeholders_of("user.invited");
  for (std::string_view name : names)
    values.emplace(std::string(name), "<" + std::string(name) + ">");
  const Rendered rendered = render(default_template("user.invited"), values);
  CHECK_THAT(rendered.subject, Catch::Contains("Acme"));
  CHECK_THAT(rendered.text, Catch::Contains("<token>"));
  CHECK_THAT(rendered.text, Catch::Contains("<expiresAt>"));
  CHECK_THAT(html_of(rendered), Catch::Contains("&lt;token&gt;"));
  CHECK(rendered.text.find("{{") == std::string::npos);
}
