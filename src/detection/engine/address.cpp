#include "detection/engine/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace custos::detection {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN + 1];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress out;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buffer, out.bytes.data()) != 1) return std::nullopt;
    return out;
  }
  if (inet_pton(AF_INET6, buffer, out.bytes.data()) != 1) return std::nullopt;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out.bytes.data(), kMapped, sizeof kMapped) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), out.bytes.data() + 12, 4);
    return v4;
  }
  out.v6 = true;
  return out;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer) == nullptr) return {};
  return buffer;
}

std::optional<CidrRange> CidrRange::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int bits = address->v6 ? 128 : 32;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 ||
        prefix > bits) {
      return std::nullopt;
    }
  }
  CidrRange range{*address, prefix};
  for (int bit = prefix; bit < bits; ++bit) {
    range.network.bytes[static_cast<std::size_t>(bit / 8)] &=
        static_cast<std::uint8_t>(~(0x80U >> (bit % 8)));
  }
  return range;
}

bool CidrRange::contains(const IpAddress& address) const {
  if (address.v6 != network.v6) return false;
  const int whole = prefix / 8;
  if (std::memcmp(address.bytes.data(), network.bytes.data(), static_cast<std::size_t>(whole)) != 0)
    return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF00U >> rest);
  return (address.bytes[static_cast<std::size_t>(whole)] & mask) ==
         network.bytes[static_cast<std::size_t>(whole)];
}

}  // namespace custos::detection
