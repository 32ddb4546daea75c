#include "audit/signing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace custos::audit {
namespace {

// A key file is 128 hex characters and a newline; anything much larger is not a key file and
// is not worth reading.
constexpr std::size_t kMaxKeyFileSize = 4096;

std::string errno_text(int error) { return std::strerror(error); }

// string_view{} has a null data(); libsodium wants a valid pointer even for length 0.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// Closes the descriptor on every path out of the functions below.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  // close() can report a failed write-back; callers that wrote data check it.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view data, const std::filesystem::path& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write " + file.string() + ": " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sync_and_close(Fd& fd, const std::filesystem::path& file) {
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    throw std::runtime_error("cannot write " + file.string() + ": " + errno_text(errno));
  }
}

std::filesystem::path public_key_path(const std::filesystem::path& file) {
  return std::filesystem::path(file.string() + ".pub");
}

// Reads the whole public key file if it is small; std::nullopt if it is missing or unreadable.
std::optional<std::string> read_small_file(const std::filesystem::path& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  std::string content(kMaxKeyFileSize + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  content.resize(size);
  return content;
}

void write_public_key_file(const std::filesystem::path& file, const std::string& public_key_hex) {
  const std::filesystem::path pub = public_key_path(file);
  const std::string content = public_key_hex + "\n";
  if (read_small_file(pub) == content) return;
  // Write a temporary file and rename it over the old one so a reader never sees half a key.
  const std::filesystem::path tmp(pub.string() + ".tmp");
  ::unlink(tmp.c_str());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    throw std::runtime_error("cannot create " + tmp.string() + ": " + errno_text(errno));
  }
  // The mode given to open() is reduced by the umask; the public key is meant to be readable.
  if (::fchmod(fd.get(), 0644) != 0) {
    throw std::runtime_error("cannot set the mode of " + tmp.string() + ": " + errno_text(errno));
  }
  write_all(fd.get(), content, tmp);
  sync_and_close(fd, tmp);
  if (::rename(tmp.c_str(), pub.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + pub.string() + ": " + errno_text(error));
  }
}

}  // namespace

SigningKey SigningKey::generate() {
  util::ensure_sodium();
  SigningKey key;
  crypto_sign_keypair(key.public_key_, key.secret_key_);
  return key;
}

