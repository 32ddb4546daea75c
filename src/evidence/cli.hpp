#pragma once
// `custos evidence export` and `custos evidence verify`: the command-line contract.
//   export: writes a signed package of one item or of all items of an incident to a file
//           (exit 0), or says why not (exit 1).
//   verify: needs only the package file. Exit 0 and a summary when it is intact; exit 1 and one
//           line per defect (which file, which field, bad signature) when anything was changed;
//           exit 2 when the file cannot be read at all.
#include <ostream>
#include <string>

#include "evidence/evidence_service.hpp"

namespace custos::evidence {

int run_export(EvidenceService& evidence, const audit::SigningKey& key, const std::string& scope,
               const std::string& out_file, const std::string& actor, std::ostream& out,
               std::ostream& err);

int run_verify(const std::string& package_file, const std::string& trusted_public_key_hex,
               std::ostream& out, std::ostream& err);

}  // namespace custos::evidence
