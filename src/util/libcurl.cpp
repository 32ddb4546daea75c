#include "util/libcurl.hpp"

namespace custos::util {

const LibCurl& libcurl() {
  // Thread-safe; a failed load is tried again on the next call.
  static const LibCurl lib = [] {
    // The soname of libcurl's stable ABI (the OpenSSL flavour), not the development symlink.
    const SharedLibrary library("libcurl.so.4", "libcurl4");
    LibCurl table;
    CUSTOS_SHARED_LIBRARY_RESOLVE(CUSTOS_LIBCURL_FUNCTIONS, library, table);
    // Not thread-safe by itself: this initialiser runs once, before any transfer.
    table.curl_global_init(CURL_GLOBAL_DEFAULT);
    return table;
  }();
  return lib;
}

}  // namespace custos::util
