// Template: a compiled mustache template (kainjow mustache, Debian
// libkainjow-mustache-dev) rendered against JSON data. The kainjow header stays in
// template.cc.
//
//   auto t = Template::Compile("Welcome back, {{traits.first_name}}");
//   std::string s = (*t)->Render(profile_doc, &request_context);
//
// Thread safety: Render is safe to call concurrently (each call locks one of a few
// private copies of the parsed template; kainjow's render is not const).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"
#include "decision/flat_json.h"

namespace tailor::decision {

class Template {
 public:
  // Parses `text`; kInvalidArgument with kainjow's message when it is malformed.
  static Result<std::shared_ptr<const Template>> Compile(std::string_view text);
  ~Template();

  // Renders with variables looked up in `doc` (a JSON object), except the name
  // `context`, which is `*context` when given. Missing variables render as empty strings
  // (mustache semantics).
  std::string Render(const Json& doc, const Json* context = nullptr) const;
  // The same, reading `doc` from `view` (FlatJson(doc)) where it can, and the context
  // from `context` (a flat object, may be null): the decision path.
  std::string Render(const FlatJson& view, const Json& doc, const FlatJson* context) const;

  const std::string& text() const { return text_; }
  // The template may read the request's time of day (context.time, or a context section).
  bool reads_time() const {
    return text_.find("context.time") != std::string::npos || text_.find("{{#context") != std::string::npos ||
           text_.find("{{^context") != std::string::npos;
  }

 private:
  struct Impl;
  Template(std::string text, std::unique_ptr<Impl> impl);
  // A template of text and {{name}} only, rendered without kainjow; false when a
  // variable's value needs kainjow's rules (booleans, lists, objects).
  bool RenderSimple(const Json& doc, const Json* context, std::string* out) const;
  static bool AppendSimpleVariable(const Json& doc, const Json* context, std::string_view name,
                                   std::string* out);
  // Appends flat value `i` as mustache prints it; false when it needs kainjow's rules.
  static bool AppendFlat(const FlatJson& f, FlatJson::Index i, std::string* out);
  std::string RenderKainjow(const Json& doc, const Json* context) const;
  std::string text_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::decision
