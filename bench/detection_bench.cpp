// Live detection speed goals (issue 6):
//  - 1,000,000 distinct attacking addresses tracked by a jail in < 300 MB;
//  - from the line that reaches maxretry to the ban action started: < 10 ms (through the real
//    pipeline: filter, jail, ban queue, ban worker with its database read, action);
//  - UDP syslog ingestion: events/s with a sender as fast as it can go, and loss at a paced
//    100,000 events/s (sender and server share this machine's cores).
// Needs Debian's fail2ban filters (CUSTOS_FAIL2BAN_FILTERS, default /etc/fail2ban/filter.d).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/metrics.hpp"
#include "audit/audit_log.hpp"
#include "detection/bans/ban_service.hpp"
#include "detection/engine/detector.hpp"
#include "detection/inputs/syslog_server.hpp"
#include "store/scratch_database.hpp"

using namespace custos;
using namespace custos::detection;

namespace {

std::filesystem::path sshd_filter() {
  const char* dir = std::getenv("CUSTOS_FAIL2BAN_FILTERS");
  return std::filesystem::path(dir != nullptr ? dir : "/etc/fail2ban/filter.d") / "sshd.conf";
}

DetectionConfig one_jail(int maxretry) {
  DetectionConfig config;
  config.sources.push_back({"udp", SourceConfig::Kind::syslog_udp, "127.0.0.1:0", "", 65536});
  JailConfig jail;
  jail.name = "sshd";
  jail.filter = sshd_filter();
  jail.sources = {"udp"};
  jail.maxretry = maxretry;
  jail.findtime = 600;
  config.jails.push_back(jail);
  return config;
}

std::string ipv4(std::uint32_t n) {
  return std::to_string((n >> 24) & 255) + "." + std::to_string((n >> 16) & 255) + "." +
         std::to_string((n >> 8) & 255) + "." + std::to_string(n & 255);
}

std::string failed_line(const std::string& address) {
  return "Nov 23 04:00:01 gate sshd[812]: Failed password for root from " + address +
         " port 51234 ssh2";
}

void BM_TrackOneMillionAddresses(benchmark::State& state) {
  for (auto _ : state) {
    const auto before = app::resident_memory_bytes();
    JailConfig config;
    config.name = "sshd";
    config.maxretry = 5;
    auto jail = std::make_unique<Jail>(config, nullptr, 1'000'000);
    const auto start = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < 1'000'000; ++i) jail->record(ipv4(0x0B000000 + i * 7), 1000, "");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto after = app::resident_memory_bytes();
    state.counters["tracked"] = static_cast<double>(jail->stats().tracked);
    state.counters["rss_MB"] = static_cast<double>(after - before) / 1e6;
    state.counters["bytes_per_address"] = static_cast<double>(after - before) / 1'000'000.0;
    state.counters["failures_per_s"] = 1e6 / seconds;
    // One more million: evictions keep memory flat.
    for (std::uint32_t i = 0; i < 1'000'000; ++i) jail->record(ipv4(0x0C000000 + i * 7), 1001, "");
    state.counters["rss_MB_after_2M"] =
        static_cast<double>(app::resident_memory_bytes() - before) / 1e6;
    state.counters["evictions"] = static_cast<double>(jail->stats().evictions);
  }
}
BENCHMARK(BM_TrackOneMillionAddresses)->Iterations(1)->Unit(benchmark::kMillisecond);

// An action that notes when it started.
class StampAction final : public BanAction {
 public:
  [[nodiscard]] const std::string& name() const override { return name_; }
  void ban(const BanTarget&) override {
    started = std::chrono::steady_clock::now();
    count.fetch_add(1);
  }
  void unban(const BanTarget&, bool) override {}
  std::chrono::steady_clock::time_point started;
  std::atomic<int> count{0};

 private:
  std::string name_ = "stamp";
};

