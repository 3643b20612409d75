#include "ingest/jobs.h"

#include <algorithm>

#include "core/ids.h"
#include "core/json_doc.h"
#include "core/log.h"
#include "core/time_util.h"
#include "storage/key_codec.h"

namespace tailor::ingest {

namespace {
constexpr size_t kChunk = 64;  // profiles per Refresh call (one WriteBatch)
}  // namespace

std::string JobRecord::ToJson() const {
  Json j = {{"id", id}, {"kind", kind}, {"state", state}, {"total", total}, {"done", done},
            {"config_version", config_version}, {"created_at", FormatIso8601(created_at_ms)},
            {"finished_at", finished_at_ms ? Json(FormatIso8601(finished_at_ms)) : Json(nullptr)},
            {"error", error.empty() ? Json(nullptr) : Json(error)}, {"reason", reason},
            {"progress", total ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total))
                               : (state == "done" ? 1.0 : 0.0)}};
  if (!subject.empty()) j["subject"] = subject;
  if (!stage.empty()) j["stage"] = stage;
  if (!result.empty()) {
    auto parsed = ParseJson(result);
    j["result"] = parsed.ok() ? std::move(parsed).value() : Json(result);
  }
  return j.dump();
}

Result<JobRecord> JobRecord::FromJson(std::string_view json) {
  auto j = ParseJsonObject(json);
  if (!j.ok()) return Corruption("job record: " + j.status().message());
  try {
    JobRecord r;
    r.id = j->at("id").get<std::string>();
    r.kind = j->at("kind").get<std::string>();
    r.state = j->at("state").get<std::string>();
    r.total = j->at("total").get<uint64_t>();
    r.done = j->at("done").get<uint64_t>();
    r.config_version = j->at("config_version").get<uint64_t>();
    r.created_at_ms = *ParseIso8601(j->at("created_at").get<std::string>());
    if (j->at("finished_at").is_string()) r.finished_at_ms = *ParseIso8601(j->at("finished_at").get<std::string>());
    if (j->at("error").is_string()) r.error = j->at("error").get<std::string>();
    r.reason = j->at("reason").get<std::string>();
    r.subject = j->value("subject", "");
    r.stage = j->value("stage", "");
    if (j->contains("result")) r.result = j->at("result").dump();
    return r;
  } catch (const std::exception& e) {
    return Corruption(std::string("job record: ") + e.what());
  }
}

JobRunner::JobRunner(storage::KvStore& store, Pipeline& pipeline, const Clock& clock, Random& random)
    : store_(store), pipeline_(pipeline), clock_(clock), random_(random) {
  // Jobs a previous process left queued or running did not finish: say so.
  auto it = store_.NewIterator(storage::Keyspace::kJobs, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto r = JobRecord::FromJson(it->value());
    if (!r.ok() || (r->state != "queued" && r->state != "running")) continue;
    r->state = "failed";
    r->error = "interrupted: the server stopped before the job finished; start it again";
    r->finished_at_ms = clock_.NowMs();
    Save(*r).IgnoreError();
  }
  thread_ = std::thread([this] { Loop(); });
  task_thread_ = std::thread([this] { TaskLoop(); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  task_thread_.join();
}

Status JobRunner::Save(const JobRecord& r) {
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kJobs, r.id, r.ToJson());
  return store_.Write(b);
}

uint64_t JobRunner::CountProfiles() {
  auto stats = store_.Stats();
  for (const auto& [name, v] : stats) {
    if (name.find("estimated_keys") == 0 && name.find("\"profiles\"") != std::string::npos) return v;
    if (name.find("keys{keyspace=\"profiles\"}") == 0) return v;
  }
  return 0;
}

Result<std::string> JobRunner::Start(std::shared_ptr<const IngestSnapshot> snapshot,
                                     uint64_t config_version, bool recompute_features,
                                     std::string reason) {
  Pending p;
  p.record.id = NewUlid(clock_, random_);
  p.record.kind = recompute_features ? "feature_backfill" : "segment_refresh";
  p.record.state = "queued";
  p.record.config_version = config_version;
  p.record.created_at_ms = clock_.NowMs();
  p.record.total = CountProfiles();
  p.record.reason = std::move(reason);
  p.snapshot = std::move(snapshot);
  p.recompute = recompute_features;
  TAILOR_RETURN_IF_ERROR(Save(p.record));
  std::string id = p.record.id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->record.kind == p.record.kind) {
        it->record.state = "cancelled";
        it->record.error = "replaced by job " + id;
        it->record.finished_at_ms = clock_.NowMs();
        Save(it->record).IgnoreError();
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    queue_.push_back(std::move(p));
  }
  cv_.notify_all();
  return id;
}

