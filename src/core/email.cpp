#include "core/email.hpp"

#include <algorithm>
#include <cctype>

namespace payrollx {

namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool valid_local_part(std::string_view local) {
  constexpr std::string_view k_specials = "!#$%&'*+/=?^_`{|}~-.";
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return false;
  return std::all_of(local.begin(), local.end(), [&](char c) {
    return is_alnum(c) || k_specials.find(c) != std::string_view::npos;
  });
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool valid_domain(std::string_view domain) {
  std::size_t labels = 0;
  std::string_view last;
  for (std::size_t start = 0;;) {
    auto dot = domain.find('.', start);
    last = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!valid_label(last)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  bool numeric_tld = std::all_of(
      last.begin(), last.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  return labels >= 2 && !numeric_tld;
}

}  // namespace

std::string normalize_email(std::string_view email) {
  std::string lower(email);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower;
}

bool is_valid_email(std::string_view email) {
  if (email.size() > k_email_max_length) return false;
  auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return false;
  return valid_local_part(email.substr(0, at)) && valid_domain(email.substr(at + 1));
}

}  // namespace payrollx
