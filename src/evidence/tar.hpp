#pragma once
// The smallest ustar (POSIX.1-1988) writer and a strict reader for evidence packages.
// The writer produces what every tar reads: regular files only, names of at most 100
// bytes, sizes in octal, two zero blocks at the end, the whole padded to 10 KiB records.
// The reader accepts only that and rejects anything else, so that a single changed byte
// anywhere in an archive is noticed: every header's checksum is checked, padding must be
// zeros, and nothing may follow the end of the archive.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace custos::evidence::tar {

inline constexpr std::size_t kBlock = 512;
inline constexpr std::size_t kRecord = 20 * kBlock;

// The 512-byte header of a regular file. Throws std::invalid_argument when the name does
// not fit (empty, over 100 bytes) or the size does not fit 11 octal digits (8 GiB - 1).
std::string file_header(std::string_view name, std::uint64_t size, std::int64_t mtime_seconds);
// Zeros that pad content of `size` bytes to whole blocks.
std::string padding(std::uint64_t size);
// The end of an archive of `archive_bytes` bytes so far: two zero blocks, then zeros up to a
// whole record.
std::string trailer(std::uint64_t archive_bytes);

// A defect found while reading; what() says what and where (byte offset).
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Entry {
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;  // of the header in the archive
};

// Reads an archive from a pull function (returns bytes read, 0 at the end).
class Reader {
 public:
  using Pull = std::function<std::size_t(char* buffer, std::size_t capacity)>;
  explicit Reader(Pull pull) : pull_(std::move(pull)) {}

  // The next entry, or nullopt at a valid end of archive (after checking that only zeros
  // follow). Any unread content of the previous entry is skipped (its padding still checked).
  std::optional<Entry> next();
  // Appends up to `max` bytes of the current entry's content to `out`; false once all read.
  bool read(std::string& out, std::size_t max);

 private:
  void read_exact(char* buffer, std::size_t n);
  void finish_entry();

  Pull pull_;
  std::uint64_t offset_ = 0;
  std::uint64_t remaining_ = 0;  // content bytes of the current entry not yet read
  std::uint64_t pad_ = 0;        // padding after it
  bool in_entry_ = false;
};

}  // namespace custos::evidence::tar
