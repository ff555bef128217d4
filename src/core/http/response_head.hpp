#pragma once
// Private to the server: a Response's status line and header fields as HTTP/1.1 puts them on
// the wire. The server writes this head and the body in one gather write, with no intermediate
// message object.
#include <string>

#include "core/http/message.hpp"

namespace payrollx::http {

// `version` is the request's (11 or 10). Content-Length is always given, except where a body is
// not allowed (1xx, 204, 304); Connection says what keep_alive decided when it differs from the
// version's default.
std::string response_head(const Response& response, unsigned version, bool keep_alive);
// Whether a response of this status carries a body (not 1xx, 204 or 304).
bool has_body(int status);

}  // namespace payrollx::http
