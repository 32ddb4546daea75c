#include "detection/inputs/http_ingest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> parse(std::string_view line, IngestLine& out) {
  return parse_ingest_line(line, 64, out);
}

TEST(IngestLineTest, BuildsTheLineAFilterExpectsAndPassesTheTimeOn) {
  IngestLine l;
  EXPECT_EQ(parse(R"({"message": "Failed password"})", l), std::nullopt);
  EXPECT_EQ(l.text, "Failed password");
  EXPECT_FALSE(l.time);
  EXPECT_EQ(parse(R"({"message": "Failed", "host": "gate", "app": "sshd", "pid": 812,
                      "time": "2026-11-23T04:00:01Z", "other": [1]})",
                  l),
            std::nullopt);
  EXPECT_EQ(l.text, "gate sshd[812]: Failed");
  ASSERT_TRUE(l.time);
  EXPECT_DOUBLE_EQ(*l.time, 1795406401.0);
  EXPECT_EQ(parse(R"({"message": "x", "app": "sshd", "time": 1795406401.5})", l), std::nullopt);
  EXPECT_EQ(l.text, "sshd: x");
  EXPECT_DOUBLE_EQ(*l.time, 1795406401.5);
  EXPECT_EQ(parse(R"({"message": "x", "time": null, "host": null})", l), std::nullopt);
  EXPECT_EQ(l.text, "x");
}

TEST(IngestLineTest, NamesWhatIsWrongWithARejectedLine) {
  IngestLine l;
  EXPECT_EQ(parse("{\"message\": \"\xff\"}", l), "not valid UTF-8");
  EXPECT_EQ(parse(R"({"message": "x")", l), "not valid JSON");
  EXPECT_EQ(parse(R"(["message"])", l), "not a JSON object");
  EXPECT_EQ(parse(R"({"msg": "x"})", l), "message is missing");
  EXPECT_EQ(parse(R"({"message": 5})", l), "message must be a string");
  EXPECT_EQ(parse(R"({"message": ""})", l), "message is empty");
  EXPECT_EQ(parse(R"({"message": ")" + std::string(65, 'a') + "\"}", l),
            "message is longer than the source's max_line_bytes");
  EXPECT_EQ(parse(R"({"message": "x", "time": "yesterday"})", l),
            "time must be an RFC 3339 time with an offset or epoch seconds (a number)");
  EXPECT_EQ(parse(R"({"message": "x", "time": -1})", l),
            "time must be an RFC 3339 time with an offset or epoch seconds (a number)");
  EXPECT_EQ(parse(R"({"message": "x", "host": {}})", l), "host must be a string");
}

TEST(HttpIngestSourceTest, AnHttpSourceTakesNoListenAddressNorPath) {
  DetectionConfig config;
  config.sources.push_back({"shipper", SourceConfig::Kind::http, "", "", 65536});
  EXPECT_NO_THROW(validate(config));
  config.sources[0].listen = "127.0.0.1:5514";
  try {
    validate(config);
    FAIL() << "an http source with a listen address was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "detection.sources[shipper].listen: is not used by an http source");
  }
}

TEST(HttpIngestSourceTest, CountsGoodLinesAndReportsBadOnesByLineNumber) {
  const auto dir = fs::temp_directory_path() / ("custos-ingest-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "test.conf") << "[Definition]\nfailregex = ^fail from <HOST>$\n";
  DetectionConfig config;
  config.sources.push_back({"shipper", SourceConfig::Kind::http, "", "", 256});
  JailConfig jail;
  jail.name = "test";
  jail.filter = dir / "test.conf";
  jail.sources = {"shipper"};
  jail.maxretry = 2;
  config.jails.push_back(jail);
  std::vector<BanRequest> bans;
  Detector detector(config, [&](BanRequest r) { bans.push_back(std::move(r)); });
  HttpIngestSource source(config.sources[0], detector.pipeline("shipper"));

  const auto result = source.ingest(
      "\xEF\xBB\xBF{\"message\": \"fail from 192.0.2.1\", \"time\": 1795406401}\r\n"
      "\n"
      "not json\n"
      "{\"message\": \"fail from 192.0.2.1\", \"time\": 1795406402}\n"
      "{\"message\": \"" +
      std::string(300, 'x') + "\"}");
  EXPECT_EQ(result.accepted, 2U);
  EXPECT_EQ(result.rejected, 2U);
  ASSERT_EQ(result.rejections.size(), 2U);
  EXPECT_EQ(result.rejections[0].line, 3U);
  EXPECT_EQ(result.rejections[0].problem, "not valid JSON");
  EXPECT_EQ(result.rejections[1].line, 5U);
  ASSERT_EQ(bans.size(), 1U);
  EXPECT_EQ(bans[0].address.to_string(), "192.0.2.1");
  EXPECT_EQ(bans[0].failure_time, 1795406402);
  EXPECT_EQ(source.stats().messages.load(), 2U);
  EXPECT_EQ(source.stats().oversized.load(), 1U);
  EXPECT_EQ(source.stats().rejected.load(), 1U);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace custos::detection
