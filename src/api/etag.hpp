#pragma once
// Optimistic concurrency: resources carry a version; ETag is "<version>" and a
// write must send it back in If-Match.
#include <cstdint>
#include <string>

#include "api/context.hpp"

namespace custos::api {

std::string etag_for(std::int64_t version);

// The version named by If-Match; 428 when absent, 412 when unreadable.
std::int64_t required_if_match(const Context& ctx);

// Opaque cursors for keyset pagination.
std::string encode_cursor(const std::string& position);
std::string decode_cursor(const std::string& cursor);  // 422 naming `cursor` when malformed

}  // namespace custos::api
