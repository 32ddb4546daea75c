#include "app/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace custos::app {
namespace {

std::filesystem::path write_file(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << content;
  return path;
}

std::string error_of(const std::filesystem::path& file) {
  try {
    load_config(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsRunWithoutAFile) {
  auto c = load_config(std::nullopt);
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.effective_database_url(), "sqlite:custos-data/custos.db");
  EXPECT_FALSE(c.tls_enabled());
}

TEST(Config, ReadsTomlAndEnvironmentOverridesIt) {
  auto file = write_file("custos-config-test.toml",
                         "[server]\nlisten = \"0.0.0.0:9000\"\nworker_threads = 4\n"
                         "[auth]\nlockout_account_threshold = 7\n");
  ::setenv("CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD", "9", 1);
  auto c = load_config(file);
  ::unsetenv("CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.worker_threads, 4);
  EXPECT_EQ(c.lockout_account_threshold, 9);
}

TEST(Config, NamesTheFileKeyAndProblem) {
  EXPECT_NE(error_of(write_file("c1.toml", "[server]\nlisten = 8080\n")).find("server.listen"),
            std::string::npos);
  EXPECT_NE(error_of(write_file("c2.toml", "[server]\nlistne = \"x\"\n"))
                .find("unknown setting 'server.listne'"),
            std::string::npos);
  EXPECT_NE(error_of(write_file("c3.toml", "[server]\nworker_threads = 0\n")).find("between"),
            std::string::npos);
  EXPECT_NE(error_of(write_file("c4.toml", "[server\n")).find("c4.toml:1"), std::string::npos);
  EXPECT_NE(error_of(write_file("c5.toml", "[server]\nlisten = \"nohost\"\n")).find("HOST:PORT"),
            std::string::npos);
}

TEST(Config, SplitsListenAddresses) {
  EXPECT_EQ(split_listen("127.0.0.1:80"), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 80}));
  EXPECT_EQ(split_listen("[::1]:8080"), (std::pair<std::string, std::uint16_t>{"::1", 8080}));
  EXPECT_THROW(split_listen("127.0.0.1:99999"), std::runtime_error);
  EXPECT_THROW(split_listen(":80"), std::runtime_error);
}

}  // namespace
}  // namespace custos::app
