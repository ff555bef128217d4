#include "core/db/bytea.hpp"
#include "core/db/pool.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee::store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_DOCUMENT_COLUMNS \
  "id, employee_id, document_type, file_name, content_type, size, sha256, created_at"

// $1 id, $2 organization_id, $3 employee_id, $4 document_type, $5 file_name, $6 content_type,
// $7 size, $8 sha256, $9 content as bytea hex text ("\x..."), $10 uploaded_by.
constexpr db::Query k_insert_document{
    "employee.insert_document",
    "INSERT INTO employee.documents (id, organization_id, employee_id, document_type, file_name,"
    "  content_type, size, sha256, content, uploaded_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8, $9::bytea, $10) "
    "RETURNING " PAYROLLX_DOCUMENT_COLUMNS};

// $1 organization_id, $2 employee_id, $3/$4 keyset of the previous page's last row or NULL,
// $5 limit.
constexpr db::Query k_select_documents{
    "employee.select_documents",
    "SELECT " PAYROLLX_DOCUMENT_COLUMNS
    " FROM employee.documents "
    "WHERE organization_id = $1 AND employee_id = $2"
    "  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $5"};

// $1 organization_id, $2 employee_id, $3 id → content_type, file_name, content (bytea hex text).
constexpr db::Query k_select_document_content{
    "employee.select_document_content",
    "SELECT content_type, file_name, content FROM employee.documents "
    "WHERE organization_id = $1 AND employee_id = $2 AND id = $3"};

#undef PAYROLLX_DOCUMENT_COLUMNS

Document document_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .employee_id = row.get<Uuid>("employee_id"),
          .document_type = row.get<std::string>("document_type"),
          .file_name = row.get<std::string>("file_name"),
          .content_type = row.get<std::string>("content_type"),
          .size = row.get<std::int64_t>("size"),
          .sha256 = row.get<std::string>("sha256"),
          .created_at = row.get<Timestamp>("created_at")};
}

}  // namespace

awaitable<Document> insert_document(db::Tx& tx, const Uuid& id, const Uuid& organization_id,
                                    const Uuid& employee_id, const NewDocument& input,
                                    const std::string& sha256,
                                    const std::optional<Uuid>& uploaded_by) {
  auto inserted = co_await tx.query(k_insert_document, id, organization_id, employee_id,
                                    input.document_type, input.file_name, input.content_type,
                                    static_cast<std::int64_t>(input.bytes.size()), sha256,
                                    db::to_bytea_text(input.bytes), uploaded_by);
  co_return document_from(inserted.one());
}

awaitable<std::vector<Document>> select_documents(db::Pool& pool, const Uuid& organization_id,
                                                  const Uuid& employee_id,
                                                  const std::optional<Timestamp>& after_created_at,
                                                  const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_documents, organization_id, employee_id,
                                    after_created_at, after_id, limit);
  std::vector<Document> documents;
  documents.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) documents.push_back(document_from(row));
  co_return documents;
}

awaitable<std::optional<DocumentContent>> select_document_content(db::Pool& pool,
                                                                  const Uuid& organization_id,
                                                                  const Uuid& employee_id,
                                                                  const Uuid& id) {
  auto result = co_await pool.query(k_select_document_content, organization_id, employee_id, id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return DocumentContent{.content_type = row->get<std::string>("content_type"),
                            .file_name = row->get<std::string>("file_name"),
                            .bytes = db::from_bytea_text(row->get<std::string>("content"))};
}

}  // namespace payrollx::employee::store