void JobRunner::Loop() {
  for (;;) {
    Pending job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.erase(queue_.begin());
    }
    job.record.state = "running";
    Save(job.record).IgnoreError();
    LogInfo("job started", {{"id", job.record.id}, {"kind", job.record.kind}, {"reason", job.record.reason}});
    Status st = Run(&job.record, *job.snapshot, job.recompute, nullptr);
    if (st.ok() && job.recompute) st = MarkBackfilled(*job.snapshot);
    if (st.ok()) st = RecordSegmentSizes(*job.snapshot);
    job.record.state = st.ok() ? "done" : (st.code() == StatusCode::kUnavailable ? "cancelled" : "failed");
    job.record.error = st.ok() ? "" : st.ToString();
    job.record.finished_at_ms = clock_.NowMs();
    Save(job.record).IgnoreError();
    LogInfo("job finished", {{"id", job.record.id}, {"state", job.record.state},
                             {"profiles", std::to_string(job.record.done)}});
  }
}

Result<std::string> JobRunner::StartTask(std::string kind, std::string subject,
                                         std::string reason, TaskFn fn) {
  PendingTask t;
  t.record.id = NewUlid(clock_, random_);
  t.record.kind = std::move(kind);
  t.record.subject = std::move(subject);
  t.record.state = "queued";
  t.record.created_at_ms = clock_.NowMs();
  t.record.total = 1000;  // per mille
  t.record.reason = std::move(reason);
  t.fn = std::move(fn);
  std::lock_guard<std::mutex> lock(mu_);
  auto same = [&](const JobRecord& r) {
    return r.kind == t.record.kind && r.subject == t.record.subject;
  };
  if (!running_task_.id.empty() && same(running_task_)) return running_task_.id;
  for (const auto& q : tasks_) {
    if (same(q.record)) return q.record.id;
  }
  // Saved under the lock so the task thread cannot save a later state first.
  TAILOR_RETURN_IF_ERROR(Save(t.record));
  std::string id = t.record.id;
  tasks_.push_back(std::move(t));
  cv_.notify_all();
  return id;
}

void JobRunner::TaskLoop() {
  for (;;) {
    PendingTask task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.erase(tasks_.begin());
      task.record.state = "running";
      running_task_ = task.record;
      Save(task.record).IgnoreError();
    }
    RunTask(&task);
    std::lock_guard<std::mutex> lock(mu_);
    running_task_ = JobRecord();
  }
}

void JobRunner::RunTask(PendingTask* task) {
  JobRecord& r = task->record;
  LogInfo("task started", {{"id", r.id}, {"kind", r.kind}, {"subject", r.subject}});
  int64_t last_save = clock_.NowMs();
  auto progress = [&](std::string_view stage, double fraction) {
    r.stage = std::string(stage);
    r.done = static_cast<uint64_t>(std::clamp(fraction, 0.0, 1.0) * 1000.0);
    // Saved at most every 100 ms: progress calls may come per item.
    if (const int64_t now = clock_.NowMs(); now - last_save >= 100) {
      last_save = now;
      Save(r).IgnoreError();
    }
  };
  auto result = task->fn(progress);
  if (result.ok()) {
    r.state = "done";
    r.done = r.total;
    r.result = std::move(result).value();
  } else {
    r.state = "failed";
    r.error = result.status().ToString();
  }
  r.finished_at_ms = clock_.NowMs();
  Save(r).IgnoreError();
  LogInfo("task finished", {{"id", r.id}, {"state", r.state}});
}

