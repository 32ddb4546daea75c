#include "evidence/hashing.hpp"

#include <openssl/evp.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace custos::evidence {

namespace {

std::string to_hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(std::size_t{n} * 2, '\0');
  for (unsigned int i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0x0F];
  }
  return out;
}

const EVP_MD* md_for(std::string_view algorithm) {
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "sha512") return EVP_sha512();
  if (algorithm == "sha1") return EVP_sha1();
  if (algorithm == "md5") return EVP_md5();
  return nullptr;
}

// One running digest.
class Digest {
 public:
  explicit Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, md, nullptr) != 1) {
      EVP_MD_CTX_free(ctx_);
      throw std::runtime_error("cannot initialise an OpenSSL digest");
    }
  }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
      throw std::runtime_error("OpenSSL digest update failed");
    }
  }
  std::string finish_hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_, out, &n) != 1) throw std::runtime_error("OpenSSL digest failed");
    return to_hex(out, n);
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::size_t hex_length(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha512") return 128;
  if (algorithm == "sha1") return 40;
  if (algorithm == "md5") return 32;
  return 0;
}

std::optional<std::string> declared_hash_problem(std::string_view algorithm, std::string_view hex) {
  const auto length = hex_length(algorithm);
  if (length == 0) return "the algorithm must be one of sha256, sha512, sha1, md5";
  if (hex.size() != length) {
    return "a " + std::string(algorithm) + " digest has " + std::to_string(length) +
           " hexadecimal digits, this one has " + std::to_string(hex.size());
  }
  if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    return "must contain only hexadecimal digits";
  }
  return std::nullopt;
}

// SHA-256 (and the extra digest) on the caller's thread; SHA-512 on a helper thread that
// takes one chunk at a time: the caller hands the chunk over, hashes its own share, and waits
// for the helper before returning, so no chunk is ever copied.
struct ContentHasher::Impl {
  Digest sha256{EVP_sha256()};
  Digest sha512{EVP_sha512()};
  std::optional<Digest> extra;
  std::uint64_t size = 0;

  bool parallel = true;
  std::thread helper;
  std::mutex mutex;
  std::condition_variable cv;
  std::string_view pending;
  bool has_work = false;
  bool stop = false;
  std::exception_ptr helper_error;

  void run_helper() {
    std::unique_lock lock(mutex);
    while (true) {
      cv.wait(lock, [this] { return has_work || stop; });
      if (stop) return;
      const auto chunk = pending;
      lock.unlock();
      try {
        sha512.update(chunk);
      } catch (...) {
        helper_error = std::current_exception();
      }
      lock.lock();
      has_work = false;
      cv.notify_all();
    }
  }
};

ContentHasher::ContentHasher(std::string_view extra_algorithm, bool parallel)
    : impl_(std::make_unique<Impl>()) {
  if (extra_algorithm == "md5" || extra_algorithm == "sha1") {
    impl_->extra.emplace(md_for(extra_algorithm));
  }
  impl_->parallel = parallel;
  if (parallel) impl_->helper = std::thread([impl = impl_.get()] { impl->run_helper(); });
}

ContentHasher::~ContentHasher() {
  if (impl_->helper.joinable()) {
    {
      std::lock_guard lock(impl_->mutex);
      impl_->stop = true;
    }
    impl_->cv.notify_all();
    impl_->helper.join();
  }
}

void ContentHasher::update(std::string_view data) {
  if (data.empty()) return;
  impl_->size += data.size();
  // Small pieces are not worth two thread hand-overs.
  if (!impl_->parallel || data.size() < 64 * 1024) {
    impl_->sha512.update(data);
  } else {
    {
      std::lock_guard lock(impl_->mutex);
      impl_->pending = data;
      impl_->has_work = true;
    }
    impl_->cv.notify_all();
  }
  impl_->sha256.update(data);
  if (impl_->extra) impl_->extra->update(data);
  if (impl_->parallel) {
    std::unique_lock lock(impl_->mutex);
    impl_->cv.wait(lock, [this] { return !impl_->has_work; });
    if (impl_->helper_error) std::rethrow_exception(impl_->helper_error);
  }
}

Digests ContentHasher::finish() {
  Digests d;
  d.sha256 = impl_->sha256.finish_hex();
  d.sha512 = impl_->sha512.finish_hex();
  if (impl_->extra) d.extra = impl_->extra->finish_hex();
  d.size = impl_->size;
  return d;
}

Digests hash_all(std::string_view data, std::string_view extra_algorithm) {
  ContentHasher hasher(extra_algorithm, false);
  hasher.update(data);
  return hasher.finish();
}

}  // namespace custos::evidence
