#pragma once
// libpq, loaded when a PostgreSQL database is first opened rather than when custos starts.
//
// Why: libpq pulls in Kerberos, LDAP and GnuTLS; loading and relocating that chain costs about
// 4.5 ms of CPU at every start of the binary. That is most of the price of a short-lived command
// such as `custos mailgate` (run once per message by the MTA) on the default SQLite database,
// which never needs libpq at all.
//
// Use `libpq().PQexec(...)` where code would call `PQexec(...)`: the table holds the same
// functions with the same signatures (checked against <libpq-fe.h> at compile time).
#include <libpq-fe.h>

namespace custos::store {

#define CUSTOS_LIBPQ_FUNCTIONS(X) \
  X(PQclear)                      \
  X(PQcmdTuples)                  \
  X(PQconndefaults)               \
  X(PQconnectdb)                  \
  X(PQconnectdbParams)            \
  X(PQconninfoFree)               \
  X(PQconninfoParse)              \
  X(PQerrorMessage)               \
  X(PQexec)                       \
  X(PQexecPrepared)               \
  X(PQfinish)                     \
  X(PQfreemem)                    \
  X(PQftype)                      \
  X(PQgetisnull)                  \
  X(PQgetlength)                  \
  X(PQgetvalue)                   \
  X(PQnfields)                    \
  X(PQntuples)                    \
  X(PQprepare)                    \
  X(PQreset)                      \
  X(PQresultErrorField)           \
  X(PQresultStatus)               \
  X(PQsetNoticeProcessor)         \
  X(PQstatus)                     \
  X(PQtransactionStatus)

struct LibPq {
#define CUSTOS_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  CUSTOS_LIBPQ_FUNCTIONS(CUSTOS_LIBPQ_MEMBER)
#undef CUSTOS_LIBPQ_MEMBER
};

// Loads libpq on first use. Throws DatabaseError naming the library and the loader's reason
// when it is missing or lacks a function.
const LibPq& libpq();

}  // namespace custos::store