SigningKey SigningKey::load_or_create(const std::filesystem::path& file) {
  util::ensure_sodium();
  const std::string name = file.string();

  // Try to create first: O_EXCL makes "missing" and "create" one atomic step, so two processes
  // starting at once cannot both create a key, and a planted symlink is never followed.
  {
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() >= 0) {
      SigningKey key = generate();
      // sodium_bin2hex runs in constant time and writes into our own buffer, which is wiped;
      // no copy of the secret is left behind in freed heap memory.
      char content[2 * crypto_sign_SECRETKEYBYTES + 2];
      sodium_bin2hex(content, sizeof content - 1, key.secret_key_, sizeof key.secret_key_);
      content[2 * crypto_sign_SECRETKEYBYTES] = '\n';
      content[2 * crypto_sign_SECRETKEYBYTES + 1] = '\0';
      try {
        // A restrictive umask could have removed the owner's own bits; make the mode exact.
        if (::fchmod(fd.get(), 0600) != 0) {
          throw std::runtime_error("cannot set the mode of " + name + ": " + errno_text(errno));
        }
        write_all(fd.get(), std::string_view(content, sizeof content - 1), file);
        sync_and_close(fd, file);
        sodium_memzero(content, sizeof content);
      } catch (...) {
        sodium_memzero(content, sizeof content);
        // Leave no half-written key behind: the next start would refuse it as malformed.
        ::unlink(file.c_str());
        throw;
      }
      write_public_key_file(file, key.public_key_hex());
      return key;
    }
    if (errno != EEXIST) {
      throw std::runtime_error("cannot create the audit signing key " + name + ": " +
                               errno_text(errno));
    }
  }

  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    throw std::runtime_error("cannot open the audit signing key " + name + ": " +
                             errno_text(errno));
  }
  // fstat on the open descriptor: the checked file is the one we read, even if the path is
  // swapped in between.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw std::runtime_error("cannot stat the audit signing key " + name + ": " +
                             errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw std::runtime_error("the audit signing key " + name + " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error("refusing to use the audit signing key " + name + ": its mode " +
                             mode + " lets group or others access it (run chmod 600 " + name +
                             ", and replace the key if others may have read it)");
  }

  std::string content(kMaxKeyFileSize + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sodium_memzero(content.data(), content.size());
      throw std::runtime_error("cannot read the audit signing key " + name + ": " +
                               errno_text(errno));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  std::string_view text(content.data(), size);
  if (text.size() >= 1 && text.back() == '\n') text.remove_suffix(1);
  if (text.size() >= 1 && text.back() == '\r') text.remove_suffix(1);

  // Constant-time hex decoding (sodium_hex2bin) into a buffer we wipe, for the same reasons.
  unsigned char raw[crypto_sign_SECRETKEYBYTES];
  std::size_t raw_size = 0;
  const char* hex_end = nullptr;
  const bool decoded = text.size() == 2 * crypto_sign_SECRETKEYBYTES &&
                       sodium_hex2bin(raw, sizeof raw, text.data(), text.size(), nullptr, &raw_size,
                                      &hex_end) == 0 &&
                       raw_size == sizeof raw && hex_end == text.data() + text.size();
  sodium_memzero(content.data(), content.size());
  if (!decoded) {
    sodium_memzero(raw, sizeof raw);
    throw std::runtime_error("the audit signing key " + name + " is malformed: expected " +
                             std::to_string(2 * crypto_sign_SECRETKEYBYTES) +
                             " hex characters and a newline");
  }

  // A libsodium secret key is seed || public key. Re-deriving both from the seed catches a file
  // whose halves do not belong together, which would sign with one key and advertise another.
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key_, key.secret_key_, raw);
  const bool consistent = sodium_memcmp(key.secret_key_, raw, sizeof raw) == 0;
  sodium_memzero(raw, sizeof raw);
  if (!consistent) {
    throw std::runtime_error("the audit signing key " + name +
                             " is malformed: its public half does not match its secret seed");
  }
  write_public_key_file(file, key.public_key_hex());
  return key;
}

SigningKey::SigningKey(SigningKey&& other) noexcept {
  std::memcpy(secret_key_, other.secret_key_, sizeof secret_key_);
  std::memcpy(public_key_, other.public_key_, sizeof public_key_);
  sodium_memzero(other.secret_key_, sizeof other.secret_key_);
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    std::memcpy(secret_key_, other.secret_key_, sizeof secret_key_);
    std::memcpy(public_key_, other.public_key_, sizeof public_key_);
    sodium_memzero(other.secret_key_, sizeof other.secret_key_);
  }
  return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_key_, sizeof secret_key_); }

std::string SigningKey::public_key_hex() const {
  return util::hex_encode(
      std::string_view(reinterpret_cast<const char*>(public_key_), sizeof public_key_));
}

std::string SigningKey::sign_hex(std::string_view message) const {
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, bytes_of(message), message.size(), secret_key_);
  return util::hex_encode(
      std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
}

bool verify_signature_hex(std::string_view public_key_hex, std::string_view message,
                          std::string_view signature_hex) {
  if (public_key_hex.size() != 2 * crypto_sign_PUBLICKEYBYTES ||
      signature_hex.size() != 2 * crypto_sign_BYTES) {
    return false;
  }
  const auto public_key = util::hex_decode(public_key_hex);
  const auto signature = util::hex_decode(signature_hex);
  if (!public_key || !signature) return false;
  try {
    util::ensure_sodium();
  } catch (const std::exception&) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature->data()), bytes_of(message),
             message.size(), reinterpret_cast<const unsigned char*>(public_key->data())) == 0;
}

}  // namespace custos::audit
