// Documents: PDF, PNG and JPEG bytes go in raw and come back byte for byte with their type;
// a Content-Type the bytes do not match is 415, a body over 10 MiB is 413, and an EMPLOYEE
// reaches only their own documents.
#include <set>

#include "employee_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::problem_fields;
using payrollx::test::TestApp;

// Every byte value, NULs and invalid UTF-8 included, after a file type's signature.
std::string file_of(std::string_view magic, std::size_t size) {
  std::string bytes(magic);
  for (std::size_t i = 0; bytes.size() < size; ++i) bytes.push_back(static_cast<char>(i * 7 % 256));
  return bytes;
}

HttpResponse upload(HttpClient& http, const std::string& employee_id, const std::string& bytes,
                    const std::string& content_type, const std::string& token,
                    const std::string& query = "?documentType=PASSPORT&fileName=scan.bin") {
  return http.request("POST", employee_path(employee_id, "/documents") + query, bytes,
                      {{"Content-Type", content_type}}, token);
}

}  // namespace

TEST_CASE("employee: documents round trip byte for byte, checked against their type", "[e2e]") {
  TestApp app("employee_documents", unthrottled());
  auto admin = app.signup("emp-docs");
  auto hr = app.add_user(admin, "emp-docs-hr", "HR_MANAGER");
  auto& http = app.http();
  auto employee = create_employee(http, hr.access_token, new_employee("Docs"));
  const auto id = text_at(employee, "id");

  struct Sample {
    std::string content_type;
    std::string bytes;
  };
  const std::vector<Sample> samples{
      {"application/pdf", file_of("%PDF-1.7\n", 200000)},
      {"image/png", file_of("\x89PNG\r\n\x1a\n", 4096)},
      {"image/jpeg", file_of("\xFF\xD8\xFF\xE0", 10 * 1024 * 1024)},  // exactly the limit
  };
  std::vector<std::string> document_ids;
  for (const auto& sample : samples) {
    INFO(sample.content_type);
    auto response = upload(http, id, sample.bytes, sample.content_type, hr.access_token,
                           "?documentType=PASSPORT&fileName=Zo%C3%AB%20scan%201.bin");
    INFO(response.body.substr(0, 500));
    REQUIRE(response.status == 201);
    auto document = response.json();
    CHECK(text_at(document, "employeeId") == id);
    CHECK(text_at(document, "documentType") == "PASSPORT");
    CHECK(text_at(document, "fileName") == "Zoë scan 1.bin");
    CHECK(text_at(document, "contentType") == sample.content_type);
    CHECK(document.at("size").as_int64() == static_cast<std::int64_t>(sample.bytes.size()));
    CHECK(text_at(document, "sha256") ==
          app.sql().scalar("SELECT encode(sha256(content), 'hex') FROM employee.documents "
                           "WHERE id = $1",
                           {text_at(document, "id")}));
    document_ids.push_back(text_at(document, "id"));

    auto content = http.get(employee_path(id, "/documents/" + text_at(document, "id") + "/content"),
                            hr.access_token);
    REQUIRE(content.status == 200);
    CHECK(content.header("content-type") == sample.content_type);
    CHECK(content.header("x-content-type-options") == "nosniff");
    CHECK(content.header("content-disposition") ==
          "attachment; filename*=UTF-8''Zo%C3%AB%20scan%201.bin");
    CHECK(content.body.size() == sample.bytes.size());
    CHECK(content.body == sample.bytes);
  }
  CHECK(audited(app.sql(), "employee.document_uploaded", id) == 3);

  // The list: metadata only, newest first, by pages.
  auto list = http.get(employee_path(id, "/documents?limit=2"), hr.access_token);
  REQUIRE(list.status == 200);
  auto page = list.json();
  REQUIRE(page.at("data").as_array().size() == 2);
  CHECK(text_at(page.at("data").as_array()[0], "id") == document_ids[2]);
  CHECK_FALSE(page.at("data").as_array()[0].as_object().contains("content"));
  auto rest =
      http.get(employee_path(id, "/documents?limit=2&cursor=" + text_at(page, "nextCursor")),
               hr.access_token);
  REQUIRE(rest.status == 200);
  REQUIRE(rest.json().at("data").as_array().size() == 1);
  CHECK(text_at(rest.json().at("data").as_array()[0], "id") == document_ids[0]);
  CHECK(rest.json().at("nextCursor").is_null());

  // Refused uploads write nothing.
  auto before = written(app.sql());
  const auto png = samples[1].bytes;
  require_problem(upload(http, id, png, "image/jpeg", hr.access_token), 415,
                  "unsupported_media_type");
  require_problem(upload(http, id, samples[0].bytes, "image/png", hr.access_token), 415,
                  "unsupported_media_type");
  require_problem(upload(http, id, "GIF89a....", "image/gif", hr.access_token), 415,
                  "unsupported_media_type");
  require_problem(upload(http, id, png, "application/octet-stream", hr.access_token), 415,
                  "unsupported_media_type");
  require_problem(http.request("POST", employee_path(id, "/documents?documentType=A&fileName=b"),
                               png, {}, hr.access_token),
                  415, "unsupported_media_type");
  require_problem(upload(http, id, "", "image/png", hr.access_token), 400, "validation_failed");
  CHECK(problem_fields(upload(http, id, png, "image/png", hr.access_token, ""), 400,
                       "validation_failed") == std::set<std::string>{"documentType", "fileName"});
  CHECK(problem_fields(upload(http, id, png, "image/png", hr.access_token,
                              "?documentType=" + std::string(65, 'x') + "&fileName=..%2Fetc"),
                       400,
                       "validation_failed") == std::set<std::string>{"documentType", "fileName"});
  auto too_big =
      upload(http, id, file_of("%PDF-", 10 * 1024 * 1024 + 1), "application/pdf", hr.access_token);
  require_problem(too_big, 413, "payload_too_large");
  // The server is still there for the next request.
  auto client = app.new_client();
  CHECK(client.get(employee_path(id, "/documents"), hr.access_token).status == 200);
  CHECK(written(app.sql()) == before);

  require_problem(http.get(employee_path(id,
                                         "/documents/00000000-0000-4000-8000-000000000000/"
                                         "content"),
                           hr.access_token),
                  404, "not_found");
  require_problem(
      upload(http, "00000000-0000-4000-8000-000000000000", png, "image/png", hr.access_token), 404,
      "not_found");
}

