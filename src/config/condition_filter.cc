#include "config/condition_filter.h"

namespace tailor::config {

namespace {

class ConditionFilter final : public profile::EventFilter {
 public:
  explicit ConditionFilter(condition::Condition c) : condition_(std::move(c)) {}
  bool Matches(const condition::Document& event_doc) const override {
    return condition_.Evaluate(event_doc);
  }

 private:
  condition::Condition condition_;
};

}  // namespace

Result<std::shared_ptr<const profile::EventFilter>> CompileEventFilter(const Json& where) {
  TAILOR_ASSIGN_OR_RETURN(condition::Condition c, condition::Condition::Compile(where));
  return std::shared_ptr<const profile::EventFilter>(std::make_shared<ConditionFilter>(std::move(c)));
}

}  // namespace tailor::config
