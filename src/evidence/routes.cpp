// Evidence routes. Handlers parse and authorise; EvidenceService applies the rules.
#include "evidence/routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/context.hpp"
#include "incidents/incident.hpp"
#include "util/time.hpp"

namespace custos::evidence {

namespace {

using api::Context;
using auth::Permission;

template <class F>
http::Response guarded(F&& handler) {
  try {
    return handler();
  } catch (const EvidenceError& e) {
    if (!e.field.empty()) {
      throw api::ApiError(e.status, e.status == 422 ? "invalid-field" : "evidence-refused",
                          e.field + ": " + e.what(), {{e.field, e.what()}});
    }
    throw api::ApiError(e.status, e.status == 404 ? "not-found" : "evidence-refused", e.what());
  }
}

std::int64_t incident_param(const Context& ctx) {
  const auto key = ctx.param("key");
  auto id = incidents::parse_incident_key(key);
  if (!id) throw api::not_found("incident " + key.substr(0, 40));
  return *id;
}

std::int64_t evidence_param(const Context& ctx) {
  const auto key = ctx.param("key");
  auto id = parse_evidence_key(key);
  if (!id) throw api::not_found("evidence " + key.substr(0, 40));
  return *id;
}

std::optional<std::int64_t> optional_time(api::JsonObject& body, const std::string& name) {
  auto text = body.optional_string(name, 64);
  if (!text) return std::nullopt;
  auto ms = util::parse_rfc3339(*text);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time, e.g. 2026-03-01T09:30:00Z");
  return ms;
}

// The upload's bytes, from wherever the server put them: a spooled file for large bodies, or
// memory for small ones. One reader, so the service sees a single stream either way.
class BodySource {
 public:
  explicit BodySource(const http::Request& request) : request_(request) {
    if (!request.body_file.empty()) {
      fd_ = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0)
        throw std::runtime_error("cannot open the spooled upload: " +
                                 std::string(std::strerror(errno)));
      struct stat st {};
      if (::fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
    } else {
      size_ = request.body.size();
    }
  }
  ~BodySource() {
    if (fd_ >= 0) ::close(fd_);
  }
  BodySource(const BodySource&) = delete;
  BodySource& operator=(const BodySource&) = delete;

  [[nodiscard]] std::uint64_t size() const { return size_; }

  std::size_t operator()(char* buffer, std::size_t capacity) {
    if (fd_ < 0) {
      const auto n = std::min<std::size_t>(capacity, request_.body.size() - offset_);
      std::memcpy(buffer, request_.body.data() + offset_, n);
      offset_ += n;
      return n;
    }
    while (true) {
      const auto n = ::read(fd_, buffer, capacity);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) throw std::runtime_error("cannot read the spooled upload");
    }
  }

 private:
  const http::Request& request_;
  int fd_ = -1;
  std::size_t offset_ = 0;
  std::uint64_t size_ = 0;
};

// Stored content as a response body, in ~64 KiB pieces, decrypted on the way when encrypted.
class ContentBody final : public http::BodyStream {
 public:
  explicit ContentBody(std::unique_ptr<ContentReader> reader) : reader_(std::move(reader)) {}
  bool read(std::string& out) override { return reader_->read(out); }
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return reader_->size(); }

 private:
  std::unique_ptr<ContentReader> reader_;
};

class PackageBody final : public http::BodyStream {
 public:
  explicit PackageBody(std::unique_ptr<PackageStream> stream) : stream_(std::move(stream)) {}
  bool read(std::string& out) override { return stream_->next(out); }
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return stream_->size(); }

 private:
  std::unique_ptr<PackageStream> stream_;
};

http::Response package_response(Export exported) {
  http::Response res;
  res.status = 200;
  res.header("Content-Type", "application/x-tar");
  res.header("Content-Disposition", "attachment; filename=\"" + exported.filename + "\"");
  res.header("Cache-Control", "no-store");
  res.stream = std::make_shared<PackageBody>(std::move(exported.stream));
  return res;
}

nlohmann::json item_json(const EvidenceItem& item) {
  return to_json(item, incidents::incident_key(item.incident_id));
}

}  // namespace

