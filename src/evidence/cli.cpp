#include "evidence/cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "audit/signing_key.hpp"
#include "incidents/incident.hpp"
#include "util/crypto.hpp"

namespace custos::evidence {

int run_export(EvidenceService& evidence, const audit::SigningKey& key, const std::string& scope,
               const std::string& out_file, const std::string& actor, std::ostream& out,
               std::ostream& err) {
  std::optional<std::int64_t> incident, item;
  if (auto id = incidents::parse_incident_key(scope)) {
    incident = id;
  } else if (auto eid = parse_evidence_key(scope)) {
    item = eid;
  } else {
    err << "custos evidence export: '" << scope << "' is neither INC-… nor EVD-…\n";
    return 1;
  }
  // Written beside the target and renamed at the end: a failed export leaves no partial file.
  const std::filesystem::path target(out_file);
  const auto tmp = target.string() + ".part-" + util::random_token(6);
  try {
    auto exported = evidence.export_package(incident, item, nullptr, actor, key);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
    std::string chunk;
    bool more = true;
    try {
      while (more) {
        chunk.clear();
        more = exported.stream->next(chunk);
        std::string_view rest(chunk);
        while (!rest.empty()) {
          const auto n = ::write(fd, rest.data(), rest.size());
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
          rest.remove_prefix(static_cast<std::size_t>(n));
        }
      }
      if (::fsync(fd) != 0) throw std::runtime_error("cannot flush " + tmp);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    std::filesystem::rename(tmp, target);
    out << "exported " << scope << " to " << out_file << " (" << exported.stream->size()
        << " bytes, signed by " << key.public_key_hex() << ")\n";
    return 0;
  } catch (const EvidenceError& e) {
    std::filesystem::remove(tmp);
    err << "custos evidence export: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    err << "custos evidence export: " << e.what() << "\n";
  }
  return 1;
}

int run_verify(const std::string& package_file, const std::string& trusted_public_key_hex,
               std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  std::FILE* file = std::fopen(package_file.c_str(), "rb");
  if (file == nullptr) {
    err << "custos evidence verify: cannot open " << package_file << ": " << std::strerror(errno)
        << "\n";
    return 2;
  }
  VerifyOptions options;
  options.trusted_public_key_hex = trusted_public_key_hex;
  const auto r = verify_package(
      [file](char* buffer, std::size_t capacity) {
        const auto n = std::fread(buffer, 1, capacity, file);
        if (n == 0 && std::ferror(file)) throw std::runtime_error("read error");
        return n;
      },
      options);
  std::fclose(file);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (r.ok) {
    out << "package intact: " << r.scope << ", " << r.items << " item(s), " << r.files
        << " file(s) (" << r.content_bytes << " bytes), " << r.custody_entries
        << " custody entries, " << r.audit_entries << " audit entries\n"
        << "exported " << r.exported_at << " by " << r.exported_by << "\n"
        << "signed by Ed25519 key " << r.public_key
        << (trusted_public_key_hex.empty() ? " (compare with the server's audit-signing.key.pub)"
                                           : " (the trusted key)")
        << "\n";
    char timing[64];
    std::snprintf(timing, sizeof timing, "verified in %.2f s\n", seconds);
    out << timing;
    return 0;
  }
  err << "package NOT intact: " << r.problems.size() << " problem(s) in " << package_file << "\n";
  for (const auto& p : r.problems) err << "  " << p << "\n";
  return 1;
}

}  // namespace custos::evidence