TEST_CASE("employee: an EMPLOYEE uploads and reads only their own documents", "[e2e]") {
  TestApp app("employee_documents_own", unthrottled());
  auto admin = app.signup("emp-docs-own");
  auto finance = app.add_user(admin, "emp-docs-fin", "FINANCE_MANAGER");
  auto& http = app.http();
  auto body = new_employee("Uploader");
  body["createUserAccount"] = true;
  auto employee = create_employee(http, admin.access_token, body);
  const auto id = text_at(employee, "id");
  auto other = create_employee(http, admin.access_token, new_employee("Colleague"));
  const auto other_id = text_at(other, "id");
  auto accepted = http.post("/api/v1/auth/invitations/accept",
                            {{"token", text_at(employee.at("invitation"), "token")},
                             {"password", "a long enough password"}});
  REQUIRE(accepted.status == 200);
  const auto me = text_at(accepted.json(), "accessToken");

  const auto pdf = file_of("%PDF-1.4\n", 1000);
  auto mine = upload(http, id, pdf, "application/pdf", me);
  REQUIRE(mine.status == 201);
  const auto doc_id = text_at(mine.json(), "id");
  auto theirs = upload(http, other_id, pdf, "application/pdf", admin.access_token);
  REQUIRE(theirs.status == 201);
  const auto their_doc = text_at(theirs.json(), "id");

  CHECK(http.get(employee_path(id, "/documents"), me).status == 200);
  auto content = http.get(employee_path(id, "/documents/" + doc_id + "/content"), me);
  REQUIRE(content.status == 200);
  CHECK(content.body == pdf);

  auto before = written(app.sql());
  require_problem(upload(http, other_id, pdf, "application/pdf", me), 404, "not_found");
  require_problem(http.get(employee_path(other_id, "/documents"), me), 404, "not_found");
  require_problem(http.get(employee_path(other_id, "/documents/" + their_doc + "/content"), me),
                  404, "not_found");
  // Another employee's document through one's own id is not found either.
  require_problem(http.get(employee_path(id, "/documents/" + their_doc + "/content"), me), 404,
                  "not_found");
  require_problem(upload(http, id, pdf, "application/pdf", finance.access_token), 403, "forbidden");
  CHECK(written(app.sql()) == before);
}
