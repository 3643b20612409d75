// The loader: parse every file, merge the sections, run each section's parser, then
// compute the canonical form and digest. Problems are collected, never thrown.
#include "config/config_loader.h"

#include <algorithm>

#include "config/sections.h"
#include "core/hash.h"

namespace tailor::config {
namespace {

std::string Where(const Value& v) {
  std::string out(v.file);
  if (v.line > 0) out += ":" + std::to_string(v.line);
  return out;
}

std::string DefinedTwice(const Value& first, const Value& second) {
  return "defined twice: in " + Where(first) + " and in " + Where(second);
}

// Sections and fields of all files, merged; pointers into `documents`.
class Merger {
 public:
  explicit Merger(ErrorList* errors) : errors_(errors) {
    for (const SectionSpec& spec : Sections()) section_names_.push_back(spec.name);
    merged_.resize(Sections().size());
    for (size_t i = 0; i < Sections().size(); ++i) merged_[i].name = Sections()[i].name;
  }

  void AddDocument(const Value& doc) {
    if (doc.is_null()) return;  // empty file or only comments
    if (!doc.is_map()) {
      errors_->Add(doc, "", "the top level must be a mapping of sections, got " +
                                std::string(doc.TypeName()));
      return;
    }
    for (const auto& [name, value] : doc.members) {
      auto it = std::find(section_names_.begin(), section_names_.end(), name);
      if (it == section_names_.end()) {
        errors_->Add(value, name, UnknownNameMessage("section", name, section_names_));
        continue;
      }
      size_t index = static_cast<size_t>(it - section_names_.begin());
      AddSection(Sections()[index], value, &merged_[index]);
    }
  }

  const std::vector<MergedSection>& merged() const { return merged_; }

 private:
  void AddSection(const SectionSpec& spec, const Value& value, MergedSection* out) {
    if (!ExpectMap(value, spec.name, errors_)) return;
    if (spec.entries_at_top) {  // e.g. features: {name: {...}, ...}
      AddEntries(value, std::string(spec.name), &out->collections[""]);
      return;
    }
    std::vector<std::string_view> field_names;
    for (const FieldSpec& f : spec.fields) field_names.push_back(f.name);
    for (const auto& member : value.members) {
      const std::string& name = member.key;
      const Value& field_value = member.value;
      std::string path = JoinPath(spec.name, name);
      auto field = std::find_if(spec.fields.begin(), spec.fields.end(),
                                [&](const FieldSpec& f) { return f.name == name; });
      if (field == spec.fields.end()) {
        errors_->Add(field_value, path, UnknownNameMessage("field", name, field_names));
        continue;
      }
      if (field->kind == FieldKind::kValue) {
        auto [it, inserted] = out->values.emplace(name, &field_value);
        if (!inserted) errors_->Add(field_value, path, DefinedTwice(*it->second, field_value));
        continue;
      }
      if (!ExpectMap(field_value, path, errors_)) continue;
      AddEntries(field_value, path, &out->collections[name]);
    }
  }

  // Adds the members of the mapping `value` as named entries; an entry defined in two
  // places is an error naming both.
  void AddEntries(const Value& value, const std::string& path,
                  std::vector<std::pair<std::string, const Value*>>* entries) {
    for (const auto& entry : value.members) {
      const std::string& entry_name = entry.key;
      const Value& entry_value = entry.value;
      auto dup = std::find_if(entries->begin(), entries->end(),
                              [&](const auto& e) { return e.first == entry_name; });
      if (dup != entries->end()) {
        errors_->Add(entry_value, JoinPath(path, entry_name), DefinedTwice(*dup->second, entry_value));
        continue;
      }
      entries->emplace_back(entry_name, &entry_value);
    }
  }

  ErrorList* errors_;
  std::vector<std::string_view> section_names_;
  std::vector<MergedSection> merged_;  // parallel to Sections()
};

}  // namespace

bool IsConfigFileName(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  return ends_with(".yaml") || ends_with(".yml") || ends_with(".json");
}

Result<ConfigSnapshot> LoadConfig(const ConfigFiles& files, const LoadOptions& options,
                                  std::vector<ConfigError>* errors_out) {
  ErrorList errors;
  // Keeps the documents alive while MergedSection points into them. One vector per file
  // so `file` views (the map's keys) and Value addresses stay stable.
  std::vector<std::vector<Value>> documents;
  documents.reserve(files.size());
  Merger merger(&errors);
  for (const auto& [name, text] : files) {
    if (!IsConfigFileName(name)) {
      errors.Add(ConfigError{name, 0, "", "unsupported file type; use .yaml, .yml or .json"});
      continue;
    }
    if (text.size() > kMaxConfigFileBytes) {
      errors.Add(ConfigError{name, 0, "", "file is larger than " +
                                              std::to_string(kMaxConfigFileBytes) + " bytes"});
      continue;
    }
    YamlParse parsed = ParseYaml(name, text);
    if (parsed.error) {
      errors.Add(std::move(*parsed.error));
      continue;
    }
    documents.push_back(std::move(parsed.documents));
    for (const Value& doc : documents.back()) merger.AddDocument(doc);
  }

  ConfigSnapshot snapshot;
  const auto& sections = Sections();
  for (size_t i = 0; i < sections.size(); ++i) {
    sections[i].parse(merger.merged()[i], options, &snapshot, &errors);
  }

  if (!errors.empty()) {
    std::vector<ConfigError>& list = errors.errors();
    std::stable_sort(list.begin(), list.end(), [](const ConfigError& a, const ConfigError& b) {
      return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    Status summary = SummarizeErrors(list);
    if (errors_out != nullptr) *errors_out = std::move(list);
    return summary;
  }
  if (errors_out != nullptr) errors_out->clear();
  snapshot.files = files;
  snapshot.digest = Sha256Hex(CanonicalJson(snapshot));
  return snapshot;
}

std::string CanonicalJson(const ConfigSnapshot& snapshot) {
  Json root = Json::object();  // nlohmann's default object is a std::map: keys sorted
  for (const SectionSpec& spec : Sections()) root[std::string(spec.name)] = spec.canonical(snapshot);
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ConfigSnapshot DefaultSnapshot() {
  ConfigSnapshot snapshot;
  ErrorList errors;  // empty sections cannot fail
  for (const SectionSpec& spec : Sections()) {
    MergedSection empty;
    empty.name = spec.name;
    spec.parse(empty, LoadOptions{}, &snapshot, &errors);
  }
  snapshot.digest = Sha256Hex(CanonicalJson(snapshot));
  return snapshot;
}

}  // namespace tailor::config
