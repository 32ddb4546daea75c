#include "events/imap_client.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "util/libcurl.hpp"

namespace custos::events {

namespace {

struct Sink {
  std::string data;
  std::size_t max_bytes;
  bool overflow = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink.data.size() + n > sink.max_bytes) {
    sink.overflow = true;
    return 0;  // ends the transfer: nothing beyond the limit is read
  }
  sink.data.append(data, n);
  return n;
}

constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;  // a SEARCH of a huge mailbox

CURL* handle(void* curl) { return static_cast<CURL*>(curl); }

}  // namespace

// libcurl's progress callback, called at least once a second: non-zero aborts the transfer.
int ImapSession::progress(void* session, std::int64_t, std::int64_t, std::int64_t, std::int64_t) {
  const auto& s = *static_cast<const ImapSession*>(session);
  return s.cancellable_ && s.cancel_->load() ? 1 : 0;
}

std::vector<std::uint64_t> parse_search_response(const std::string& response) {
  std::vector<std::uint64_t> uids;
  std::istringstream lines(response);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("* SEARCH")) continue;
    std::istringstream words(line.substr(8));
    std::string word;
    while (words >> word) {
      std::uint64_t uid = 0;
      const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), uid);
      if (ec == std::errc{} && end == word.data() + word.size() && uid > 0) uids.push_back(uid);
    }
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

ImapSession::ImapSession(const ImapConfig& config, std::string password,
                         const std::atomic<bool>* cancel)
    : config_(config), password_(std::move(password)), cancel_(cancel), curl_(nullptr) {
  const auto& lib = util::libcurl();
  curl_ = lib.curl_easy_init();
  if (curl_ == nullptr) throw ImapError("libcurl could not start a transfer");
  CURL* h = handle(curl_);
  lib.curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  lib.curl_easy_setopt(h, CURLOPT_USERNAME, config_.username.c_str());
  lib.curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  // imaps:// is TLS from the first byte; imap:// was allowed as plaintext by the configuration.
  lib.curl_easy_setopt(h, CURLOPT_USE_SSL,
                       static_cast<long>(config_.tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  lib.curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  lib.curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  lib.curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  lib.curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  if (cancel_ != nullptr) {
    lib.curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &ImapSession::progress);
    lib.curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
    lib.curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
}

ImapSession::~ImapSession() {
  if (curl_ != nullptr) util::libcurl().curl_easy_cleanup(handle(curl_));
}

std::optional<std::string> ImapSession::perform(const std::string& url, const std::string& command,
                                                std::size_t max_bytes, bool cancellable) {
  const auto& lib = util::libcurl();
  cancellable_ = cancellable;
  CURL* h = handle(curl_);
  Sink sink{{}, max_bytes};
  char error[CURL_ERROR_SIZE] = {};
  lib.curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  lib.curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, command.empty() ? nullptr : command.c_str());
  lib.curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  lib.curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = lib.curl_easy_perform(h);
  lib.curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  if (code == CURLE_WRITE_ERROR && sink.overflow) return std::nullopt;
  if (code == CURLE_ABORTED_BY_CALLBACK) throw ImapError("stopped: custos is shutting down");
  if (code != CURLE_OK) {
    // The error buffer says what happened ("Login denied", "Failed to connect to … port …");
    // it never holds the password, which only ever goes to the server.
    throw ImapError(
        (command.empty() ? std::string("FETCH") : command) + " on " + url +
        " failed: " + (error[0] != '\0' ? std::string(error) : lib.curl_easy_strerror(code)));
  }
  return std::move(sink.data);
}

std::vector<std::uint64_t> ImapSession::unseen() {
  const auto response = perform(config_.mailbox_url, "UID SEARCH UNSEEN", kMaxResponseBytes, true);
  if (!response) throw ImapError("UID SEARCH UNSEEN: the answer exceeds 16 MiB");
  return parse_search_response(*response);
}

std::optional<std::string> ImapSession::fetch(std::uint64_t uid, std::size_t max_bytes) {
  return perform(config_.mailbox_url + ";UID=" + std::to_string(uid), "", max_bytes);
}

void ImapSession::mark_seen(std::uint64_t uid, bool seen) {
  perform(config_.mailbox_url,
          "UID STORE " + std::to_string(uid) + (seen ? " +" : " -") + "FLAGS (\\Seen)",
          kMaxResponseBytes);
}

void ImapSession::move(std::uint64_t uid, const std::string& mailbox) {
  // The mailbox name was checked at start-up: printable ASCII without quotes or backslashes.
  perform(config_.mailbox_url, "UID MOVE " + std::to_string(uid) + " \"" + mailbox + "\"",
          kMaxResponseBytes);
}

}  // namespace custos::events
