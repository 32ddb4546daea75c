#include "detection/inputs/file_follower.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/scratch_database.hpp"

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

class FileFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_.emplace(store::Backend::sqlite, "file-follower");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    dir_ = fs::path(scratch_->url().substr(7)).parent_path();
    std::ofstream(dir_ / "test.conf") << "[Definition]\nfailregex = ^fail from <HOST>$\n";
    log_ = dir_ / "auth.log";
    DetectionConfig config;
    source_ = {"auth", SourceConfig::Kind::file, "", log_.string(), 4096};
    config.sources.push_back(source_);
    JailConfig jail;
    jail.name = "test";
    jail.filter = dir_ / "test.conf";
    jail.sources = {"auth"};
    jail.maxretry = 1000;
    config.jails.push_back(jail);
    detector_ = std::make_unique<Detector>(config, [](BanRequest) {});
  }
  void append(const std::string& text, const fs::path& file = {}) {
    std::ofstream(file.empty() ? log_ : file, std::ios::app) << text;
  }
  std::unique_ptr<FileFollower> follow() {
    return std::make_unique<FileFollower>(source_, detector_->pipeline("auth"), *db_);
  }
  std::uint64_t failures() const { return detector_->jails()[0]->stats().failures; }
  // Waits up to 5 s for the count.
  bool wait_for(std::uint64_t n) {
    for (int i = 0; i < 250 && failures() != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // and nothing more comes
    return failures() == n;
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  fs::path dir_;
  fs::path log_;
  SourceConfig source_;
  std::unique_ptr<Detector> detector_;
};

TEST_F(FileFollowerTest, FollowsRotationTruncationAndRestarts) {
  append("fail from 192.0.2.1\nfail from 192.0.2.1\n");
  auto follower = follow();
  // A file never seen before is read from its end.
  EXPECT_TRUE(wait_for(0));
  append("fail from 192.0.2.2\nnothing\nfail from 192.0.2.2\n");
  EXPECT_TRUE(wait_for(2));

  // Rotation: the path now names a new file, read from its start.
  fs::rename(log_, dir_ / "auth.log.1");
  append("fail from 192.0.2.3\n");
  EXPECT_TRUE(wait_for(3));
  EXPECT_EQ(follower->stats().rotations.load(), 1U);

  // Truncation: read again from the start.
  std::ofstream(log_, std::ios::trunc) << "";
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  append("fail from 192.0.2.4\n");
  EXPECT_TRUE(wait_for(4));
  EXPECT_EQ(follower->stats().truncations.load(), 1U);

  // A restart continues where reading stopped: lines written meanwhile count once, and a line
  // cut in half by the stop is read whole afterwards.
  append("fail from 192.0");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  follower.reset();
  append(".2.5\nfail from 192.0.2.6\n");
  follower = follow();
  EXPECT_TRUE(wait_for(6));

  // Over-long lines are dropped, the next one is read.
  append(std::string(10000, 'x') + "\nfail from 192.0.2.7\n");
  EXPECT_TRUE(wait_for(7));
  EXPECT_EQ(follower->stats().oversized.load(), 1U);
}

}  // namespace
}  // namespace custos::detection
