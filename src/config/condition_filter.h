// Adapts a compiled condition (condition/) to the feature module's EventFilter, so a
// feature's `where` is written in the one condition language. Internal to config/.
#pragma once

#include <memory>

#include "condition/condition.h"
#include "profile/feature_spec.h"

namespace tailor::config {

// Compiles `where` (evaluated against {"type","timestamp","properties","context"}).
Result<std::shared_ptr<const profile::EventFilter>> CompileEventFilter(const Json& where);

}  // namespace tailor::config
