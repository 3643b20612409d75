// Explain: turns a decision record into "why did this person see this" — which rules
// were tried in which order, whether each matched, on what values, and why a default
// served.
#pragma once

#include "core/json_doc.h"
#include "decision/decision_config.h"

namespace tailor::decision {

// `record` is a stored decision (DecisionLog::Get). `config` is the decision config of
// the record's config version, or null when that version is no longer available (the
// explanation then lacks the conditions but keeps outcomes and values).
Json Explain(const Json& record, const DecisionConfig* config);

}  // namespace tailor::decision
