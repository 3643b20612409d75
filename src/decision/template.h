// Template: a compiled mustache template (kainjow mustache, Debian
// libkainjow-mustache-dev) rendered against JSON data. The kainjow header stays in
// template.cc.
//
//   auto t = Template::Compile("Welcome back, {{traits.first_name}}");
//   std::string s = (*t)->Render({&profile_doc, &context_doc});  // first layer wins
//
// Thread safety: Render is safe to call concurrently (each call locks one of a few
// private copies of the parsed template; kainjow's render is not const).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"

namespace tailor::decision {

class Template {
 public:
  // Parses `text`; kInvalidArgument with kainjow's message when it is malformed.
  static Result<std::shared_ptr<const Template>> Compile(std::string_view text);
  ~Template();

  // Renders with variables looked up in `layers` (JSON objects), first layer first.
  // Missing variables render as empty strings (mustache semantics).
  std::string Render(std::initializer_list<const Json*> layers) const;

  const std::string& text() const { return text_; }
  // The top-level names the template reads ("traits", "context" ...), sorted.
  const std::vector<std::string>& roots() const { return roots_; }

 private:
  struct Impl;
  Template(std::string text, std::unique_ptr<Impl> impl, std::vector<std::string> roots);
  std::string text_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> roots_;
};

}  // namespace tailor::decision
