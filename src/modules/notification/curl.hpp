#pragma once
// libcurl, shared by the email and webhook senders of the outbox. Private to the notification
// module.
#include <curl/curl.h>

namespace payrollx::notification {

// curl_global_init, once per process and thread-safe (call before the first easy handle).
void init_curl();

// What a handle is for. Each use has its own handles, so a connection is only ever reused under
// the rules it was opened under: one opened to a private address where that is allowed never
// carries a webhook that must go to a public one.
enum class CurlUse { email, webhook_public, webhook_any };

// This thread's easy handle for `use`, reset to what every request of ours shares: no signals (the
// senders run on worker threads), no redirects, no proxy from the environment. Its connection cache
// outlives each request: a sender thread keeps its connection (and TLS session) to a relay or
// an endpoint open for the next delivery there instead of opening one per delivery. Valid on
// this thread until its next call here.
CURL* thread_curl_handle(CurlUse use);

}  // namespace payrollx::notification
