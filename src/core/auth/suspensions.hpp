#pragma once
// The organisations whose members are refused (403 organization_suspended), as this instance
// last read them: the organization module refreshes the set when a suspension commits anywhere
// (a NOTIFY) and polls as a backstop; the dispatcher reads it on every request. Reads are a
// relaxed flag while nothing is suspended, a short lock otherwise.
#include <atomic>
#include <mutex>
#include <set>
#include <vector>

#include "core/uuid.hpp"

namespace payrollx {

class Suspensions {
 public:
  bool contains(const Uuid& organization_id) const;
  void replace(std::set<Uuid> organization_ids);
  std::vector<Uuid> all() const;

 private:
  mutable std::mutex mutex_;
  std::set<Uuid> suspended_;
  std::atomic<bool> any_{false};
};

}  // namespace payrollx
