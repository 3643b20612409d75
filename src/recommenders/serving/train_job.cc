#include "recommenders/serving/train_job.h"

namespace tailor::recommenders {

Result<std::string> StartTrainJob(ingest::JobRunner& jobs, RecService& recs,
                                  const std::string& name, bool promote, std::string reason) {
  TAILOR_RETURN_IF_ERROR(recs.CheckConfigured(name));
  RecService* service = &recs;
  return jobs.StartTask(
      "model_train", name, std::move(reason),
      [service, name, promote](const ingest::TaskProgressFn& progress) -> Result<std::string> {
        TAILOR_ASSIGN_OR_RETURN(Json record, service->Train(name, promote, progress));
        return record.dump();
      });
}

}  // namespace tailor::recommenders
