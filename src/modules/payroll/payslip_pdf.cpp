#include "modules/payroll/payslip_pdf.hpp"

#include <fmt/format.h>
#include <hpdf.h>

#include <memory>
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/money.hpp"
#include "modules/employee/employee.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

constexpr float k_margin = 56;
constexpr float k_line_height = 16;
constexpr float k_amount_right = 539;  // A4 width 595 less the margin

// libharu reports errors through this; the last one is kept and thrown after the call.
void on_error(HPDF_STATUS error, HPDF_STATUS detail, void* user_data) {
  *static_cast<std::string*>(user_data) =
      fmt::format("libharu error 0x{:04X} (detail {})", static_cast<unsigned>(error),
                  static_cast<unsigned>(detail));
}

// Code point -> WinAnsiEncoding (CP1252) byte, '?' for what it lacks.
char win_ansi(char32_t c) {
  if ((c >= 0x20 && c < 0x7F) || (c >= 0xA0 && c <= 0xFF)) return static_cast<char>(c);
  switch (c) {
    case U'€':
      return '\x80';
    case U'‚':
      return '\x82';
    case U'„':
      return '\x84';
    case U'…':
      return '\x85';
    case U'‘':
      return '\x91';
    case U'’':
      return '\x92';
    case U'“':
      return '\x93';
    case U'”':
      return '\x94';
    case U'–':
      return '\x96';
    case U'—':
      return '\x97';
    case U'Š':
      return '\x8A';
    case U'š':
      return '\x9A';
    case U'Œ':
      return '\x8C';
    case U'œ':
      return '\x9C';
    case U'Ž':
      return '\x8E';
    case U'ž':
      return '\x9E';
    case U'Ÿ':
      return '\x9F';
    default:
      return '?';
  }
}

// UTF-8 (valid: every text stored was checked) to WinAnsiEncoding.
std::string to_win_ansi(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (int k = 1; k < length && i + k < utf8.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    out += win_ansi(c);
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::string_view line_label(std::string_view kind) {
  if (kind == "BASE") return "Base pay";
  if (kind == "EARNING") return "Earning";
  if (kind == "PRE_TAX_DEDUCTION") return "Pre-tax deduction";
  if (kind == "TAX") return "Tax";
  if (kind == "POST_TAX_DEDUCTION") return "Post-tax deduction";
  return kind;
}

// Lines of text top down; a payslip of more lines than a page holds (about 35) goes on to a
// next page rather than being cut off.
class Writer {
 public:
  explicit Writer(HPDF_Doc pdf) : pdf_(pdf) {
    regular_ = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
    bold_ = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
    new_page();
  }

  void heading(const std::string& text) { write(bold_, 18, text, ""); }
  void text(const std::string& left, bool bold = false) {
    write(bold ? bold_ : regular_, 11, left, "");
  }
  void amount(const std::string& label, const std::string& value, bool bold = false) {
    write(bold ? bold_ : regular_, 11, label, value);
  }
  void gap() { y_ -= k_line_height / 2; }
  void rule() {
    HPDF_Page_SetLineWidth(page_, 0.5);
    HPDF_Page_MoveTo(page_, k_margin, y_ + k_line_height / 2);
    HPDF_Page_LineTo(page_, k_amount_right, y_ + k_line_height / 2);
    HPDF_Page_Stroke(page_);
  }

 private:
  void new_page() {
    page_ = HPDF_AddPage(pdf_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y_ = HPDF_Page_GetHeight(page_) - k_margin;
  }

  void write(HPDF_Font font, float size, const std::string& left, const std::string& right) {
    if (y_ < k_margin) new_page();
    const auto left_text = to_win_ansi(left);
    const auto right_text = to_win_ansi(right);
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, size);
    HPDF_Page_TextOut(page_, k_margin, y_, left_text.c_str());
    if (!right_text.empty()) {
      const float width = HPDF_Page_TextWidth(page_, right_text.c_str());
      HPDF_Page_TextOut(page_, k_amount_right - width, y_, right_text.c_str());
    }
    HPDF_Page_EndText(page_);
    y_ -= size > 12 ? 2 * k_line_height : k_line_height;
  }

  HPDF_Doc pdf_;
  HPDF_Page page_ = nullptr;
  HPDF_Font regular_;
  HPDF_Font bold_;
  float y_;
};

}  // namespace

std::string render_payslip_pdf(const PayslipDocument& document) {
  std::string error;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> pdf(
      HPDF_New(on_error, &error), &HPDF_Free);
  if (!pdf) throw std::runtime_error("libharu: cannot create a document");
  HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_ALL);

  const auto& run = document.payslip.run;
  const auto& amounts = document.payslip.item.amounts;
  const auto& ytd = document.payslip.year_to_date;
  const auto money = [&](std::int64_t minor) {
    return fmt::format("{} {}", major_units(minor, document.scale), run.currency);
  };

  Writer out(pdf.get());
  out.heading("Payslip");
  out.text(document.organization_name, true);
  out.text("Employee: " + document.employee_name);
  out.text(
      fmt::format("Period: {} to {}", to_iso_date(run.period_start), to_iso_date(run.period_end)));
  out.text("Pay date: " + to_iso_date(run.pay_date));
  out.gap();
  for (const auto& line : amounts.lines)
    out.amount(fmt::format("{}: {}", line_label(line.kind), line.name), money(line.amount));
  out.gap();
  out.rule();
  out.amount("Gross", money(amounts.gross), true);
  out.amount("Taxable", money(amounts.taxable));
  out.amount("Tax", money(amounts.tax));
  out.amount("Net pay", money(amounts.net), true);
  out.gap();
  out.rule();
  out.text(fmt::format("Year to date ({})", static_cast<int>(run.pay_date.year())), true);
  out.amount("Gross", money(ytd.gross));
  out.amount("Tax", money(ytd.tax));
  out.amount("Net", money(ytd.net));

  if (HPDF_SaveToStream(pdf.get()) != HPDF_OK || !error.empty())
    throw std::runtime_error("libharu: " + error);
  HPDF_UINT32 size = HPDF_GetStreamSize(pdf.get());
  std::string bytes(size, '\0');
  HPDF_ReadFromStream(pdf.get(), reinterpret_cast<HPDF_BYTE*>(bytes.data()), &size);
  bytes.resize(size);
  return bytes;
}

boost::asio::awaitable<std::string> Service::payslip_pdf(const Uuid& organization_id,
                                                         const Uuid& run_id,
                                                         const Uuid& employee_id, bool paid_only) {
  PayslipDocument document;
  document.payslip = co_await payslip(organization_id, run_id, employee_id, paid_only);
  auto organization = co_await parts_.organizations.get(organization_id);
  auto employee = co_await parts_.employees.get(organization_id, employee_id);
  auto scale = co_await store::select_scale(parts_.pool, document.payslip.run.currency);
  document.organization_name = organization.name;
  document.employee_name = employee.first_name + " " + employee.last_name;
  document.scale = scale;
  co_return render_payslip_pdf(document);
}

}  // namespace payrollx::payroll
