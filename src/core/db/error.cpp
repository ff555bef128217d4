#include "core/db/error.hpp"

namespace payrollx::db {

Error::Error(std::string sqlstate, std::string message, std::string constraint)
    : std::runtime_error(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      constraint_(std::move(constraint)) {}

}  // namespace payrollx::db
