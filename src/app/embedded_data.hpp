#pragma once
// Catalogues shipped in data/ (taxonomy, ...) are compiled into the binary so that it
// runs with no files beside it.
#include <optional>
#include <string_view>

namespace custos::app {

// The content of data/<name>, or nullopt when no such file was embedded.
std::optional<std::string_view> embedded_file(std::string_view name);

}  // namespace custos::app
