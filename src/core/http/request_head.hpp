#pragma once
// Private to the server (and its fuzzer): a parsed request head as our own Request, the one place
// where a Beast header becomes the path, query and header fields that routing and handlers read.
#include <boost/beast/http/message.hpp>
#include <optional>

#include "core/http/message.hpp"

namespace payrollx::http {

// The request line and headers, without the body; nullopt when the target is not an
// origin-form URL (a path and an optional query) that is UTF-8 once percent-decoded.
std::optional<Request> to_request(const boost::beast::http::request_header<>& header);

}  // namespace payrollx::http
