// Background jobs over all profiles: the feature backfill (after a feature definition
// changed or was added) and the segment refresh (time-based segment entry and expiry).
// One job runs at a time on its own thread; progress is stored in the jobs keyspace so
// `GET /v1/jobs/{id}` and the CLI's progress bar can follow it.
//
// Tasks (StartTask) are other long work started over HTTP, e.g. model training: a
// function run on a second thread (one task at a time, in order), so a training never
// waits behind a profile pass and vice versa. They share the records and routes.
//
// Thread safety: safe for concurrent use. The destructor stops and joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "ingest/pipeline.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

struct JobRecord {
  std::string id;             // ULID
  std::string kind;           // "feature_backfill" or "segment_refresh"
  std::string state;          // "queued", "running", "done", "failed", "cancelled"
  uint64_t total = 0;         // profiles to visit (estimate at start)
  uint64_t done = 0;          // profiles visited
  uint64_t config_version = 0;
  int64_t created_at_ms = 0;
  int64_t finished_at_ms = 0;
  std::string error;
  std::string reason;         // why it runs ("features changed: purchases_30d")
  std::string subject;        // what a task works on ("for_you"); "" for profile passes
  std::string stage;          // a task's current step ("fit"); "" when none
  std::string result;         // a task's result, JSON text; "" when none


  std::string ToJson() const;
  static Result<JobRecord> FromJson(std::string_view json);
};

// What a task reports while it runs: a stage name and the fraction done in [0, 1].
// Called from the task's thread only.
using TaskProgressFn = std::function<void(std::string_view stage, double fraction)>;
// A task: does the work, reporting progress; returns its result as JSON text.
using TaskFn = std::function<Result<std::string>(const TaskProgressFn& progress)>;

class JobRunner {
 public:
  // All references must outlive the runner.
  JobRunner(storage::KvStore& store, Pipeline& pipeline, const Clock& clock, Random& random);
  ~JobRunner();

  // Queues a pass over every profile under `snapshot`. With `recompute_features`, feature
  // states are rebuilt from stored history (backfill); otherwise only segments are
  // re-evaluated. A queued job of the same kind is replaced. Returns the job id.
  Result<std::string> Start(std::shared_ptr<const IngestSnapshot> snapshot, uint64_t config_version,
                            bool recompute_features, std::string reason);

  // Counts the members of every segment of `snapshot` (membership index) and appends
  // the sizes to the size history. Called after refresh and backfill jobs and on the
  // server's refresh interval.
  Status RecordSegmentSizes(const IngestSnapshot& snapshot);

  // The recorded sizes of `segment`, newest first: (time ms, size).
  Result<std::vector<std::pair<int64_t, uint64_t>>> SizeHistory(std::string_view segment, size_t limit);

  // True when the feature definitions of `snapshot` differ from the last completed
  // backfill's (or none ran and features exist).
  Result<bool> NeedsBackfill(const IngestSnapshot& snapshot);

  // Queues `fn` as a task of `kind` on `subject` (progress as done/total per mille).
  // When a task of the same kind and subject is queued or running, returns that task's
  // id and drops `fn`. Returns the job id; the store's error when the record cannot be
  // written (nothing queued then).
  Result<std::string> StartTask(std::string kind, std::string subject, std::string reason,
                                TaskFn fn);

  Result<std::optional<JobRecord>> Get(std::string_view id);
  Result<std::vector<JobRecord>> List(size_t limit);

  // Runs a job synchronously on the caller's thread (offline CLI), calling `progress`
  // after every chunk.
  Status RunNow(const IngestSnapshot& snapshot, bool recompute_features,
                const std::function<void(uint64_t done, uint64_t total)>& progress);

 private:
  struct Pending {
    JobRecord record;
    std::shared_ptr<const IngestSnapshot> snapshot;
    bool recompute = false;
  };
  struct PendingTask {
    JobRecord record;
    TaskFn fn;
  };
  void Loop();
  void TaskLoop();
  void RunTask(PendingTask* task);
  Status Run(JobRecord* record, const IngestSnapshot& snapshot, bool recompute,
             const std::function<void(uint64_t, uint64_t)>& progress);
  Status Save(const JobRecord& r);
  Status MarkBackfilled(const IngestSnapshot& snapshot);
  static std::string FeatureDigests(const IngestSnapshot& snapshot);
  uint64_t CountProfiles();

  storage::KvStore& store_;
  Pipeline& pipeline_;
  const Clock& clock_;
  Random& random_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;       // GUARDED_BY(mu_)
  std::vector<PendingTask> tasks_;  // GUARDED_BY(mu_)
  JobRecord running_task_;          // GUARDED_BY(mu_); id "" when none runs
  std::thread thread_;
  std::thread task_thread_;
};

}  // namespace tailor::ingest
