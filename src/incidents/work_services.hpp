#pragma once
// The services that work an incident once it is logged, built together because they share
// the database, the audit trail and (attachments) the data directory.
#include <cstdint>
#include <filesystem>

#include "incidents/attachments.hpp"
#include "incidents/links.hpp"
#include "incidents/major.hpp"
#include "incidents/review.hpp"
#include "incidents/tasks.hpp"
#include "incidents/timeline.hpp"
#include "incidents/worklog.hpp"

namespace custos::incidents {

inline constexpr std::int64_t kDefaultMaxAttachmentBytes = 10 * 1024 * 1024;

struct WorkServices {
  // Attachments are stored under <data_dir>/blobs.
  WorkServices(store::Database& db, const audit::AuditLog& audit,
               const std::filesystem::path& data_dir,
               std::int64_t max_attachment_bytes = kDefaultMaxAttachmentBytes)
      : worklog(db, audit),
        timeline(db),
        tasks(db, audit),
        attachments(db, audit, BlobStore(data_dir / "blobs"), max_attachment_bytes),
        major(db, audit),
        review(db, audit),
        links(db) {}

  Worklog worklog;
  Timeline timeline;
  Tasks tasks;
  Attachments attachments;
  MajorIncidents major;
  Review review;
  Links links;
};

}  // namespace custos::incidents
