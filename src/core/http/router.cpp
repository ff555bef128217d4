#include "core/http/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
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
// Routes matching one path with the same rank have one shape and differ only in their method.
constexpr std::size_t k_max_ties = 16;

// A request path's segments, split once per match; nullopt beyond k_max_segments (no route has
// that many).
struct PathSegments {
  std::array<std::string_view, k_max_segments> items;
  std::size_t count = 0;
};

std::optional<PathSegments> split_path(std::string_view path) {
  PathSegments segments;
  Segments walk(path);
  while (auto segment = walk.next()) {
    if (segments.count == k_max_segments) return std::nullopt;
    segments.items[segments.count++] = *segment;
  }
  return segments;
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
  std::size_t same_shape = 0;
  for (const auto& existing : routes_) {
    if (shape_of(existing.pattern) != shape) continue;
    if (existing.method == route.method)
      throw std::logic_error(fmt::format("duplicate route {} {} (already {} {})", route.method,
                                         route.pattern, existing.method, existing.pattern));
    ++same_shape;
  }
  if (same_shape == k_max_ties)
    throw std::logic_error(fmt::format("too many methods on '{}'", route.pattern));
  Compiled compiled;
  Segments segments(route.pattern);
  while (auto segment = segments.next()) {
    bool parameter = is_parameter(*segment);
    compiled.push_back({parameter ? std::string() : std::string(*segment), parameter});
  }
  if (compiled.size() > k_max_segments)
    throw std::logic_error(fmt::format("route pattern '{}' has too many segments", route.pattern));
  if (by_length_.size() <= compiled.size()) by_length_.resize(compiled.size() + 1);
  by_length_[compiled.size()].push_back(routes_.size());
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(compiled));
}

Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;
  auto segments = split_path(path);
  if (!segments || segments->count >= by_length_.size()) return result;

  // The most literal patterns that match the path decide; their methods answer 405.
  std::optional<Rank> best;
  std::array<std::size_t, k_max_ties> ties;
  std::size_t tie_count = 0;
  for (std::size_t i : by_length_[segments->count]) {
    const auto& pattern = compiled_[i];
    Rank rank = 0;
    bool matches = true;
    for (std::size_t s = 0; matches && s < pattern.size(); ++s) {
      const auto& have = segments->items[s];
      rank <<= 1;
      if (pattern[s].parameter) {
        matches = !have.empty();  // a parameter takes any non-empty segment
      } else {
        matches = pattern[s].literal == have;
        rank |= 1;
      }
    }
    if (!matches || (best && rank < *best)) continue;
    if (!best || rank > *best) tie_count = 0;
    best = rank;
    ties[tie_count++] = i;  // only one shape ranks best, and add() bounds its methods
  }

  for (std::size_t t = 0; t < tie_count; ++t) {
    const auto& route = routes_[ties[t]];
    if (route.method == method) {
      result.route = &route;
      const auto& pattern = compiled_[ties[t]];
      Segments names(route.pattern);
      for (std::size_t s = 0; s < pattern.size(); ++s) {
        auto name = names.next();
        if (pattern[s].parameter)
          result.params.emplace_back(name->substr(1, name->size() - 2), segments->items[s]);
      }
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
