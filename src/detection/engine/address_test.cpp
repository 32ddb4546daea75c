#include "detection/engine/address.hpp"

#include <gtest/gtest.h>

namespace custos::detection {
namespace {

TEST(IpAddress, ParsesBothFamiliesAndUnwrapsMappedIpv4) {
  EXPECT_EQ(IpAddress::parse("192.0.2.7")->to_string(), "192.0.2.7");
  EXPECT_FALSE(IpAddress::parse("192.0.2.7")->v6);
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->to_string(), "2001:db8::1");
  EXPECT_TRUE(IpAddress::parse("2001:db8::1")->v6);
  const auto mapped = IpAddress::parse("::ffff:192.0.2.7");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(mapped->to_string(), "192.0.2.7");
  EXPECT_FALSE(IpAddress::parse("host.example"));
  EXPECT_FALSE(IpAddress::parse("1.2.3"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("1.2.3.4; rm -rf /"));
}

TEST(CidrRange, ContainsAddressesInsideOnly) {
  const auto net = CidrRange::parse("10.1.2.3/8");
  ASSERT_TRUE(net);
  EXPECT_EQ(net->network.to_string(), "10.0.0.0");
  EXPECT_TRUE(net->contains(*IpAddress::parse("10.255.0.1")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("::a00:1")));

  const auto odd = CidrRange::parse("192.168.0.0/23");
  EXPECT_TRUE(odd->contains(*IpAddress::parse("192.168.1.200")));
  EXPECT_FALSE(odd->contains(*IpAddress::parse("192.168.2.1")));

  const auto v6 = CidrRange::parse("2001:db8::/32");
  EXPECT_TRUE(v6->contains(*IpAddress::parse("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("2001:db9::1")));

  const auto single = CidrRange::parse("::1");
  EXPECT_EQ(single->prefix, 128);
  EXPECT_TRUE(single->contains(*IpAddress::parse("::1")));
  EXPECT_FALSE(single->contains(*IpAddress::parse("::2")));
  EXPECT_TRUE(CidrRange::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
}

TEST(CidrRange, RejectsMalformedRanges) {
  EXPECT_FALSE(CidrRange::parse("10.0.0.0/33"));
  EXPECT_FALSE(CidrRange::parse("10.0.0.0/"));
  EXPECT_FALSE(CidrRange::parse("10.0.0.0/8x"));
  EXPECT_FALSE(CidrRange::parse("2001:db8::/129"));
  EXPECT_FALSE(CidrRange::parse("localhost"));
}

}  // namespace
}  // namespace custos::detection
