#include "audit/signing_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "util/crypto.hpp"

namespace custos::audit {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Runs `f` and returns the message of the std::runtime_error it throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

class SigningKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custos-signing-key-test-" + util::random_token(9));
    fs::create_directories(dir_);
    file_ = dir_ / "audit.key";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path file_;
};

TEST_F(SigningKeyFile, CreatesKeyAndPublicKeyFilesWithTheRightModes) {
  // Whatever the umask, the secret is 0600 and the public key 0644.
  for (const mode_t umask_value : {mode_t{0}, mode_t{022}, mode_t{077}}) {
    SCOPED_TRACE(umask_value);
    fs::remove(file_);
    fs::remove(file_.string() + ".pub");
    const mode_t old = ::umask(umask_value);
    const SigningKey key = SigningKey::load_or_create(file_);
    ::umask(old);

    EXPECT_EQ(mode_of(file_), 0600u);
    const std::string content = read_file(file_);
    ASSERT_EQ(content.size(), 129u);
    EXPECT_EQ(content.back(), '\n');
    EXPECT_EQ(content.find_first_not_of("0123456789abcdef"), 128u);
    // libsodium's secret key ends with the public key.
    EXPECT_EQ(content.substr(64, 64), key.public_key_hex());

    const fs::path pub = file_.string() + ".pub";
    EXPECT_EQ(mode_of(pub), 0644u);
    EXPECT_EQ(read_file(pub), key.public_key_hex() + "\n");
  }
}

TEST_F(SigningKeyFile, LoadsTheSameKeyAgain) {
  const SigningKey created = SigningKey::load_or_create(file_);
  const SigningKey loaded = SigningKey::load_or_create(file_);
  EXPECT_EQ(loaded.public_key_hex(), created.public_key_hex());
  const std::string signature = loaded.sign_hex("checkpoint");
  EXPECT_TRUE(verify_signature_hex(created.public_key_hex(), "checkpoint", signature));
  // Ed25519 is deterministic: the same key signs the same message identically.
  EXPECT_EQ(created.sign_hex("checkpoint"), signature);
}

TEST_F(SigningKeyFile, RestoresAMissingOrAlteredPublicKeyFile) {
  const SigningKey key = SigningKey::load_or_create(file_);
  const fs::path pub = file_.string() + ".pub";
  fs::remove(pub);
  (void)SigningKey::load_or_create(file_);
  EXPECT_EQ(read_file(pub), key.public_key_hex() + "\n");
  write_file(pub, std::string(64, 'a') + "\n", 0600);
  (void)SigningKey::load_or_create(file_);
  EXPECT_EQ(read_file(pub), key.public_key_hex() + "\n");
  EXPECT_EQ(mode_of(pub), 0644u);
}

TEST_F(SigningKeyFile, RefusesAKeyThatGroupOrOthersMayAccess) {
  (void)SigningKey::load_or_create(file_);
  for (const mode_t mode : {0640, 0604, 0660, 0644, 0602, 0610, 0601, 0666}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(file_.c_str(), mode), 0);
    const std::string error = error_of([&] { (void)SigningKey::load_or_create(file_); });
    EXPECT_NE(error.find("refusing"), std::string::npos) << error;
    EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
    EXPECT_NE(error.find(file_.string()), std::string::npos) << error;
  }
  // Owner-only modes are fine.
  for (const mode_t mode : {0600, 0400, 0700}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(file_.c_str(), mode), 0);
    EXPECT_NO_THROW((void)SigningKey::load_or_create(file_));
  }
}

TEST_F(SigningKeyFile, RefusesMalformedContent) {
  const SigningKey a = SigningKey::generate();
  const SigningKey b = SigningKey::generate();
  // Seed of one key with the public half of another.
  const fs::path valid = dir_ / "valid.key";
  (void)SigningKey::load_or_create(valid);
  const std::string good = read_file(valid);
  const std::string mismatched = good.substr(0, 64) + b.public_key_hex() + "\n";

  const std::string cases[] = {
      "",
      "\n",
      good.substr(0, 128),           // accepted: the newline is optional...
      good.substr(0, 127) + "\n",    // ...but not a missing digit
      good.substr(0, 126) + "zz\n",  // non-hex
      good + good,                   // two keys
      good.substr(0, 128) + " \n",   // trailing space
      " " + good,                    // leading space
      mismatched,
      std::string(10000, 'a'),
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    write_file(file_, cases[i], 0600);
    const std::string error = error_of([&] { (void)SigningKey::load_or_create(file_); });
    if (i == 2) {
      EXPECT_EQ(error, "");
      continue;
    }
    EXPECT_NE(error.find("malformed"), std::string::npos) << error;
  }
  (void)a;
}

