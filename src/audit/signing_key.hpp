#pragma once
// The server's Ed25519 key for signing audit checkpoints. The secret key lives in a file only
// the server's user may read; the public key is written beside it (<file>.pub) so operators and
// `custos audit verify` can pin it.
#include <sodium.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace custos::audit {

class SigningKey {
 public:
  // Loads the key from `file`, or creates a new one there if the file does not exist.
  // A new file is created exclusively (O_CREAT|O_EXCL, so a file or symlink planted at the path
  // is never written through) with mode 0600 and holds the 64-byte libsodium secret key as hex
  // and a newline. An existing file is refused with std::runtime_error if group or others may
  // access it, if it is not a regular file, or if its content is not such a key (including one
  // whose public half does not belong to its seed). In both cases <file>.pub is (re)written,
  // mode 0644, when it is missing or does not hold this key's public key.
  [[nodiscard]] static SigningKey load_or_create(const std::filesystem::path& file);

  // A fresh key that exists only in memory (tests, tools).
  [[nodiscard]] static SigningKey generate();

  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;  // one copy of a secret is easier to wipe than many
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  [[nodiscard]] std::string public_key_hex() const;
  // Detached Ed25519 signature, 128 hex characters.
  [[nodiscard]] std::string sign_hex(std::string_view message) const;

 private:
  SigningKey() = default;

  unsigned char secret_key_[crypto_sign_SECRETKEYBYTES] = {};  // seed || public key
  unsigned char public_key_[crypto_sign_PUBLICKEYBYTES] = {};
};

// True only if both hex strings are well formed (any case) and `signature_hex` is a valid
// Ed25519 signature of `message` by `public_key_hex`. Never throws.
[[nodiscard]] bool verify_signature_hex(std::string_view public_key_hex, std::string_view message,
                                        std::string_view signature_hex);

}  // namespace custos::audit
