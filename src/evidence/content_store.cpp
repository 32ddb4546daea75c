#include "evidence/content_store.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "util/crypto.hpp"

namespace custos::evidence {

namespace {

constexpr std::string_view kMagic{"CUSTOS-EVD-SS1\n\0", 16};
constexpr std::size_t kPlainChunk = 64 * 1024;
constexpr std::size_t kCipherChunk = kPlainChunk + crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t kReadChunk = 1024 * 1024;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

// An open file descriptor that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::size_t read_some(int fd, char* buffer, std::size_t capacity, const std::string& what) {
  while (true) {
    const auto n = ::read(fd, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR)
      throw std::runtime_error("cannot read " + what + ": " + std::strerror(errno));
  }
}

// Fills `buffer` completely unless the file ends first.
std::size_t read_full(int fd, char* buffer, std::size_t capacity, const std::string& what) {
  std::size_t total = 0;
  while (total < capacity) {
    const auto n = read_some(fd, buffer + total, capacity - total, what);
    if (n == 0) break;
    total += n;
  }
  return total;
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool move_without_replacing(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS) fail("cannot move evidence into place at", to);
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return false;
    fail("cannot link evidence into place at", to);
  }
  ::unlink(from.c_str());
  return true;
}

// Writes through a 1 MiB buffer, encrypting on the way when a key is given.
class Sink {
 public:
  Sink(int fd, std::filesystem::path path, const ContentKey* key)
      : fd_(fd), path_(std::move(path)), key_(key) {
    out_.reserve(kReadChunk + kCipherChunk);
    if (key_ != nullptr) {
      unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
      crypto_secretstream_xchacha20poly1305_init_push(&state_, header, key_->bytes());
      out_.append(kMagic);
      out_.append(reinterpret_cast<const char*>(header), sizeof header);
      plain_.reserve(kPlainChunk);
    }
  }

  void write(std::string_view data) {
    if (key_ == nullptr) {
      out_.append(data);
    } else {
      while (!data.empty()) {
        if (plain_.size() == kPlainChunk) push(0);
        const auto take = std::min(data.size(), kPlainChunk - plain_.size());
        plain_.append(data.substr(0, take));
        data.remove_prefix(take);
      }
    }
    if (out_.size() >= kReadChunk) flush();
  }

  void finish() {
    if (key_ != nullptr) push(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    flush();
  }

 private:
  void push(unsigned char tag) {
    const auto at = out_.size();
    out_.resize(at + plain_.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
    unsigned long long written = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state_, reinterpret_cast<unsigned char*>(out_.data() + at), &written,
        reinterpret_cast<const unsigned char*>(plain_.data()), plain_.size(), nullptr, 0, tag);
    out_.resize(at + written);
    plain_.clear();
  }
  void flush() {
    write_all(fd_, out_, path_);
    out_.clear();
  }

  int fd_;
  std::filesystem::path path_;
  const ContentKey* key_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string plain_;
  std::string out_;
};

class PlainReader final : public ContentReader {
 public:
  PlainReader(int fd, std::uint64_t size, std::string name)
      : fd_(fd), size_(size), name_(std::move(name)) {}
  bool read(std::string& out) override {
    const auto at = out.size();
    out.resize(at + kPlainChunk);
    const auto n = read_full(fd_.get(), out.data() + at, kPlainChunk, name_);
    out.resize(at + n);
    done_ += n;
    if (n == 0 && done_ != size_) throw std::runtime_error(name_ + " became shorter while read");
    return n == kPlainChunk;
  }
  [[nodiscard]] std::uint64_t size() const override { return size_; }

