#include "modules/employee/rules.hpp"

namespace payrollx::employee::rules {

std::string lower_ascii(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower;
}

}  // namespace payrollx::employee::rules
