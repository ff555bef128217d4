#include "modules/notification/smtp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "modules/notification/curl.hpp"

namespace payrollx::notification {
namespace {

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, its angle brackets included.
constexpr std::size_t k_address_max_length = 254;
constexpr std::string_view k_redacted = "***";

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// libcurl writes the addresses into MAIL FROM and RCPT TO as they are: a CR or LF would add SMTP
// commands of its own, and a space or an angle bracket would change the path. ASCII only, as
// core/email.hpp accepts addresses (libcurl would otherwise ask the relay for SMTPUTF8).
bool is_envelope_address(std::string_view address) {
  if (address.empty() || address.size() > k_address_max_length) return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= ' ' || byte >= 0x7F || c == '<' || c == '>';
  });
}

struct Upload {
  std::string_view rest;
};

// No dot-stuffing here: libcurl doubles a "." that starts a line of the upload and ends the DATA
// with CRLF.CRLF itself (lib/smtp.c, Curl_smtp_escape_eob in 7.88; the integration test sends
// lines of ".", ".." and ".x" through a real server and gets them back whole).
std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& upload = *static_cast<Upload*>(user);
  const std::size_t length = std::min(size * count, upload.rest.size());
  std::memcpy(buffer, upload.rest.data(), length);
  upload.rest.remove_prefix(length);
  return length;
}

// libcurl passes every reply line of the relay to the header callback. Keep the last refusal
// (4xx or 5xx): the QUIT libcurl sends after a failure is answered too, and says nothing.
std::size_t keep_refusal(char* buffer, std::size_t size, std::size_t count, void* user) {
  const std::string_view line(buffer, size * count);
  if (line.starts_with('4') || line.starts_with('5')) {
    auto& refusal = *static_cast<std::string*>(user);
    refusal.assign(line.substr(0, line.find_last_not_of("\r\n") + 1));
  }
  return size * count;
}

// The URL's password, as written and URL-decoded. libcurl's messages name hosts and ports, not
// credentials, but a relay's reply or another libcurl version must not carry it into lastError.
std::vector<std::string> url_secrets(const std::string& url) {
  std::vector<std::string> secrets;
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed ||
      curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return secrets;
  for (unsigned int flags : {0U, static_cast<unsigned int>(CURLU_URLDECODE)}) {
    char* password = nullptr;
    if (curl_url_get(parsed.get(), CURLUPART_PASSWORD, &password, flags) == CURLUE_OK) {
      if (*password != '\0') secrets.emplace_back(password);
      curl_free(password);
    }
  }
  return secrets;
}

std::string redacted(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), k_redacted);
      at += k_redacted.size();
    }
  }
  return text;
}

std::string failure_text(CURLcode code, const char* detail, const std::string& refusal) {
  std::string text = curl_easy_strerror(code);
  if (*detail != '\0') text += fmt::format(" ({})", detail);
  if (!refusal.empty()) text += fmt::format("; the relay said: {}", refusal);
  return text;
}

// Everything but the addresses, the upload and the callbacks' targets.
void set_transfer_options(CURL* curl, const SmtpSettings& settings) {
  curl_easy_setopt(curl, CURLOPT_URL, settings.url.c_str());
  // A mistyped PAYROLLX_SMTP_URL must not turn into an HTTP or a file transfer.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS when an smtp:// relay offers it (a relay that does not gets the message in clear);
  // smtps:// speaks TLS from the first byte whatever this says.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_refusal);
}

}  // namespace

SendOutcome send_email(const SmtpSettings& settings, const EmailMessage& message,
                       std::string_view mime) {
  if (!is_envelope_address(message.from)) return {false, "invalid sender address"};
  if (!is_envelope_address(message.to)) return {false, "invalid recipient address"};

  const std::string mail_from = "<" + message.from + ">";
  std::unique_ptr<curl_slist, SlistDeleter> recipients(
      curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
  if (!recipients) throw std::bad_alloc();
  Upload upload{mime};
  std::string refusal;
  std::array<char, CURL_ERROR_SIZE> detail{};

  CURL* curl = thread_curl_handle(CurlUse::email);
  set_transfer_options(curl, settings);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  // Announced with SIZE= when the relay supports RFC 1870, so an oversized message fails early.
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &refusal);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail.data());

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) return {true, {}};
  return {false, redacted(failure_text(code, detail.data(), refusal), url_secrets(settings.url))};
}

}  // namespace payrollx::notification
