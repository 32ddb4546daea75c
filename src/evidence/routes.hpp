#pragma once
// The evidence vault's HTTP routes: items of an incident, content upload and download,
// custody, legal holds and signed export packages.
#include <string>

#include "api/router.hpp"
#include "evidence/evidence_service.hpp"

namespace custos::audit {
class SigningKey;
}

namespace custos::evidence {

// `key` signs export packages; null: export answers 503 (a server always has one).
void add_evidence_routes(api::Router& router, EvidenceService& evidence,
                         const audit::SigningKey* key);

}  // namespace custos::evidence
