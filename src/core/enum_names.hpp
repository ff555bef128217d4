#pragma once
// The names of an enum's values as the database and the API spell them ("COMPLETED"), kept in one
// constant table per enum so that to_string and parse cannot disagree. Each module declares its
// own pair (to_string(RunStatus), parse_run_status) on top of a table:
//
//   inline constexpr auto k_run_statuses = enum_names<RunStatus>({
//       {RunStatus::draft, "DRAFT"}, {RunStatus::approved, "APPROVED"}, ...});
//   PAYROLLX_ENUM_NAMES(RunStatus, k_run_statuses, parse_run_status)
//
// which declares `to_string(RunStatus)` and `parse_run_status(text)` (none for an unknown name).
//
// The table lists the values in declaration order, each once, and says so at compile time (a
// table out of order or with a gap fails to compile), which makes to_string an index. An enum
// declared with a value the table misses would still compile: the round-trip unit tests are the
// check for that. Boost.Describe's BOOST_DESCRIBE_ENUM would spell a value by its C++ identifier,
// which would have to be DRAFT rather than draft; a table keeps the names where a reader expects
// them and lets a name differ from the identifier.
#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/invariant.hpp"

namespace payrollx {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

template <class E, std::size_t N>
class EnumNames {
 public:
  consteval explicit EnumNames(const EnumName<E> (&entries)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
      // Not a constant expression, so the compiler stops here on a table out of order.
      if (static_cast<std::size_t>(entries[i].value) != i) throw "list the values in order";
      names_[i] = entries[i].name;
    }
  }

  constexpr std::string_view name(E value) const {
    const auto index = static_cast<std::size_t>(value);
    PAYROLLX_INVARIANT(index < N, "every value of the enum has a name");
    return names_[index];
  }

  constexpr std::optional<E> parse(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i)
      if (names_[i] == name) return static_cast<E>(i);
    return std::nullopt;
  }

  // A name read back from the database: only names this code writes get there, so an unknown one
  // is corruption (or a schema newer than the code), not bad input. `column` says where it was.
  E stored(std::string_view name, std::string_view column) const {
    const auto value = parse(name);
    PAYROLLX_INVARIANT(value.has_value(), std::string(column) + " holds the unknown name \"" +
                                              std::string(name) + '"');
    return *value;
  }
  // A nullable column: NULL stays none. (A template so that a plain std::string, which converts
  // to std::optional too, still means the overload above.)
  template <class Nullable>
  requires std::same_as<Nullable, std::optional<std::string>> std::optional<E> stored(
      const Nullable& name, std::string_view column)
  const {
    if (!name) return std::nullopt;
    return stored(*name, column);
  }

  // Every name, in declaration order: what a request may say (json::FieldReader's enums).
  constexpr std::span<const std::string_view> names() const { return names_; }

 private:
  std::array<std::string_view, N> names_{};
};

template <class E, std::size_t N>
consteval EnumNames<E, N> enum_names(const EnumName<E> (&entries)[N]) {
  return EnumNames<E, N>(entries);
}

}  // namespace payrollx

// The module's pair over its table: `to_string(Enum)` and `parse_function(text)`, the same two
// one-line functions for every enum, so they are written once here.
#define PAYROLLX_ENUM_NAMES(Enum, table, parse_function)                \
  constexpr std::string_view to_string(Enum value) {                    \
    return (table).name(value);                                         \
  }                                                                     \
  constexpr std::optional<Enum> parse_function(std::string_view text) { \
    return (table).parse(text);                                         \
  }
