#pragma once
// Shared set-up for the micro benchmarks that need real components: a throwaway data
// directory with a migrated SQLite database, an admin account and a bearer token, built
// through the same app::Core the server and the CLI use. Not a benchmark itself (only
// bench/*_bench.cpp files become executables).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "app/app.hpp"
#include "app/config.hpp"

namespace custos::bench {

class TempCore {
 public:
  TempCore() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "custos-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    app::Config config;
    config.data_dir = dir_;
    config.password_hashing = "minimum";  // set-up speed only; login cost is measured separately
    core_ = std::make_unique<app::Core>(config, false);
    core_->db->migrate();
    auth::NewUser admin{"admin", "Administrator", std::nullopt, auth::RoleSet{auth::Role::admin},
                        "correct horse battery staple", false};
    const auto user = core_->accounts->create(admin, "system");
    token_ = core_->credentials->issue_token(user.id, "bench", std::nullopt, "system").token;
  }
  ~TempCore() {
    core_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempCore(const TempCore&) = delete;
  TempCore& operator=(const TempCore&) = delete;

  app::Core& core() { return *core_; }
  const std::string& token() const { return token_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<app::Core> core_;
  std::string token_;
};

}  // namespace custos::bench
