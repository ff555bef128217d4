#pragma once
#include <memory>
#include <optional>
#include <string_view>

#include "core/db/error.hpp"
#include "core/db/value.hpp"

namespace payrollx::db {

class ResultData;  // owns the PGresult

// One row of a result. `get<T>("column")` decodes; NULL is only allowed for std::optional<T>.
class Row {
 public:
  Row(const ResultData* data, int index) : data_(data), index_(index) {}

  template <class T>
  T get(std::string_view column) const {
    return get_at<T>(column_index(column));
  }
  template <class T>
  T get_at(int column) const {
    if constexpr (is_optional<T>::value) {
      if (is_null(column)) return std::nullopt;
      return decode_at<typename T::value_type>(column);
    } else {
      if (is_null(column)) throw_null(column);
      return decode_at<T>(column);
    }
  }
  bool is_null(int column) const;
  int column_index(std::string_view name) const;  // throws DecodeError when unknown

 private:
  template <class T>
  struct is_optional : std::false_type {};
  template <class T>
  struct is_optional<std::optional<T>> : std::true_type {};

  template <class T>
  T decode_at(int column) const {
    try {
      return Decoder<T>::decode(text(column));
    } catch (const DecodeError& e) {
      throw_decode(column, e.what());
    }
  }
  std::string_view text(int column) const;
  [[noreturn]] void throw_null(int column) const;
  [[noreturn]] void throw_decode(int column, const char* why) const;

  const ResultData* data_;
  int index_;
  // Where column_index() looks first: stores read columns in the order they selected them.
  mutable int next_column_ = 0;
};

class Result {
 public:
  explicit Result(std::shared_ptr<const ResultData> data);

  int size() const;
  bool empty() const { return size() == 0; }
  Row operator[](int index) const { return Row(data_.get(), index); }
  std::optional<Row> first() const;
  // Exactly one row, else DecodeError (a store's assumption broken).
  Row one() const;
  std::int64_t affected() const;  // rows touched by INSERT/UPDATE/DELETE

  class Iterator {
   public:
    Iterator(const ResultData* data, int index) : data_(data), index_(index) {}
    Row operator*() const { return Row(data_, index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const ResultData* data_;
    int index_;
  };
  Iterator begin() const { return Iterator(data_.get(), 0); }
  Iterator end() const { return Iterator(data_.get(), size()); }

 private:
  std::shared_ptr<const ResultData> data_;
};

}  // namespace payrollx::db
