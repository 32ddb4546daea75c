#include "store/postgres/libpq.hpp"

#include <stdexcept>
#include <string>

#include "store/database.hpp"
#include "util/shared_library.hpp"

namespace custos::store {

const LibPq& libpq() {
  // Thread-safe; a failed load is tried again on the next call.
  static const LibPq lib = [] {
    try {
      // The soname of libpq's stable ABI, not the development symlink.
      const util::SharedLibrary library("libpq.so.5", "libpq5");
      LibPq table;
      CUSTOS_SHARED_LIBRARY_RESOLVE(CUSTOS_LIBPQ_FUNCTIONS, library, table);
      return table;
    } catch (const std::runtime_error& e) {
      throw DatabaseError(std::string("PostgreSQL support: ") + e.what());
    }
  }();
  return lib;
}

}  // namespace custos::store
