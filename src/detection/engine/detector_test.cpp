#include "detection/engine/detector.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

class DetectorReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custos-reload-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.conf") << "[Definition]\nfailregex = ^a from <HOST>$\n";
    std::ofstream(dir_ / "b.conf") << "[Definition]\nfailregex = ^b from <HOST>$\n";
    config_.sources.push_back({"in", SourceConfig::Kind::http, "", "", 4096});
    config_.jails.push_back(jail("one", "a.conf", 3));
    detector_ = std::make_unique<Detector>(config_, [this](BanRequest r) { bans_.push_back(r); });
  }
  void TearDown() override { fs::remove_all(dir_); }

  JailConfig jail(const std::string& name, const std::string& filter, int maxretry) {
    JailConfig j;
    j.name = name;
    j.filter = dir_ / filter;
    j.sources = {"in"};
    j.maxretry = maxretry;
    return j;
  }

  fs::path dir_;
  DetectionConfig config_;
  std::vector<BanRequest> bans_;
  std::unique_ptr<Detector> detector_;
};

TEST_F(DetectorReloadTest, AKeptJailKeepsItsCountsUnderNewSettingsAndANewJailStartsEmpty) {
  auto pipeline = detector_->pipeline("in");
  pipeline->feed("a from 192.0.2.1", 1000.0);
  pipeline->feed("a from 192.0.2.1", 1001.0);
  auto next = config_;
  next.jails[0].maxretry = 4;
  next.jails.push_back(jail("two", "b.conf", 1));
  const auto changes = detector_->reload(next);
  EXPECT_EQ(changes.kept, std::vector<std::string>{"one"});
  EXPECT_EQ(changes.added, std::vector<std::string>{"two"});
  EXPECT_TRUE(changes.removed.empty());
  // The running pipeline picks the change up: two more failures reach the new maxretry.
  pipeline->feed("a from 192.0.2.1", 1002.0);
  EXPECT_TRUE(bans_.empty());
  pipeline->feed("a from 192.0.2.1", 1003.0);
  ASSERT_EQ(bans_.size(), 1U);
  EXPECT_EQ(bans_[0].jail, "one");
  EXPECT_EQ(bans_[0].failures, 4);
  pipeline->feed("b from 192.0.2.9", 1004.0);
  ASSERT_EQ(bans_.size(), 2U);
  EXPECT_EQ(bans_[1].jail, "two");
  EXPECT_EQ(detector_->jails()[0]->stats().failures, 4U);
}

TEST_F(DetectorReloadTest, AMaxretryLoweredBelowTheCountBansAtTheNextFailure) {
  auto pipeline = detector_->pipeline("in");
  pipeline->feed("a from 192.0.2.1", 1000.0);
  pipeline->feed("a from 192.0.2.1", 1001.0);
  auto next = config_;
  next.jails[0].maxretry = 2;
  detector_->reload(next);
  pipeline->feed("a from 192.0.2.1", 1002.0);
  ASSERT_EQ(bans_.size(), 1U);
}

TEST_F(DetectorReloadTest, ABrokenFilterChangesNothingAndARemovedJailStopsCounting) {
  auto pipeline = detector_->pipeline("in");
  pipeline->feed("a from 192.0.2.1", 1000.0);
  std::ofstream(dir_ / "bad.conf") << "[Definition]\nfailregex = ^(unclosed <HOST>$\n";
  auto broken = config_;
  broken.jails.push_back(jail("bad", "bad.conf", 1));
  try {
    detector_->reload(broken);
    FAIL() << "a broken filter was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("detection.jails[bad].filter: " + (dir_ / "bad.conf").string()),
        std::string::npos)
        << e.what();
  }
  ASSERT_EQ(detector_->jails().size(), 1U);
  pipeline->feed("a from 192.0.2.1", 1001.0);
  EXPECT_EQ(detector_->jails()[0]->stats().failures, 2U);

  auto other = config_;
  other.jails = {jail("two", "b.conf", 1)};
  const auto changes = detector_->reload(other);
  EXPECT_EQ(changes.removed, std::vector<std::string>{"one"});
  pipeline->feed("a from 192.0.2.1", 1002.0);
  pipeline->feed("a from 192.0.2.1", 1003.0);
  EXPECT_TRUE(bans_.empty());
}

}  // namespace
}  // namespace custos::detection
