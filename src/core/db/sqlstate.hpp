#pragma once
// The PostgreSQL error codes (SQLSTATE, PostgreSQL's "Appendix A") the code acts on, by name.
// Codes the client raises itself use the server's code for the same condition.
#include <string_view>

namespace payrollx::db::sqlstate {

constexpr std::string_view k_numeric_value_out_of_range = "22003";
constexpr std::string_view k_character_not_in_repertoire = "22021";  // a NUL in text
constexpr std::string_view k_foreign_key_violation = "23503";
constexpr std::string_view k_unique_violation = "23505";
constexpr std::string_view k_check_violation = "23514";
constexpr std::string_view k_in_failed_sql_transaction = "25P02";
constexpr std::string_view k_invalid_sql_statement_name = "26000";  // a prepared statement gone
constexpr std::string_view k_serialization_failure = "40001";
constexpr std::string_view k_deadlock_detected = "40P01";
constexpr std::string_view k_undefined_table = "42P01";
constexpr std::string_view k_query_canceled = "57014";
// Classes: the connection is gone (08...) or the server is shutting down (57P..).
constexpr std::string_view k_connection_exception_class = "08";
constexpr std::string_view k_operator_intervention_shutdown = "57P";

}  // namespace payrollx::db::sqlstate
