#pragma once
// Libraries that only some commands need, loaded on first use instead of at start-up.
//
// Why: every library linked into the binary is loaded and relocated at each start, with all of
// its own dependencies. libpq (Kerberos, LDAP, GnuTLS) and libcurl (the same and more) each cost
// several milliseconds of CPU there, which short-lived commands such as `custos mailgate` (run
// once per message by the MTA) pay for nothing on a SQLite database without webhooks.
//
// A library's functions are listed once with an X-macro and resolved into a table whose member
// types are taken from the library's own header, so a wrong signature is a compile error. See
// store/postgres/libpq.hpp for an example.
#include <string>

namespace custos::util {

class SharedLibrary {
 public:
  // Opens `soname` (never closed: its functions may be called until the process exits).
  // Throws std::runtime_error naming the library, the Debian package that has it and the
  // loader's reason.
  SharedLibrary(const char* soname, const char* package);
  // Throws std::runtime_error when the library lacks `name`.
  [[nodiscard]] void* symbol(const char* name) const;

 private:
  std::string soname_;
  void* handle_ = nullptr;
};

}  // namespace custos::util

// The macro arguments below are names being declared or named, which parentheses would break.
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define CUSTOS_SHARED_LIBRARY_MEMBER(name) decltype(&::name) name = nullptr;
#define CUSTOS_SHARED_LIBRARY_MEMBERS(FUNCTIONS) FUNCTIONS(CUSTOS_SHARED_LIBRARY_MEMBER)
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define CUSTOS_SHARED_LIBRARY_RESOLVE_ONE(name) \
  custos_table_.name =                          \
      reinterpret_cast<decltype(custos_table_.name)>(custos_library_.symbol(#name));
// Fills `table` from `library`; the two names must be plain identifiers.
#define CUSTOS_SHARED_LIBRARY_RESOLVE(FUNCTIONS, library, table) \
  do {                                                           \
    auto& custos_table_ = (table);                               \
    const auto& custos_library_ = (library);                     \
    FUNCTIONS(CUSTOS_SHARED_LIBRARY_RESOLVE_ONE)                 \
  } while (false)
