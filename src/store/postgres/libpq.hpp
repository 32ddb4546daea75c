#pragma once
// libpq, loaded when a PostgreSQL database is first opened rather than at every start
// (util/shared_library.hpp says why). Use `libpq().PQexec(...)` where code would call
// `PQexec(...)`: the table holds the same functions with the same signatures.
#include <libpq-fe.h>

#include "util/shared_library.hpp"

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
  CUSTOS_SHARED_LIBRARY_MEMBERS(CUSTOS_LIBPQ_FUNCTIONS)
};

// Loads libpq on first use. Throws DatabaseError naming the library and the loader's reason
// when it is missing or lacks a function.
const LibPq& libpq();

}  // namespace custos::store
