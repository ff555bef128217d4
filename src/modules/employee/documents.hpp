#pragma once
// What a document upload is checked and stored with: the accepted media types and their magic
// bytes, and the SHA-256 of the bytes. Private to the employee module (unit tests include it).
#include <optional>
#include <string>
#include <string_view>

namespace payrollx::employee::documents {

// The media type of a Content-Type header, lower-cased and without parameters, when it is one of
// application/pdf, image/png and image/jpeg.
std::optional<std::string> accepted_media_type(std::string_view content_type);
// Whether `bytes` start the way files of `media_type` do (%PDF-, \x89PNG\r\n\x1a\n, \xFF\xD8\xFF).
bool has_magic_of(std::string_view media_type, std::string_view bytes);

// Lower-case hex SHA-256 (libsodium crypto_hash_sha256).
std::string sha256_hex(std::string_view bytes);

}  // namespace payrollx::employee::documents
