#include "detection/bans/webhook_action.hpp"

#include <chrono>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "util/libcurl.hpp"
#include "util/time.hpp"

namespace custos::detection {

namespace {

constexpr std::size_t kQueueLimit = 1000;       // bodies waiting; more are dropped and counted
constexpr std::int64_t kMaxBackoffMs = 60'000;  // the longest pause between two attempts

std::size_t discard(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;  // the receiver's answer body is not needed, only its status
}

}  // namespace

WebhookAction::WebhookAction(WebhookConfig config, bool dry_run, std::int64_t backoff_ms)
    : config_(std::move(config)), dry_run_(dry_run), backoff_ms_(backoff_ms) {
  util::libcurl();  // loaded now, so that a missing libcurl stops start-up, not the first ban
  sender_ = std::thread([this] { loop(); });
}

WebhookAction::~WebhookAction() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  sender_.join();
}

nlohmann::json WebhookAction::body(const BanTarget& t, std::string_view type, bool expired) {
  auto opt = [](const std::optional<std::string>& s) {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
  };
  nlohmann::json b = {{"type", type},
                      {"jail", t.jail},
                      {"address", t.address.to_string()},
                      {"family", t.address.v6 ? 6 : 4},
                      {"bantime", (t.expires_at - t.banned_at) / 1000},
                      {"banned_at", util::to_rfc3339(t.banned_at)},
                      {"expires_at", util::to_rfc3339(t.expires_at)},
                      {"ban_number", t.ban_number},
                      {"failures", t.failures},
                      {"user", opt(t.user)},
                      {"event", opt(t.event)},
                      {"ban_id", t.ban_id}};
  if (type == "lift") b["lifted"] = expired ? "expiry" : "administrator";
  return b;
}

void WebhookAction::ban(const BanTarget& target) { enqueue(target, body(target, "ban"), "ban"); }

void WebhookAction::unban(const BanTarget& target, bool expired) {
  enqueue(target, body(target, "lift", expired), "lift");
}

void WebhookAction::enqueue(const BanTarget& target, const nlohmann::json& body,
                            std::string_view type) {
  // The user name comes from a log line: whatever bytes it holds, the body stays valid JSON.
  Delivery d{std::string(type) + " of " + target.address.to_string() + " in " + target.jail,
             body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  if (dry_run_) {
    spdlog::info("detection dry-run: webhook {}: POST {}", config_.name, d.body);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kQueueLimit) {
      ++stats_.dropped;
      spdlog::warn("detection webhook {}: queue full, {} not sent", config_.name, d.what);
      return;
    }
    queue_.push_back(std::move(d));
  }
  cv_.notify_one();
}

void WebhookAction::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    auto delivery = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::string problem;
    for (int attempt = 0;; ++attempt) {
      problem = post(delivery.body);
      if (problem.empty() || attempt >= config_.retries) break;
      const auto pause = std::min(kMaxBackoffMs, backoff_ms_ << std::min(attempt, 16));
      spdlog::warn("detection webhook {}: {} not delivered ({}); retrying in {} ms", config_.name,
                   delivery.what, problem, pause);
      ++stats_.retries;
      lock.lock();
      const bool stopping =
          cv_.wait_for(lock, std::chrono::milliseconds(pause), [this] { return stop_; });
      lock.unlock();
      if (stopping) break;
    }
    if (problem.empty()) {
      ++stats_.delivered;
    } else {
      ++stats_.failed;
      spdlog::error("detection webhook {}: {} not delivered, given up after {} attempt(s): {}",
                    config_.name, delivery.what, config_.retries + 1, problem);
    }
    lock.lock();
  }
  if (!queue_.empty()) {
    stats_.dropped += queue_.size();
    spdlog::warn("detection webhook {}: {} notification(s) not sent: custos is stopping",
                 config_.name, queue_.size());
  }
}

std::string WebhookAction::post(const std::string& body) const {
  const auto& lib = util::libcurl();
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(lib.curl_easy_init(),
                                                                 lib.curl_easy_cleanup);
  if (!curl) return "libcurl could not start a transfer";
  curl_slist* headers = nullptr;
  headers = lib.curl_slist_append(headers, "Content-Type: application/json");
  headers = lib.curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : config_.headers) {
    headers = lib.curl_slist_append(headers, (name + ": " + value).c_str());
  }
  const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(
      headers, lib.curl_slist_free_all);
  CURL* h = curl.get();
  lib.curl_easy_setopt(h, CURLOPT_URL, config_.url.c_str());
  lib.curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer, not a hop
  lib.curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  lib.curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout * 1000));
  lib.curl_easy_setopt(h, CURLOPT_USERAGENT, "custos/" CUSTOS_VERSION);
  lib.curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  lib.curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  lib.curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  lib.curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard);
  const CURLcode code = lib.curl_easy_perform(h);
  // curl_easy_strerror names the kind of failure only; the error buffer would name the URL.
  if (code != CURLE_OK) return lib.curl_easy_strerror(code);
  long status = 0;
  lib.curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  return {};
}

}  // namespace custos::detection
