#include "core/http/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace payrollx::http {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Walks the '/'-separated segments after the leading '/'. "/" has one empty segment.
class Segments {
 public:
  explicit Segments(std::string_view path) : rest_(path.substr(1)) {}

  std::optional<std::string_view> next() {
    if (done_) return std::nullopt;
    auto slash = rest_.find('/');
    auto segment = rest_.substr(0, slash);
    if (slash == std::string_view::npos)
      done_ = true;
    else
      rest_.remove_prefix(slash + 1);
    return segment;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

// How literal a matching pattern is: bit i (from the most significant used bit) is set when
// segment i is a literal, so comparing ranks prefers literals at the first segment that differs.
using Rank = std::uint64_t;
constexpr std::size_t k_max_segments = 64;

// The rank of `pattern` when it matches `path` segment for segment, else nullopt. Parameters
// are appended to `params` only on a match (every route is tried for every request: the walk
// allocates nothing).
std::optional<Rank> match_pattern(std::string_view pattern, std::string_view path,
                                  std::vector<std::pair<std::string, std::string>>* params) {
  Segments want(pattern);
  Segments have(path);
  Rank rank = 0;
  std::size_t count = 0;
  for (;;) {
    auto p = want.next();
    auto s = have.next();
    if (!p || !s) {
      if (p || s) return std::nullopt;  // different numbers of segments
      break;
    }
    rank <<= 1;
    if (is_parameter(*p)) {
      if (s->empty()) return std::nullopt;
    } else {
      if (*p != *s) return std::nullopt;
      rank |= 1;
    }
    if (++count > k_max_segments) return std::nullopt;
  }
  if (params) {
    Segments names(pattern);
    Segments values(path);
    while (auto name = names.next()) {
      auto value = values.next();
      if (is_parameter(*name)) params->emplace_back(name->substr(1, name->size() - 2), *value);
    }
  }
  return rank;
}

// Two patterns that differ only in parameter names would match the same requests.
std::string shape_of(std::string_view pattern) {
  std::string shape;
  Segments segments(pattern);
  while (auto segment = segments.next()) {
    shape += '/';
    shape += is_parameter(*segment) ? std::string_view("{}") : *segment;
  }
  return shape;
}

}  // namespace

Access Access::anyone() {
  return Access{false, {}};
}

Access Access::any_user() {
  return Access{true, {}};
}

Access Access::roles_of(std::initializer_list<Role> roles) {
  Access access{true, roles};
  if (std::find(roles.begin(), roles.end(), Role::org_admin) == roles.end())
    access.roles.push_back(Role::org_admin);
  return access;
}

Access Access::super_admin() {
  return Access{true, {Role::super_admin}};
}

bool Access::allows(Role role) const {
  return roles.empty() || std::find(roles.begin(), roles.end(), role) != roles.end();
}

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/')
    throw std::logic_error(fmt::format("route pattern '{}' must start with '/'", route.pattern));
  auto shape = shape_of(route.pattern);
  for (const auto& existing : routes_)
    if (existing.method == route.method && shape_of(existing.pattern) == shape)
      throw std::logic_error(fmt::format("duplicate route {} {} (already {} {})", route.method,
                                         route.pattern, existing.method, existing.pattern));
  routes_.push_back(std::move(route));
}

Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;

  // The most literal pattern that matches the path decides; its methods answer 405.
  std::optional<Rank> best;
  for (const auto& route : routes_) {
    auto rank = match_pattern(route.pattern, path, nullptr);
    if (rank && (!best || *rank > *best)) best = rank;
  }
  if (!best) return result;

  for (const auto& route : routes_) {
    if (match_pattern(route.pattern, path, nullptr) != best) continue;
    if (route.method == method) {
      result.route = &route;
      match_pattern(route.pattern, path, &result.params);
      result.allowed_methods.clear();
      return result;
    }
    if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
        result.allowed_methods.end())
      result.allowed_methods.push_back(route.method);
  }
  return result;
}

}  // namespace payrollx::http
