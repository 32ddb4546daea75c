#pragma once
// HTTP routes of problem management and the known-error suggestions.
#include "api/router.hpp"
#include "incidents/problems.hpp"

namespace custos::incidents {

void add_problem_routes(api::Router& router, ProblemService& service);

}  // namespace custos::incidents