 private:
  Fd fd_;
  std::uint64_t size_;
  std::uint64_t done_ = 0;
  std::string name_;
};

class DecryptingReader final : public ContentReader {
 public:
  DecryptingReader(int fd, std::uint64_t file_size, const ContentKey& key, std::string name)
      : fd_(fd), name_(std::move(name)) {
    const auto overhead = kMagic.size() + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    if (file_size < overhead + crypto_secretstream_xchacha20poly1305_ABYTES) damaged("too short");
    const auto body = file_size - overhead;
    const auto chunks = (body + kCipherChunk - 1) / kCipherChunk;
    size_ = body - chunks * crypto_secretstream_xchacha20poly1305_ABYTES;
    char head[kMagic.size() + crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (read_full(fd_.get(), head, sizeof head, name_) != sizeof head ||
        std::string_view(head, kMagic.size()) != kMagic) {
      damaged("not an encrypted evidence file");
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            &state_, reinterpret_cast<const unsigned char*>(head + kMagic.size()), key.bytes()) !=
        0) {
      damaged("bad stream header");
    }
    cipher_.resize(kCipherChunk);
  }
  bool read(std::string& out) override {
    if (finished_) return false;
    const auto n = read_full(fd_.get(), cipher_.data(), kCipherChunk, name_);
    if (n < crypto_secretstream_xchacha20poly1305_ABYTES) damaged("truncated");
    const auto at = out.size();
    out.resize(at + n);
    unsigned long long plain = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &state_, reinterpret_cast<unsigned char*>(out.data() + at), &plain, &tag,
            reinterpret_cast<const unsigned char*>(cipher_.data()), n, nullptr, 0) != 0) {
      damaged("a chunk fails authentication");
    }
    out.resize(at + plain);
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      char extra = 0;
      if (read_some(fd_.get(), &extra, 1, name_) != 0) damaged("data after the final chunk");
      finished_ = true;
      return false;
    }
    if (n < kCipherChunk) damaged("truncated (no final chunk)");
    return true;
  }
  [[nodiscard]] std::uint64_t size() const override { return size_; }

 private:
  [[noreturn]] void damaged(const std::string& why) const {
    throw std::runtime_error("encrypted evidence file " + name_ + " is damaged: " + why);
  }
  Fd fd_;
  std::string name_;
  std::uint64_t size_ = 0;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string cipher_;
  bool finished_ = false;
};

}  // namespace

ContentKey::~ContentKey() { sodium_memzero(key_, sizeof key_); }

ContentKey::ContentKey(ContentKey&& other) noexcept {
  std::memcpy(key_, other.key_, sizeof key_);
  sodium_memzero(other.key_, sizeof other.key_);
}

ContentKey ContentKey::generate() {
  util::ensure_sodium();
  ContentKey k;
  crypto_secretstream_xchacha20poly1305_keygen(k.key_);
  return k;
}

ContentKey ContentKey::load_or_create(const std::filesystem::path& file) {
  util::ensure_sodium();
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    ContentKey k = generate();
    fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail("cannot create the evidence key", file);
    Fd guard(fd);
    char hex[sizeof k.key_ * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, k.key_, sizeof k.key_);
    std::string text(hex);
    text.push_back('\n');
    write_all(fd, text, file);
    if (::fsync(fd) != 0) fail("cannot flush", file);
    return k;
  }
  if (fd < 0) fail("cannot open the evidence key", file);
  Fd guard(fd);
  ContentKey k;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw std::runtime_error("the evidence key " + file.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    throw std::runtime_error("the evidence key " + file.string() +
                             " may be read by group or others; chmod 600 it");
  }
  char text[130] = {};
  const auto n = read_full(fd, text, sizeof text - 1, file.string());
  std::string_view hex(text, n);
  if (!hex.empty() && hex.back() == '\n') hex.remove_suffix(1);
  std::size_t decoded = 0;
  if (hex.size() != sizeof k.key_ * 2 ||
      sodium_hex2bin(k.key_, sizeof k.key_, hex.data(), hex.size(), nullptr, &decoded, nullptr) !=
          0 ||
      decoded != sizeof k.key_) {
    throw std::runtime_error("the evidence key " + file.string() +
                             " does not hold 64 hexadecimal digits");
  }
  return k;
}

std::filesystem::path ContentStore::path_for(std::string_view hex, bool encrypted) const {
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    throw std::invalid_argument("not a SHA-256 hex digest");
  }
  return root_ / std::string(hex.substr(0, 2)) /
         (std::string(hex.substr(2)) + (encrypted ? ".enc" : ""));
}

