#include "modules/notification/curl.hpp"

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

CurlHandle new_curl_handle() {
  init_curl();
  CurlHandle handle(curl_easy_init());
  if (!handle) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(handle.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle.get(), CURLOPT_FOLLOWLOCATION, 0L);
  // An empty list: ignore http_proxy and the like, the deployment's network is the route.
  curl_easy_setopt(handle.get(), CURLOPT_NOPROXY, "*");
  return handle;
}

}  // namespace payrollx::notification