TEST_F(SigningKeyFile, RefusesADirectoryAndAMissingParent) {
  fs::create_directory(file_);
  EXPECT_NE(error_of([&] { (void)SigningKey::load_or_create(file_); }).find("not a regular file"),
            std::string::npos);
  const std::string error =
      error_of([&] { (void)SigningKey::load_or_create(dir_ / "missing" / "audit.key"); });
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
}

TEST_F(SigningKeyFile, NeverWritesThroughAPlantedSymlink) {
  const fs::path target = dir_ / "elsewhere.key";
  fs::create_symlink(target, file_);
  EXPECT_THROW((void)SigningKey::load_or_create(file_), std::runtime_error);
  EXPECT_FALSE(fs::exists(target));
}

TEST(Signatures, SignAndVerify) {
  const SigningKey key = SigningKey::generate();
  const std::string pk = key.public_key_hex();
  ASSERT_EQ(pk.size(), 64u);
  const std::string sig = key.sign_hex("custos-audit-checkpoint\n1\nabc\n2");
  ASSERT_EQ(sig.size(), 128u);
  EXPECT_TRUE(verify_signature_hex(pk, "custos-audit-checkpoint\n1\nabc\n2", sig));
  EXPECT_FALSE(verify_signature_hex(pk, "custos-audit-checkpoint\n1\nabc\n3", sig));
  EXPECT_FALSE(verify_signature_hex(pk, "", sig));

  std::string flipped = sig;
  flipped[5] = flipped[5] == 'f' ? 'e' : 'f';
  EXPECT_FALSE(verify_signature_hex(pk, "custos-audit-checkpoint\n1\nabc\n2", flipped));
  EXPECT_FALSE(verify_signature_hex(SigningKey::generate().public_key_hex(),
                                    "custos-audit-checkpoint\n1\nabc\n2", sig));

  // Hex of either case is accepted.
  std::string upper = sig;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify_signature_hex(pk, "custos-audit-checkpoint\n1\nabc\n2", upper));

  // Empty messages work too.
  EXPECT_TRUE(verify_signature_hex(pk, "", key.sign_hex("")));
}

TEST(Signatures, MalformedInputIsRejectedNotThrown) {
  const SigningKey key = SigningKey::generate();
  const std::string pk = key.public_key_hex();
  const std::string sig = key.sign_hex("m");
  EXPECT_FALSE(verify_signature_hex("", "m", sig));
  EXPECT_FALSE(verify_signature_hex(pk, "m", ""));
  EXPECT_FALSE(verify_signature_hex(pk.substr(2), "m", sig));
  EXPECT_FALSE(verify_signature_hex(pk + "00", "m", sig));
  EXPECT_FALSE(verify_signature_hex(pk, "m", sig.substr(0, 126)));
  EXPECT_FALSE(verify_signature_hex(pk, "m", sig + "00"));
  EXPECT_FALSE(verify_signature_hex(std::string(64, 'g'), "m", sig));
  EXPECT_FALSE(verify_signature_hex(pk, "m", std::string(128, 'z')));
  EXPECT_FALSE(verify_signature_hex(std::string(64, '0'), "m", std::string(128, '0')));
}

TEST(Signatures, MovedKeysKeepSigning) {
  SigningKey original = SigningKey::generate();
  const std::string pk = original.public_key_hex();
  SigningKey moved = std::move(original);
  EXPECT_EQ(moved.public_key_hex(), pk);
  EXPECT_TRUE(verify_signature_hex(pk, "x", moved.sign_hex("x")));
  SigningKey assigned = SigningKey::generate();
  assigned = std::move(moved);
  EXPECT_TRUE(verify_signature_hex(pk, "x", assigned.sign_hex("x")));
}

}  // namespace
}  // namespace custos::audit
