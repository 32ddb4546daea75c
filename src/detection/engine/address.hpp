#pragma once
// IP addresses and CIDR ranges as jails need them: `ignoreip` entries, the address a failure
// is counted against, and the family that decides which nftables set a ban goes into.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are treated as the IPv4 address they carry,
// so a dual-stack listener cannot be used to slip past an IPv4 ignore or ban.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custos::detection {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // Parses a literal address (no brackets, no zone); nullopt when it is not one.
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  // The canonical text (inet_ntop): what bans store and nft is given.
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct CidrRange {
  IpAddress network;  // host bits cleared
  int prefix = 0;

  // "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128).
  [[nodiscard]] static std::optional<CidrRange> parse(std::string_view text);
  [[nodiscard]] bool contains(const IpAddress& address) const;
};

}  // namespace custos::detection
