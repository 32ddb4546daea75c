#include "store/postgres/libpq.hpp"

#include <dlfcn.h>

#include <string>

#include "store/database.hpp"

namespace custos::store {

namespace {

// The soname of libpq's stable ABI (Debian's libpq5), not the development symlink.
constexpr const char* kLibraryName = "libpq.so.5";

std::string loader_error() {
  const char* reason = dlerror();
  return reason != nullptr ? reason : "unknown reason";
}

LibPq load() {
  void* handle = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw DatabaseError(std::string("PostgreSQL support needs ") + kLibraryName +
                        " (Debian package libpq5): " + loader_error());
  }
  // Never closed: sessions may live until the process exits.
  LibPq lib;
#define CUSTOS_LIBPQ_RESOLVE(name)                                                          \
  lib.name = reinterpret_cast<decltype(lib.name)>(dlsym(handle, #name));                    \
  if (lib.name == nullptr) {                                                                \
    throw DatabaseError(std::string(kLibraryName) + " lacks " #name ": " + loader_error()); \
  }
  CUSTOS_LIBPQ_FUNCTIONS(CUSTOS_LIBPQ_RESOLVE)
#undef CUSTOS_LIBPQ_RESOLVE
  return lib;
}

}  // namespace

const LibPq& libpq() {
  static const LibPq lib = load();  // thread-safe; a failed load is retried on the next call
  return lib;
}

}  // namespace custos::store
