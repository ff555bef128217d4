#pragma once
// Private to core/db: the libpq result behind db::Result (keeps libpq out of public headers).
#include <libpq-fe.h>

#include <memory>

namespace payrollx::db {

class ResultData {
 public:
  explicit ResultData(PGresult* result) : result_(result, &PQclear) {}
  const PGresult* get() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

}  // namespace payrollx::db
