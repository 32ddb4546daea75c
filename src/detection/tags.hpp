#pragma once
// fail2ban's regex tags. <HOST> (address or host name), <ADDR>, <IP4>, <IP6>, <DNS>, <CIDR>,
// <SUBNET>, <F-ID/>, <F-PORT/>, <SKIPLINES>, and <F-NAME>…</F-NAME>, which captures into a named
// group (`user`, `id` → `fid`, `port` → `fport`, and fail2ban's own `mlfid`, `nofail`,
// `mlfforget`, `mlfgained`, `content`). Anything else in angle brackets is left as it is.
#include <string>
#include <string_view>

namespace custos::detection {

// Expands the tags of one fail2ban regex (still Python syntax afterwards). `use_dns` is false
// for `usedns = no`, where <HOST> matches addresses only.
[[nodiscard]] std::string expand_tags(std::string_view regex, bool use_dns);

}  // namespace custos::detection
