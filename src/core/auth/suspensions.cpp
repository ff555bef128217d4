#include "core/auth/suspensions.hpp"

namespace payrollx {

bool Suspensions::contains(const Uuid& organization_id) const {
  if (!any_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mutex_);
  return suspended_.contains(organization_id);
}

void Suspensions::replace(std::set<Uuid> organization_ids) {
  std::lock_guard lock(mutex_);
  suspended_ = std::move(organization_ids);
  any_.store(!suspended_.empty(), std::memory_order_release);
}

std::vector<Uuid> Suspensions::all() const {
  std::lock_guard lock(mutex_);
  return {suspended_.begin(), suspended_.end()};
}

}  // namespace payrollx
