#include "evidence/tar.hpp"

#include <cstring>

namespace custos::evidence::tar {

namespace {

// Field positions of the ustar header.
constexpr std::size_t kName = 0, kMode = 100, kUid = 108, kGid = 116, kSize = 124, kMtime = 136,
                      kChksum = 148, kTypeflag = 156, kMagic = 257, kVersion = 263;

void put_octal(std::string& h, std::size_t at, std::size_t width, std::uint64_t value) {
  // width - 1 digits and a NUL, zero-padded: the form every tar writes and reads.
  for (std::size_t i = width - 1; i-- > 0;) {
    h[at + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  h[at + width - 1] = '\0';
}

std::uint64_t checksum_of(std::string_view header) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    sum += (i >= kChksum && i < kChksum + 8) ? ' ' : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

std::string where(std::uint64_t offset) { return " (at byte " + std::to_string(offset) + ")"; }

// Exactly `width - 1` octal digits and a NUL (what file_header writes).
std::optional<std::uint64_t> parse_octal(std::string_view field) {
  if (field.empty() || field.back() != '\0') return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i + 1 < field.size(); ++i) {
    if (field[i] < '0' || field[i] > '7') return std::nullopt;
    value = (value << 3) | static_cast<std::uint64_t>(field[i] - '0');
  }
  return value;
}

bool all_zero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

}  // namespace

std::string file_header(std::string_view name, std::uint64_t size, std::int64_t mtime_seconds) {
  if (name.empty() || name.size() > 100 || name.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("tar entry names have 1 to 100 bytes");
  }
  if (size > 077777777777ULL) throw std::invalid_argument("tar entries hold less than 8 GiB");
  std::string h(kBlock, '\0');
  std::memcpy(h.data() + kName, name.data(), name.size());
  put_octal(h, kMode, 8, 0444);
  put_octal(h, kUid, 8, 0);
  put_octal(h, kGid, 8, 0);
  put_octal(h, kSize, 12, size);
  put_octal(h, kMtime, 12, static_cast<std::uint64_t>(mtime_seconds < 0 ? 0 : mtime_seconds));
  h[kTypeflag] = '0';
  std::memcpy(h.data() + kMagic, "ustar", 6);  // with its NUL
  std::memcpy(h.data() + kVersion, "00", 2);
  // Six octal digits, NUL, space: the traditional form.
  const auto sum = checksum_of(h);
  put_octal(h, kChksum, 7, sum);
  h[kChksum + 7] = ' ';
  return h;
}

std::string padding(std::uint64_t size) {
  return std::string(static_cast<std::size_t>((kBlock - size % kBlock) % kBlock), '\0');
}

std::string trailer(std::uint64_t archive_bytes) {
  const auto end = archive_bytes + 2 * kBlock;
  return std::string(static_cast<std::size_t>(2 * kBlock + (kRecord - end % kRecord) % kRecord),
                     '\0');
}

void Reader::read_exact(char* buffer, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const auto k = pull_(buffer + got, n - got);
    if (k == 0) {
      throw FormatError("the archive ends in the middle of a block" + where(offset_ + got));
    }
    got += k;
  }
  offset_ += n;
}

void Reader::finish_entry() {
  std::string skip;
  while (remaining_ > 0) {
    skip.clear();
    read(skip, 1 << 20);
  }
  if (pad_ > 0) {
    const auto at = offset_;
    std::string pad(static_cast<std::size_t>(pad_), '\0');
    read_exact(pad.data(), pad.size());
    if (!all_zero(pad)) throw FormatError("padding after an entry is not zeros" + where(at));
    pad_ = 0;
  }
  in_entry_ = false;
}

std::optional<Entry> Reader::next() {
  if (in_entry_) finish_entry();
  std::string h(kBlock, '\0');
  const auto at = offset_;
  read_exact(h.data(), kBlock);
  if (all_zero(h)) {
    // End of archive: a second zero block, then only zeros to the end of the file.
    read_exact(h.data(), kBlock);
    if (!all_zero(h)) throw FormatError("data after an end-of-archive block" + where(at + kBlock));
    char buffer[4096];
    while (true) {
      const auto n = pull_(buffer, sizeof buffer);
      if (n == 0) break;
      if (!all_zero({buffer, n})) {
        throw FormatError("data after the end of the archive" + where(offset_));
      }
      offset_ += n;
    }
    return std::nullopt;
  }
  const auto stored = parse_octal(std::string_view(h).substr(kChksum, 7));
  if (!stored || h[kChksum + 7] != ' ' || *stored != checksum_of(h)) {
    throw FormatError("a tar header's checksum does not match its content" + where(at));
  }
  if (std::string_view(h).substr(kMagic, 8) != std::string_view("ustar\0"
                                                                "00",
                                                                8)) {
    throw FormatError("not a ustar header" + where(at));
  }
  if (h[kTypeflag] != '0') throw FormatError("an entry is not a regular file" + where(at));
  const auto size = parse_octal(std::string_view(h).substr(kSize, 12));
  if (!size) throw FormatError("a tar header's size field is malformed" + where(at));
  const auto name_end = h.find('\0', kName);
  Entry e;
  e.name = h.substr(kName, std::min<std::size_t>(name_end, 100));
  e.size = *size;
  e.offset = at;
  if (e.name.empty()) throw FormatError("an entry has no name" + where(at));
  remaining_ = e.size;
  pad_ = (kBlock - e.size % kBlock) % kBlock;
  in_entry_ = true;
  return e;
}

bool Reader::read(std::string& out, std::size_t max) {
  if (remaining_ == 0) return false;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, max));
  const auto at = out.size();
  out.resize(at + n);
  read_exact(out.data() + at, n);
  remaining_ -= n;
  return remaining_ > 0;
}

}  // namespace custos::evidence::tar
