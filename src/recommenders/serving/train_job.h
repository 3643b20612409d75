// StartTrainJob: the training of a configured recommender as a background task of the
// job runner (kind "model_train", subject: the recommender's name), with progress; the
// finished job's result is the version record. POST /v1/models/{name}/train and the
// server's retraining schedule both start trainings this way, so a training of one model
// is never queued twice.
#pragma once

#include <string>

#include "core/status.h"
#include "ingest/jobs.h"
#include "recommenders/serving/rec_service.h"

namespace tailor::recommenders {

// Returns the job id (that of a training of `name` already queued or running, if any).
// kNotFound naming "name" for a recommender not in the active config; the store's error
// when the job cannot be recorded. `jobs` and `recs` must outlive the job.
Result<std::string> StartTrainJob(ingest::JobRunner& jobs, RecService& recs,
                                  const std::string& name, bool promote, std::string reason);

}  // namespace tailor::recommenders
