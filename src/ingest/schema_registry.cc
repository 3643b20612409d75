#include "ingest/schema_registry.h"

#include <simdjson.h>

#include <exception>
#include <optional>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "core/json_doc.h"
#include "core/json_util.h"
#include "ingest/event_codec.h"
#include "ingest/schema_program.h"
#include "ingest/valijson_dom_adapter.h"

namespace tailor::ingest {

struct SchemaRegistry::Compiled {
  valijson::Schema schema;
  std::optional<SchemaProgram> program;  // when the schema is in the program subset
};

namespace {

std::string SchemaPath(std::string_view type) {
  std::string path = "events.schemas";
  AppendPathMember(&path, type);
  return path;
}

// Parses and compiles one schema, and returns its parsed form through `doc` when not
// null; every valijson/nlohmann exception stops here.
Status CompileInto(std::string_view type, std::string_view schema_json, valijson::Schema* schema,
                   Json* doc_out = nullptr) {
  std::string path = SchemaPath(type);
  if (!IsValidEventType(type)) {
    return InvalidArgument(
        "'" + std::string(type) + "' is not a valid event type name (^[a-z][a-z0-9_]{0,63}$)",
        path);
  }
  Result<Json> doc = ParseJsonObject(schema_json);
  if (!doc.ok()) {
    return InvalidArgument("schema for event type '" + std::string(type) +
                               "' is not a JSON object: " + doc.status().message(),
                           path);
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(*doc);
    // No fetchDoc callback: a remote $ref throws, and we never fetch at runtime.
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    return InvalidArgument(
        "schema for event type '" + std::string(type) + "' is invalid: " + e.what(), path);
  }
  if (doc_out != nullptr) *doc_out = std::move(*doc);
  return Status::OK();
}

// Converts valijson's context (["<root>", "[items]", "[0]", "[price]"]) to a dot path
// under "properties". valijson writes object keys and array indexes alike as "[x]", so
// the instance document decides which one each step is.
std::string ContextToPath(const std::vector<std::string>& context, const Json& instance) {
  std::string path = "properties";
  const Json* node = &instance;
  for (size_t i = 1; i < context.size(); ++i) {
    std::string_view step = context[i];
    if (step.size() >= 2 && step.front() == '[' && step.back() == ']') {
      step = step.substr(1, step.size() - 2);
    }
    if (node != nullptr && node->is_array()) {
      size_t index = 0;
      bool digits = !step.empty();
      for (char c : step) {
        if (c < '0' || c > '9')
          digits = false;
        else
          index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (digits && index < node->size()) {
        AppendPathIndex(&path, index);
        node = &(*node)[index];
        continue;
      }
    }
    AppendPathMember(&path, step);
    if (node != nullptr && node->is_object()) {
      auto it = node->find(std::string(step));
      node = it == node->end() ? nullptr : &*it;
    } else {
      node = nullptr;
    }
  }
  return path;
}

// valijson reports the failure at every level ("Object property failed validation" at
// the root, the real cause deeper); the deepest, first-reported error is the useful one.
const valijson::ValidationResults::Error* MostSpecific(const valijson::ValidationResults& results) {
  const valijson::ValidationResults::Error* best = nullptr;
  for (const auto& e : results) {
    if (best == nullptr || e.context.size() > best->context.size()) best = &e;
  }
  return best;
}

}  // namespace

bool IsBuiltinEventType(std::string_view type) {
  return type == "identify" || type == "consent" || type == "alias";
}

SchemaRegistry::~SchemaRegistry() = default;

Result<std::shared_ptr<const SchemaRegistry>> SchemaRegistry::Compile(
    const IngestConfig& config, const SchemaRegistryOptions& options) {
  std::shared_ptr<SchemaRegistry> registry(new SchemaRegistry());  // private constructor
  registry->strict_ = config.strict;
  for (const auto& [type, text] : config.schemas) {
    auto compiled = std::make_unique<Compiled>();
    Json doc;
    TAILOR_RETURN_IF_ERROR(CompileInto(type, text, &compiled->schema, &doc));
    if (options.compiled_programs) {
      // A schema outside the subset is not an error: valijson alone validates it.
      Result<SchemaProgram> program = SchemaProgram::Compile(doc);
      if (program.ok()) compiled->program = std::move(program).value();
    }
    registry->schemas_.emplace(type, std::move(compiled));
  }
  return std::shared_ptr<const SchemaRegistry>(std::move(registry));
}

bool SchemaRegistry::HasSchema(std::string_view type) const {
  return schemas_.find(type) != schemas_.end();
}

bool SchemaRegistry::HasProgram(std::string_view type) const {
  auto it = schemas_.find(type);
  return it != schemas_.end() && it->second->program.has_value();
}

Status SchemaRegistry::Validate(const Event& event) const {
  auto it = schemas_.find(std::string_view(event.type));
  if (it == schemas_.end()) {
    if (!strict_ || IsBuiltinEventType(event.type)) return Status::OK();
    return InvalidArgument("unknown event type '" + event.type +
                               "': add a schema under events.schemas or turn off events.strict",
                           "type");
  }
  // One parser and one Validator per thread: the parser keeps its buffers, and the
  // Validator caches compiled `pattern` regexes, without sharing mutable state between
  // threads.
  thread_local dom::parser parser;
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  const Compiled& compiled = *it->second;
  const valijson::Schema& schema = compiled.schema;
  std::string_view text = event.properties_json;
  if (text.empty()) text = "{}";
  try {
    dom::element root;
    const bool parsed = parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS;
    // Fastest path: the compiled program, when the schema has one. Most events pass, so
    // that is all they cost; its "no" is only a reason to ask valijson.
    if (parsed && compiled.program && compiled.program->Accepts(root)) return Status::OK();
    // Fast path: valijson over the simdjson DOM without a results sink (it stops at the
    // first failed constraint).
    if (parsed && validator.validate(schema, DomAdapter(root), nullptr)) return Status::OK();
    // Slow path (invalid events, or text simdjson refused): the nlohmann tree, whose
    // member order fixes which error is reported first and lets ContextToPath tell
    // array indexes from keys.
    Json instance = Json::parse(text.begin(), text.end());
    valijson::adapters::NlohmannJsonAdapter target(instance);
    if (validator.validate(schema, target, nullptr)) return Status::OK();
    valijson::ValidationResults results;
    validator.validate(schema, target, &results);
    const valijson::ValidationResults::Error* error = MostSpecific(results);
    if (error == nullptr) {
      return InvalidArgument("properties do not match the schema of '" + event.type + "'",
                             "properties");
    }
    return InvalidArgument(error->description + " (schema of event type '" + event.type + "')",
                           ContextToPath(error->context, instance));
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("properties is not valid JSON: ") + e.what(), "properties");
  } catch (const std::exception& e) {
    // e.g. std::regex_error from a `pattern` valijson compiles lazily.
    return InvalidArgument(
        "schema of event type '" + event.type + "' could not be evaluated: " + e.what(),
        SchemaPath(event.type));
  }
}

Status ValidateSchemaText(std::string_view type, std::string_view schema_json) {
  valijson::Schema schema;
  return CompileInto(type, schema_json, &schema);
}

}  // namespace tailor::ingest
