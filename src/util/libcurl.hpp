#pragma once
// libcurl, loaded when it is first needed (a webhook or an IMAP mailbox is configured) rather
// than at every start (util/shared_library.hpp says why). Use `libcurl().curl_easy_init()` where
// code would call `curl_easy_init()`. Include this header instead of <curl/curl.h>.
//
// curl.h's GCC type-checking wraps curl_easy_setopt and curl_easy_getinfo in macros that call
// the linked functions; through the table they are called directly, so the check is off here.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "util/shared_library.hpp"

namespace custos::util {

#define CUSTOS_LIBCURL_FUNCTIONS(X) \
  X(curl_easy_cleanup)              \
  X(curl_easy_getinfo)              \
  X(curl_easy_init)                 \
  X(curl_easy_perform)              \
  X(curl_easy_setopt)               \
  X(curl_easy_strerror)             \
  X(curl_free)                      \
  X(curl_global_init)               \
  X(curl_slist_append)              \
  X(curl_slist_free_all)            \
  X(curl_url)                       \
  X(curl_url_cleanup)               \
  X(curl_url_get)                   \
  X(curl_url_set)

struct LibCurl {
  CUSTOS_SHARED_LIBRARY_MEMBERS(CUSTOS_LIBCURL_FUNCTIONS)
};

// Loads libcurl and runs curl_global_init once, on first use. Throws std::runtime_error naming
// the library and the loader's reason when it is missing or lacks a function.
const LibCurl& libcurl();

}  // namespace custos::util
