#include "incidents/blob_store.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "util/crypto.hpp"

namespace custos::incidents {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

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

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the blob is in place; only the durability of its name is at stake
  ::fsync(fd);
  ::close(fd);
}

// Moves `from` to `to` unless `to` exists. Returns false when it did exist.
bool move_without_replacing(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS) fail("cannot move blob into place at", to);
  // File systems without RENAME_NOREPLACE: a hard link also refuses to replace.
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return false;
    fail("cannot link blob into place at", to);
  }
  ::unlink(from.c_str());
  return true;
}

}  // namespace

std::filesystem::path BlobStore::path_for(std::string_view hex) const {
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    throw std::invalid_argument("not a SHA-256 hex digest");
  }
  return root_ / std::string(hex.substr(0, 2)) / std::string(hex.substr(2));
}

std::string BlobStore::put(std::string_view bytes) const {
  std::string hex = util::sha256_hex(bytes);
  const auto path = path_for(hex);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return hex;  // write-once: the same bytes are there
  const auto dir = path.parent_path();
  std::filesystem::create_directories(dir);
  const auto tmp = dir / (".tmp-" + util::random_token(12));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp);
  try {
    write_all(fd, bytes, tmp);
    if (::fsync(fd) != 0) fail("cannot flush", tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  bool moved = false;
  try {
    moved = move_without_replacing(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (!moved) ::unlink(tmp.c_str());  // a concurrent upload of the same bytes won
  sync_directory(dir);
  return hex;
}

std::optional<std::string> BlobStore::get(std::string_view hex) const {
  const auto path = path_for(hex);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read blob " + path.string());
  if (util::sha256_hex(bytes) != hex) {
    throw std::runtime_error("blob " + path.string() + " does not match its digest (corrupted)");
  }
  return bytes;
}

}  // namespace custos::incidents
