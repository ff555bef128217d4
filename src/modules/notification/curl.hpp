#pragma once
// libcurl, shared by the email and webhook senders of the outbox. Private to the notification
// module.
#include <curl/curl.h>

#include <memory>

namespace payrollx::notification {

// curl_global_init, once per process and thread-safe (call before the first easy handle).
void init_curl();

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

// A new easy handle (after init_curl) with what every request of ours shares: no signals (the
// senders run on worker threads), no redirects, no proxy from the environment.
CurlHandle new_curl_handle();

}  // namespace payrollx::notification
