#include "detection/filter_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "detection/ini_file.hpp"

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

class DetectionFilterFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("custos-filter-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

TEST(DetectionIni, MultiLineValuesCommentsAndCase) {
  const IniFile f = parse_ini(
      "[Definition]\n"
      "FailRegex = ^a <HOST>$\n"
      "            ^b <HOST>$ ; inline comment\n"
      "# a comment inside the value\n"
      "            ^c <HOST>$\n"
      "\n"
      "ignoreregex =\n",
      "x.conf");
  const IniSection* d = f.find("Definition");
  ASSERT_NE(d, nullptr);
  ASSERT_NE(d->find("failregex"), nullptr);  // option names fold to lower case
  EXPECT_EQ(d->find("failregex")->value, "^a <HOST>$\n^b <HOST>$\n^c <HOST>$");
  EXPECT_EQ(d->find("ignoreregex")->value, "");
}

TEST(DetectionIni, ErrorsNameFileAndLine) {
  try {
    (void)parse_ini("[Definition]\nthis is not an option\n", "bad.conf");
    FAIL() << "expected an error";
  } catch (const FilterError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.conf:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)parse_ini("failregex = x\n", "nosection.conf"), FilterError);
  EXPECT_THROW((void)parse_ini("[A]\nx = 1\nx = 2\n", "twice.conf"), FilterError);
}

TEST_F(DetectionFilterFile, IncludesInterpolationTagsAndModes) {
  write("common.conf",
        "[INCLUDES]\nafter = common.local\n"
        "[DEFAULT]\n_daemon = \\S*\n__prefix = %(_daemon)s\\[\\d+\\]: \n");
  const fs::path filter = write("svc.conf",
                                "[INCLUDES]\nbefore = common.conf\n"
                                "[DEFAULT]\n_daemon = svc\n"
                                "[Definition]\n"
                                "normal-re = ^%(__prefix)s bad login from <HOST>$\n"
                                "extra-re = ^%(__prefix)s probe from <HOST>$\n"
                                "mode = normal\n"
                                "failregex = <normal-re>\n"
                                "            <<mode>-only>\n"
                                "normal-only =\n"
                                "aggressive-only = <extra-re>\n");
  // (configparser strips the trailing space of "__prefix = …]: ", hence the space in the uses.)
  const FilterDefinition normal = load_filter(filter);
  ASSERT_EQ(normal.failregex.size(), 1U);
  EXPECT_EQ(normal.failregex[0], R"(^svc\[\d+\]: bad login from <HOST>$)");
  const FilterDefinition aggressive = load_filter(filter, {{"mode", "aggressive"}});
  ASSERT_EQ(aggressive.failregex.size(), 2U);
  EXPECT_EQ(aggressive.failregex[1], R"(^svc\[\d+\]: probe from <HOST>$)");
  EXPECT_EQ(normal.files_read.size(), 2U);  // common.local is optional
  EXPECT_THROW((void)load_filter(filter, {{"mode", "agressive"}}), FilterError);
}

TEST_F(DetectionFilterFile, LocalOverrideAndKnown) {
  write("svc.conf", "[Definition]\nfailregex = ^one <HOST>$\n");
  const fs::path filter = dir_ / "svc.conf";
  write("svc.local", "[Definition]\nfailregex = %(known/failregex)s\n            ^two <HOST>$\n");
  const FilterDefinition def = load_filter(filter);
  ASSERT_EQ(def.failregex.size(), 2U);
  EXPECT_EQ(def.failregex[0], "^one <HOST>$");
  EXPECT_EQ(def.failregex[1], "^two <HOST>$");
}

TEST_F(DetectionFilterFile, ClearErrors) {
  auto message = [&](const fs::path& p, const FilterOptions& o = {}) {
    try {
      (void)load_filter(p, o);
    } catch (const FilterError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(dir_ / "missing.conf").find("no such filter file"), std::string::npos);

  const fs::path missing_include =
      write("a.conf", "[INCLUDES]\nbefore = nothere.conf\n[Definition]\nfailregex = x <HOST>\n");
  const std::string m1 = message(missing_include);
  EXPECT_NE(m1.find("a.conf:2"), std::string::npos) << m1;
  EXPECT_NE(m1.find("'nothere.conf' not found"), std::string::npos) << m1;

  write("b.conf", "[INCLUDES]\nbefore = c.conf\n[Definition]\nfailregex = x <HOST>\n");
  write("c.conf", "[INCLUDES]\nbefore = b.conf\n");
  EXPECT_NE(message(dir_ / "b.conf").find("include cycle"), std::string::npos);

  const fs::path undefined = write("d.conf", "[Definition]\nfailregex = %(nope)s <HOST>\n");
  const std::string m2 = message(undefined);
  EXPECT_NE(m2.find("[Definition] failregex"), std::string::npos) << m2;
  EXPECT_NE(m2.find("'%(nope)s' refers to an option that is not defined"), std::string::npos) << m2;

  const fs::path ok = write("e.conf", "[Definition]\nfailregex = x <HOST>\n");
  EXPECT_NE(message(ok, {{"mdoe", "aggressive"}}).find("filter option 'mdoe'"), std::string::npos);

  const fs::path self = write("f.conf", "[Definition]\nfailregex = <failregex> <HOST>\n");
  EXPECT_NE(message(self).find("refers back to itself"), std::string::npos);

  const fs::path empty = write("g.conf", "[Definition]\nfailregex =\n");
  EXPECT_NE(message(empty).find("failregex: not defined or empty"), std::string::npos);
}

TEST(DetectionFilterOption, Parse) {
  EXPECT_EQ(parse_filter_option("mode=aggressive")->second, "aggressive");
  EXPECT_EQ(parse_filter_option("a=b=c")->second, "b=c");
  EXPECT_FALSE(parse_filter_option("mode"));
  EXPECT_FALSE(parse_filter_option("=x"));
}

}  // namespace
}  // namespace custos::detection