void add_evidence_routes(api::Router& router, EvidenceService& evidence,
                         const audit::SigningKey* key) {
  router.add(
      {"POST",
       "/api/v1/incidents/{key}/evidence",
       Permission::evidence_work,
       [&evidence](Context& ctx) {
         ctx.allow_query({});
         const auto incident = incident_param(ctx);
         auto body = ctx.body();
         NewEvidence in;
         in.item_type = body.required_string("type", 40);
         in.description = body.optional_text("description", 4000).value_or("");
         in.source = body.optional_string("source", 500).value_or("");
         in.location = body.optional_string("location", 500).value_or("");
         in.collected_by = body.required_string("collected_by", 200);
         in.collected_at = optional_time(body, "collected_at");
         in.method = body.optional_string("method", 500).value_or("");
         in.declared_hash_algorithm = body.optional_string("declared_hash_algorithm", 16);
         in.declared_hash = body.optional_string("declared_hash", 200);
         body.reject_unknown();
         return guarded([&] {
           auto item = evidence.create(incident, in, ctx.user());
           auto res = api::json_response(201, item_json(item));
           res.header("Location", "/api/v1/evidence/" + item.key());
           return res;
         });
       },
       {"Record an evidence item of an incident (a `collected` custody entry is written with "
        "it); upload a file's content afterwards with PUT /api/v1/evidence/{key}/content",
        "evidence",
        "NewEvidence",
        "Evidence",
        201,
        {},
        {400, 401, 403, 404, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/evidence",
              Permission::evidence_read,
              [&evidence](Context& ctx) {
                ctx.allow_query({});
                const auto incident = incident_param(ctx);
                return guarded([&] {
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& item : evidence.list(incident, ctx.user())) {
                    items.push_back(item_json(item));
                  }
                  return api::json_response(200, {{"items", items}});
                });
              },
              {"Evidence items of an incident",
               "evidence",
               "",
               "EvidenceList",
               200,
               {},
               {401, 403, 404}}});

  router.add({"GET",
              "/api/v1/evidence/{key}",
              Permission::evidence_read,
              [&evidence](Context& ctx) {
                ctx.allow_query({});
                const auto id = evidence_param(ctx);
                return guarded([&] {
                  return api::json_response(200, item_json(evidence.get(id, ctx.user())));
                });
              },
              {"An evidence item: metadata, declared and computed hashes, a flagged mismatch, "
               "integrity as last re-checked",
               "evidence",
               "",
               "Evidence",
               200,
               {},
               {401, 403, 404}}});

  api::Route upload{
      "PUT",
      "/api/v1/evidence/{key}/content",
      Permission::evidence_work,
      [&evidence](Context& ctx) {
        ctx.allow_query({"filename", "declared_hash_algorithm", "declared_hash"});
        const auto id = evidence_param(ctx);
        const auto& request = ctx.request();
        UploadInfo info;
        info.content_type = std::string(request.header("content-type"));
        info.filename = request.query("filename");
        info.declared_hash_algorithm = request.query("declared_hash_algorithm");
        info.declared_hash = request.query("declared_hash");
        info.spooled_file = request.body_file;
        BodySource source(request);
        // A body shorter than announced never reaches a handler (the server refuses it); this
        // catches a spooled file that does not hold what the request announced.
        if (auto length = request.header("content-length"); !length.empty()) {
          if (std::to_string(source.size()) != length) {
            throw api::bad_request("the body has " + std::to_string(source.size()) +
                                   " bytes but Content-Length announced " + std::string(length));
          }
        }
        if (source.size() == 0) throw api::invalid_field("body", "the content is empty");
        return guarded([&] {
          auto item = evidence.put_content(
              id, [&source](char* b, std::size_t n) { return source(b, n); }, info, ctx.user());
          return api::json_response(201, item_json(item));
        });
      },
      {"Upload an item's content once: the raw bytes are the body (streamed to disk and hashed "
       "with SHA-256 and SHA-512 on the way). ?declared_hash_algorithm=&declared_hash= give the "
       "collector's hash if it was not recorded with the item; a mismatch is stored and shown "
       "as hash_mismatch, never refused. A second upload is a 409",
       "evidence",
       "",
       "Evidence",
       201,
       {{"filename", "string", "the original file name (kept as metadata)"},
        {"declared_hash_algorithm", "string", "sha256 (default), sha512, sha1 or md5"},
        {"declared_hash", "string", "the collector's digest in hexadecimal"}},
       {400, 401, 403, 404, 409, 413, 422}}};
  upload.max_spooled_body_bytes = evidence.max_upload_bytes();
  router.add(std::move(upload));

  router.add({"GET",
              "/api/v1/evidence/{key}/content",
              Permission::evidence_read,
              [&evidence](Context& ctx) {
                ctx.allow_query({});
                const auto id = evidence_param(ctx);
                return guarded([&] {
                  auto download = evidence.download(id, ctx.user());
                  http::Response res;
                  res.status = 200;
                  res.header("Content-Type", "application/octet-stream");
                  res.header("Content-Disposition",
                             "attachment; filename=\"" + download.item.key() + ".bin\"");
                  res.header("X-Content-Type-Options", "nosniff");
                  res.header("Content-Security-Policy", "default-src 'none'; sandbox");
                  res.header("Cache-Control", "no-store");
                  res.header("ETag", "\"" + *download.item.sha256 + "\"");
                  res.header("X-Evidence-SHA256", *download.item.sha256);
                  res.stream = std::make_shared<ContentBody>(std::move(download.reader));
                  return res;
                });
              },
              {"Download an item's content (streamed). Every download is recorded as a "
               "`downloaded` custody entry before the first byte is sent",
               "evidence",
               "",
               "",
               200,
               {},
               {401, 403, 404, 410}}});

  router.add(
      {"POST",
       "/api/v1/evidence/{key}/custody",
       Permission::evidence_work,
       [&evidence](Context& ctx) {
         ctx.allow_query({});
         const auto id = evidence_param(ctx);
         auto body = ctx.body();
         CustodyInput in;
         const auto action_text = body.required_string("action", 40);
         auto action = parse_action(action_text);
         if (!action) {
           throw api::invalid_field("action",
                                    "must be one of received, transferred, accessed, analysed, "
                                    "returned, disposed");
         }
         in.action = *action;
         in.from = body.optional_string("from", 200);
         in.to = body.optional_string("to", 200);
         in.at = optional_time(body, "at");
         in.location = body.optional_string("location", 500).value_or("");
         in.purpose = body.optional_text("purpose", 2000).value_or("");
         body.reject_unknown();
         return guarded([&] {
           return api::json_response(201, to_json(evidence.add_custody(id, in, ctx.user())));
         });
       },
       {"Append a custody entry (received, transferred from → to, accessed, analysed, returned, "
        "disposed). Entries are never edited or deleted; a transfer must come from the current "
        "custodian; disposal is refused while the incident is under legal hold",
        "evidence",
        "NewCustodyEntry",
        "CustodyEntry",
        201,
        {},
        {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/evidence/{key}/custody",
              Permission::evidence_read,
              [&evidence](Context& ctx) {
                ctx.allow_query({});
                const auto id = evidence_param(ctx);
                return guarded([&] {
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& e : evidence.custody(id, ctx.user()))
                    items.push_back(to_json(e));
                  return api::json_response(200, {{"items", items}});
                });
              },
              {"The chain of custody of an item, oldest first",
               "evidence",
               "",
               "CustodyList",
               200,
               {},
               {401, 403, 404}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/legal-holds",
              Permission::evidence_read,
              [&evidence](Context& ctx) {
                ctx.allow_query({});
                const auto incident = incident_param(ctx);
                return guarded([&] {
                  nlohmann::json items = nlohmann::json::array();
                  bool active = false;
                  for (const auto& h : evidence.legal_holds(incident, ctx.user())) {
                    active = active || !h.released_at;
                    items.push_back(to_json(h));
                  }
                  return api::json_response(200, {{"active", active}, {"items", items}});
                });
              },
              {"Legal holds of an incident, newest first",
               "evidence",
               "",
               "LegalHoldList",
               200,
               {},
               {401, 403, 404}}});

  for (const bool release : {false, true}) {
    router.add(
        {"POST",
         release ? "/api/v1/incidents/{key}/legal-hold/release"
                 : "/api/v1/incidents/{key}/legal-hold",
         Permission::legal_hold_manage,
         [&evidence, release](Context& ctx) {
           ctx.allow_query({});
           const auto incident = incident_param(ctx);
           auto body = ctx.body();
           const auto reason = body.optional_text("reason", 2000).value_or("");
           body.reject_unknown();
           return guarded([&] {
             if (release) {
               return api::json_response(
                   200, to_json(evidence.release_legal_hold(incident, reason, ctx.user())));
             }
             return api::json_response(
                 201, to_json(evidence.set_legal_hold(incident, reason, ctx.user())));
           });
         },
         {release ? "Release the legal hold of an incident (audited)"
                  : "Put an incident under legal hold: its evidence cannot be disposed of until "
                    "the hold is released (audited)",
          "evidence",
          "LegalHoldReason",
          "LegalHold",
          release ? 200 : 201,
          {},
          {400, 401, 403, 404, 409, 415, 422}}});
  }

  for (const bool whole_incident : {false, true}) {
    router.add(
        {"POST",
         whole_incident ? "/api/v1/incidents/{key}/evidence/export"
                        : "/api/v1/evidence/{key}/export",
         Permission::evidence_work,
         [&evidence, key, whole_incident](Context& ctx) {
           ctx.allow_query({});
           if (key == nullptr) {
             throw api::ApiError(503, "no-signing-key", "this server has no signing key");
           }
           std::optional<std::int64_t> incident, item;
           if (whole_incident) {
             incident = incident_param(ctx);
           } else {
             item = evidence_param(ctx);
           }
           return guarded([&] {
             return package_response(
                 evidence.export_package(incident, item, &ctx.user(), ctx.user().actor(), *key));
           });
         },
         {whole_incident
              ? "Export all evidence of an incident as a signed package (ustar: manifest.json, "
                "signature.json, files/EVD-…); check it offline with `custos evidence verify`"
              : "Export one evidence item as a signed package; check it offline with `custos "
                "evidence verify`",
          "evidence",
          "",
          "",
          200,
          {},
          {401, 403, 404}}});
  }
}

}  // namespace custos::evidence