StoredContent ContentStore::put(const Source& source, std::string_view extra_algorithm,
                                std::uint64_t max_bytes) const {
  const auto incoming = root_ / ".incoming";
  std::filesystem::create_directories(incoming);
  const auto tmp = incoming / ("upload-" + util::random_token(12));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) fail("cannot create", tmp);
  StoredContent stored;
  stored.encrypted = encrypt_new_;
  try {
    ContentHasher hasher(extra_algorithm);
    Sink sink(fd.get(), tmp, encrypt_new_ ? key_.get() : nullptr);
    std::vector<char> buffer(kReadChunk);
    std::uint64_t total = 0;
    while (true) {
      const auto n = source(buffer.data(), buffer.size());
      if (n == 0) break;
      total += n;
      if (total > max_bytes) {
        throw std::length_error("the content exceeds " + std::to_string(max_bytes) + " bytes");
      }
      const std::string_view chunk(buffer.data(), n);
      hasher.update(chunk);
      sink.write(chunk);
    }
    sink.finish();
    if (::fsync(fd.get()) != 0) fail("cannot flush", tmp);
    stored.digests = hasher.finish();
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd.release());
  const auto path = path_for(stored.digests.sha256, stored.encrypted);
  try {
    std::filesystem::create_directories(path.parent_path());
    stored.reused = !move_without_replacing(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (stored.reused) {
    ::unlink(tmp.c_str());  // the same content is already stored: write-once, keep the first
  } else {
    ::chmod(path.c_str(), 0400);  // a reminder to people with shell access: never edited
    sync_directory(path.parent_path());
  }
  return stored;
}

StoredContent ContentStore::put_bytes(std::string_view bytes) const {
  return put([&bytes](char* buffer, std::size_t capacity) {
    const auto n = std::min(capacity, bytes.size());
    std::memcpy(buffer, bytes.data(), n);
    bytes.remove_prefix(n);
    return n;
  });
}

StoredContent ContentStore::adopt(const std::filesystem::path& file,
                                  std::string_view extra_algorithm, std::uint64_t max_bytes) const {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", file);
  const auto copy = [&] {
    return put(
        [&fd, &file](char* buffer, std::size_t capacity) {
          return read_some(fd.get(), buffer, capacity, file.string());
        },
        extra_algorithm, max_bytes);
  };
  if (encrypt_new_) return copy();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("cannot stat", file);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    throw std::length_error("the content exceeds " + std::to_string(max_bytes) + " bytes");
  }
  std::filesystem::create_directories(root_);
  struct stat root_st {};
  if (::stat(root_.c_str(), &root_st) != 0 || root_st.st_dev != st.st_dev) return copy();

  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  StoredContent stored;
  ContentHasher hasher(extra_algorithm);
  std::vector<char> buffer(kReadChunk);
  while (true) {
    const auto n = read_full(fd.get(), buffer.data(), buffer.size(), file.string());
    if (n == 0) break;
    hasher.update({buffer.data(), n});
  }
  stored.digests = hasher.finish();
  // The spool file may not be on disk yet: flush it before it becomes evidence.
  const int wfd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (wfd < 0 || ::fsync(wfd) != 0) {
    if (wfd >= 0) ::close(wfd);
    fail("cannot flush", file);
  }
  ::close(wfd);
  const auto path = path_for(stored.digests.sha256, false);
  std::filesystem::create_directories(path.parent_path());
  stored.reused = !move_without_replacing(file, path);
  if (!stored.reused) {
    ::chmod(path.c_str(), 0400);
    sync_directory(path.parent_path());
  }
  return stored;
}

std::unique_ptr<ContentReader> ContentStore::open(std::string_view hex, bool encrypted) const {
  const auto path = path_for(hex, encrypted);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return nullptr;
    fail("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    fail("cannot stat", path);
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (!encrypted) {
    return std::make_unique<PlainReader>(fd, static_cast<std::uint64_t>(st.st_size), path.string());
  }
  if (!key_) {
    ::close(fd);
    throw std::runtime_error("evidence " + std::string(hex) +
                             " is encrypted at rest but no evidence key is configured");
  }
  return std::make_unique<DecryptingReader>(fd, static_cast<std::uint64_t>(st.st_size), *key_,
                                            path.string());
}

bool ContentStore::remove(std::string_view hex, bool encrypted) const {
  const auto path = path_for(hex, encrypted);
  std::error_code ec;
  return std::filesystem::remove(path, ec);
}

}  // namespace custos::evidence
