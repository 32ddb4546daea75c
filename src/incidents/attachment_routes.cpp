// Attachments of an incident: upload as the raw request body, list, download.
#include "incidents/work_route_support.hpp"

namespace custos::incidents::work_routes {

using api::Context;
using auth::Permission;

void add_attachment_routes(api::Router& router, WorkServices& work) {
  router.add(
      {"POST",
       "/api/v1/incidents/{key}/attachments",
       Permission::incidents_read,
       [&work](Context& ctx) {
         ctx.allow_query({"filename"});
         const auto id = incident_id(ctx);
         NewAttachment file;
         file.content_type = std::string(ctx.request().header("content-type"));
         if (auto name = ctx.request().query("filename")) {
           file.filename = *name;
         } else if (auto disposition = ctx.request().header("content-disposition");
                    !disposition.empty()) {
           file.filename = filename_from_disposition(disposition).value_or("");
         }
         file.bytes = ctx.request().body;
         return guarded([&] {
           auto added = work.attachments.add(id, file, ctx.user());
           if (!added) incident_not_found(id);
           const auto key = incident_key(id);
           auto res = api::json_response(201, to_json(*added, key));
           res.header("Location",
                      "/api/v1/incidents/" + key + "/attachments/" + std::to_string(added->id));
           return res;
         });
       },
       {"Attach a file: the raw file is the body, Content-Type its type, ?filename= its name "
        "(or Content-Disposition). Allowed types: text/plain, text/csv, application/json, "
        "application/pdf, image/png, image/jpeg, image/gif, application/zip, message/rfc822, "
        "application/octet-stream; images, PDF and ZIP must match their signature. The size is "
        "bounded by incidents.max_attachment_bytes and server.max_body_bytes",
        "incidents",
        "",
        "Attachment",
        201,
        {{"filename", "string",
          "the file's name (path components and control characters are "
          "removed, at most 200 bytes)"}},
        {401, 403, 404, 409, 413, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/attachments",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                auto items = work.attachments.list(id, ctx.user());
                if (!items) incident_not_found(id);
                const auto key = incident_key(id);
                nlohmann::json out = nlohmann::json::array();
                for (const auto& a : *items) out.push_back(to_json(a, key));
                return api::json_response(200, {{"items", out}});
              },
              {"Attachments of an incident (reporters see the files they attached)",
               "incidents",
               "",
               "AttachmentList",
               200,
               {},
               {401, 404}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/attachments/{id}",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                const auto attachment_id = id_param(ctx, "id", "attachment");
                return guarded([&] {
                  auto file = work.attachments.download(id, attachment_id, ctx.user());
                  if (!file) incident_not_found(id);
                  http::Response res;
                  res.status = 200;
                  res.header("Content-Type", file->attachment.content_type);
                  res.header("Content-Disposition", content_disposition(file->attachment.filename));
                  res.header("X-Content-Type-Options", "nosniff");
                  // Opened by mistake in a browser tab, the file still cannot run anything.
                  res.header("Content-Security-Policy", "default-src 'none'; sandbox");
                  res.header("ETag", "\"" + file->attachment.sha256 + "\"");
                  res.body = std::move(file->bytes);
                  return res;
                });
              },
              {"Download an attachment (always as a download, with its stored type)",
               "incidents",
               "",
               "",
               200,
               {},
               {401, 404}}});
}

}  // namespace custos::incidents::work_routes
