#pragma once
// Turns a syslog message (RFC 3164 or RFC 5424, as received over UDP or TCP) into the line a
// fail2ban filter expects from a log file: "Nov 23 04:00:00 host sshd[123]: message" for
// RFC 3164 (the priority is dropped; the filter's date detector reads the date), and
// "host sshd[123]: message" plus the timestamp for RFC 5424 (whose structured data is dropped:
// filters are written for the message text).
#include <optional>
#include <string>
#include <string_view>

namespace custos::detection {

struct SyslogLine {
  std::string text;
  std::optional<double> time;  // epoch seconds, RFC 5424 only
};

// False when nothing is left to match (an empty message). Never throws; any bytes are accepted.
bool parse_syslog(std::string_view message, SyslogLine& out);

}  // namespace custos::detection
