// Documents: uploads checked against their declared type, stored with their SHA-256, listed and
// served back byte for byte.
#include "modules/employee/documents.hpp"

#include <sodium.h>

#include <array>

#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee {

namespace documents {
namespace {

struct Magic {
  std::string_view media_type;
  std::string_view prefix;
};

constexpr std::array<Magic, 3> k_magic{{{"application/pdf", "%PDF-"},
                                        {"image/png", "\x89PNG\r\n\x1a\n"},
                                        {"image/jpeg", "\xFF\xD8\xFF"}}};

std::string_view trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::optional<std::string> accepted_media_type(std::string_view content_type) {
  std::string type(trim(content_type.substr(0, content_type.find(';'))));
  for (auto& c : type)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto& magic : k_magic)
    if (magic.media_type == type) return type;
  return std::nullopt;
}

bool has_magic_of(std::string_view media_type, std::string_view bytes) {
  for (const auto& magic : k_magic)
    if (magic.media_type == media_type) return bytes.starts_with(magic.prefix);
  return false;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace documents

boost::json::object to_json(const Document& document) {
  return {{"id", document.id.str()},
          {"employeeId", document.employee_id.str()},
          {"documentType", document.document_type},
          {"fileName", document.file_name},
          {"contentType", document.content_type},
          {"size", document.size},
          {"sha256", document.sha256},
          {"createdAt", to_rfc3339(document.created_at)}};
}

boost::asio::awaitable<Document> Service::add_document(db::Tx& tx, const Uuid& organization_id,
                                                       const Uuid& employee_id,
                                                       const NewDocument& input,
                                                       const compliance::Actor& actor) {
  // The employee must be the organisation's: 404 otherwise.
  co_await get(tx, organization_id, employee_id);
  const auto document_id = Uuid::random();
  const auto sha256 = documents::sha256_hex(input.bytes);
  auto document = co_await store::insert_document(tx, document_id, organization_id, employee_id,
                                                  input, sha256, actor.user_id);
  compliance::AuditEntry entry{.organization_id = organization_id,
                               .actor = actor,
                               .action = "employee.document_uploaded",
                               .entity_type = "employee",
                               .entity_id = employee_id,
                               .before = nullptr,
                               .after = to_json(document)};
  co_await audit_.append(tx, std::move(entry));
  co_return document;
}

boost::asio::awaitable<std::vector<Document>> Service::documents(const Uuid& organization_id,
                                                                 const Uuid& employee_id,
                                                                 const http::PageRequest& page) {
  co_await get(organization_id, employee_id);
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  co_return co_await store::select_documents(pool_, organization_id, employee_id, after_created_at,
                                             after_id, page.limit + 1);
}

boost::asio::awaitable<DocumentContent> Service::document_content(const Uuid& organization_id,
                                                                  const Uuid& employee_id,
                                                                  const Uuid& document_id) {
  auto content =
      co_await store::select_document_content(pool_, organization_id, employee_id, document_id);
  if (!content) throw not_found("The document does not exist.");
  co_return std::move(*content);
}

}  // namespace payrollx::employee