Status JobRunner::Run(JobRecord* record, const IngestSnapshot& snapshot, bool recompute,
                      const std::function<void(uint64_t, uint64_t)>& progress) {
  if (record->total == 0) record->total = CountProfiles();
  std::string after;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Unavailable("shutting down");
    }
    // Page through profile ids with a fresh iterator per chunk (no long-lived snapshot).
    std::vector<std::string> pids;
    auto it = store_.NewIterator(storage::Keyspace::kProfiles, "", "");
    if (after.empty()) it->SeekToFirst(); else it->Seek(after + '\0');
    for (; it->Valid() && pids.size() < kChunk; it->Next()) {
      std::string_view key = it->key();
      if (key.size() < 2) continue;
      after = std::string(key);
      pids.emplace_back(key.substr(1, key.size() - 2));  // "{pid}" -> pid
    }
    TAILOR_RETURN_IF_ERROR(it->status());
    if (pids.empty()) break;
    TAILOR_RETURN_IF_ERROR(pipeline_.Refresh(pids, snapshot, recompute));
    record->done += pids.size();
    if (record->done > record->total) record->total = record->done;
    if (progress) progress(record->done, record->total);
    if (record->done % (kChunk * 16) == 0) Save(*record).IgnoreError();
  }
  record->total = record->done;
  return Status::OK();
}

std::string JobRunner::FeatureDigests(const IngestSnapshot& snapshot) {
  std::string out;
  if (!snapshot.features) return out;
  for (size_t i = 0; i < snapshot.features->specs().size(); ++i) {
    out += snapshot.features->specs()[i].name + "=" + snapshot.features->Digest(i) + ";";
  }
  return out;
}

Status JobRunner::MarkBackfilled(const IngestSnapshot& snapshot) {
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kMeta, "features_backfilled", FeatureDigests(snapshot));
  return store_.Write(b);
}

Result<bool> JobRunner::NeedsBackfill(const IngestSnapshot& snapshot) {
  TAILOR_ASSIGN_OR_RETURN(auto done, store_.Get(storage::Keyspace::kMeta, "features_backfilled"));
  std::string want = FeatureDigests(snapshot);
  if (!done) return !want.empty();
  return *done != want;
}

Status JobRunner::RunNow(const IngestSnapshot& snapshot, bool recompute_features,
                         const std::function<void(uint64_t, uint64_t)>& progress) {
  JobRecord r;
  r.total = CountProfiles();
  TAILOR_RETURN_IF_ERROR(Run(&r, snapshot, recompute_features, progress));
  return recompute_features ? MarkBackfilled(snapshot) : Status::OK();
}

Status JobRunner::RecordSegmentSizes(const IngestSnapshot& snapshot) {
  if (!snapshot.segments || snapshot.segments->empty()) return Status::OK();
  int64_t now = clock_.NowMs();
  storage::WriteBatch b;
  for (const auto& spec : snapshot.segments->specs()) {
    std::string prefix = storage::SegmentMemberPrefix(spec.name);
    auto it = store_.NewIterator(storage::Keyspace::kSegmentMembers, prefix, storage::PrefixEnd(prefix));
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    TAILOR_RETURN_IF_ERROR(it->status());
    b.Put(storage::Keyspace::kSegmentSizes, storage::SegmentSizeKey(spec.name, now), std::to_string(n));
  }
  return store_.Write(b);
}

Result<std::vector<std::pair<int64_t, uint64_t>>> JobRunner::SizeHistory(std::string_view segment,
                                                                         size_t limit) {
  std::string prefix = storage::SegmentMemberPrefix(segment);
  auto it = store_.NewIterator(storage::Keyspace::kSegmentSizes, prefix, storage::PrefixEnd(prefix));
  std::vector<std::pair<int64_t, uint64_t>> out;
  for (it->SeekToLast(); it->Valid() && out.size() < limit; it->Prev()) {
    auto at = storage::DecodeSegmentSizeTime(it->key());
    if (!at) return Corruption("malformed segment size key");
    out.emplace_back(*at, std::strtoull(std::string(it->value()).c_str(), nullptr, 10));
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::optional<JobRecord>> JobRunner::Get(std::string_view id) {
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kJobs, id));
  if (!raw) return std::optional<JobRecord>();
  TAILOR_ASSIGN_OR_RETURN(JobRecord r, JobRecord::FromJson(*raw));
  return std::optional<JobRecord>(std::move(r));
}

Result<std::vector<JobRecord>> JobRunner::List(size_t limit) {
  std::vector<JobRecord> out;
  auto it = store_.NewIterator(storage::Keyspace::kJobs, "", "");
  for (it->SeekToLast(); it->Valid() && out.size() < limit; it->Prev()) {
    TAILOR_ASSIGN_OR_RETURN(JobRecord r, JobRecord::FromJson(it->value()));
    out.push_back(std::move(r));
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace tailor::ingest
