// Documents: uploads checked against their declared type, stored with their SHA-256, listed and
// served back byte for byte.
#include "modules/employee/documents.hpp"

#include <sodium.h>

#include <array>

#include "core/db/bytea.hpp"
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
  auto inserted = co_await tx.query(
      store::k_insert_document, Uuid::random(), organization_id, employee_id, input.document_type,
      input.file_name, input.content_type, static_cast<std::int64_t>(input.bytes.size()),
      documents::sha256_hex(input.bytes), db::to_bytea_text(input.bytes), actor.user_id);
  auto document = store::document_from(inserted.one());
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
  auto result = co_await pool_.query(store::k_select_documents, organization_id, employee_id,
                                     after_created_at, after_id, page.limit + 1);
  std::vector<Document> documents;
  documents.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) documents.push_back(store::document_from(row));
  co_return documents;
}

boost::asio::awaitable<DocumentContent> Service::document_content(const Uuid& organization_id,
                                                                  const Uuid& employee_id,
                                                                  const Uuid& document_id) {
  auto result = co_await pool_.query(store::k_select_document_content, organization_id, employee_id,
                                     document_id);
  auto row = result.first();
  if (!row) throw not_found("The document does not exist.");
  co_return DocumentContent{.content_type = row->get<std::string>("content_type"),
                            .file_name = row->get<std::string>("file_name"),
                            .bytes = db::from_bytea_text(row->get<std::string>("content"))};
}

}  // namespace payrollx::employee
