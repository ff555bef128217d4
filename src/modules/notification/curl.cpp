#include "modules/notification/curl.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace payrollx::notification {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

namespace {
struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
}  // namespace

CURL* thread_curl_handle(CurlUse use) {
  thread_local std::array<std::unique_ptr<CURL, CurlDeleter>, 3> handles;
  auto& handle = handles.at(static_cast<std::size_t>(use));
  if (handle) {
    curl_easy_reset(handle.get());  // options only: connections and caches stay
  } else {
    init_curl();
    handle.reset(curl_easy_init());
    if (!handle) throw std::runtime_error("curl_easy_init failed");
  }
  curl_easy_setopt(handle.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle.get(), CURLOPT_FOLLOWLOCATION, 0L);
  // Ignore http_proxy and the like: the deployment's network is the route.
  curl_easy_setopt(handle.get(), CURLOPT_NOPROXY, "*");
  return handle.get();
}

}  // namespace payrollx::notification
