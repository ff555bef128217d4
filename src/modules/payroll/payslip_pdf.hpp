#pragma once
// A payslip as an A4 PDF made with libharu (one page, unless it has more lines than a page holds):
// real text (searchable, copyable) in the standard Helvetica font. Text is written in
// WinAnsiEncoding, the base-14 fonts' encoding: Latin letters with their accents come through;
// characters it lacks are written as '?'.
#include <string>

#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll {

struct PayslipDocument {
  std::string organization_name;
  std::string employee_name;
  int scale = 2;  // the currency's decimals
  Payslip payslip;
};

// The PDF's bytes. Throws std::runtime_error when libharu reports an error.
std::string render_payslip_pdf(const PayslipDocument& document);

}  // namespace payrollx::payroll