void BM_LineToBanActionStarted(benchmark::State& state) {
  if (!std::filesystem::exists(sshd_filter())) {
    state.SkipWithError("sshd filter not installed");
    return;
  }
  store::ScratchDatabase scratch(store::Backend::sqlite, "detection-bench");
  auto db = store::open_database(scratch.url());
  db->migrate();
  audit::AuditLog audit(nullptr);
  auto config = one_jail(5);
  StampAction stamp;
  BanService bans(*db, audit, {{"sshd", config.jails[0]}}, {{"sshd", {&stamp}}},
                  [] { return static_cast<std::int64_t>(std::time(nullptr)) * 1000; });
  bans.start();
  Detector detector(config, [&bans](BanRequest r) { bans.request(std::move(r)); });
  auto pipeline = detector.pipeline("udp");
  std::uint32_t n = 0;
  double total_ms = 0;
  double max_ms = 0;
  for (auto _ : state) {
    const auto line = failed_line(ipv4(0xC6336400 + n++));
    for (int i = 0; i < 4; ++i) pipeline->feed(line);
    const int before = stamp.count.load();
    const auto t0 = std::chrono::steady_clock::now();
    pipeline->feed(line);  // the fifth: maxretry
    while (stamp.count.load() == before) std::this_thread::yield();
    const double ms = std::chrono::duration<double, std::milli>(stamp.started - t0).count();
    total_ms += ms;
    max_ms = std::max(max_ms, ms);
  }
  bans.stop();
  state.counters["mean_ms"] = total_ms / static_cast<double>(state.iterations());
  state.counters["max_ms"] = max_ms;
}
BENCHMARK(BM_LineToBanActionStarted)->Iterations(200)->Unit(benchmark::kMillisecond);

// Sends `total` syslog datagrams to `port`, at `rate` per second (0: as fast as possible).
void send_udp(std::uint16_t port, std::size_t total, double rate) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr std::size_t kBatch = 32;
  std::vector<std::string> messages;
  for (std::size_t i = 0; i < 1024; ++i) {
    // Most lines of a real auth log are not failures; one in four is.
    messages.push_back(i % 4 == 0
                           ? "<38>" + failed_line(ipv4(0x0A000000 + static_cast<std::uint32_t>(i)))
                           : "<38>Nov 23 04:00:01 gate sshd[812]: Accepted publickey for "
                             "deploy from 10.1.2.3 port 40000 ssh2: ED25519 SHA256:abc");
  }
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> headers(kBatch);
  const auto start = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  while (sent < total) {
    const std::size_t batch = std::min(kBatch, total - sent);
    for (std::size_t i = 0; i < batch; ++i) {
      auto& m = messages[(sent + i) % messages.size()];
      iov[i] = {m.data(), m.size()};
      headers[i] = {};
      headers[i].msg_hdr.msg_name = &to;
      headers[i].msg_hdr.msg_namelen = sizeof to;
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = sendmmsg(fd, headers.data(), static_cast<unsigned>(batch), 0);
    if (n > 0) sent += static_cast<std::size_t>(n);
    if (rate > 0) {
      const auto due = start + std::chrono::duration<double>(static_cast<double>(sent) / rate);
      std::this_thread::sleep_until(
          std::chrono::time_point_cast<std::chrono::steady_clock::duration>(due));
    }
  }
  close(fd);
}

void BM_SyslogUdpIngestion(benchmark::State& state) {
  if (!std::filesystem::exists(sshd_filter())) {
    state.SkipWithError("sshd filter not installed");
    return;
  }
  const double rate = static_cast<double>(state.range(0));
  const std::size_t total = rate > 0 ? static_cast<std::size_t>(rate) * 3 : 1'000'000;
  auto config = one_jail(1'000'000);  // count, never ban: ingestion alone
  Detector detector(config, [](BanRequest) {});
  for (auto _ : state) {
    SyslogServer server(config.sources[0], detector.pipeline("udp"));
    const auto start = std::chrono::steady_clock::now();
    send_udp(server.port(), total, rate);
    // Wait until the server has drained its receive buffer.
    std::uint64_t last = 0;
    auto last_change = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - last_change < std::chrono::milliseconds(300)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const auto now = server.stats().messages.load();
      if (now != last) {
        last = now;
        last_change = std::chrono::steady_clock::now();
      }
    }
    const double seconds = std::chrono::duration<double>(last_change - start).count();
    state.counters["sent"] = static_cast<double>(total);
    state.counters["received"] = static_cast<double>(last);
    state.counters["lost_pct"] =
        100.0 * static_cast<double>(total - last) / static_cast<double>(total);
    state.counters["events_per_s"] = static_cast<double>(last) / seconds;
    state.counters["failures"] = static_cast<double>(server.stats().failures.load());
  }
}
BENCHMARK(BM_SyslogUdpIngestion)
    ->Arg(0)
    ->Arg(100'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
