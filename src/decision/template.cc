#include "decision/template.h"

#include <algorithm>
#include <array>
#include <deque>
#include <string_view>
#include <functional>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <thread>

namespace tailor::decision {

namespace mstch = kainjow::mustache;

namespace {

constexpr size_t kCopies = 4;

mstch::data ToData(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      mstch::data d{mstch::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case Json::value_t::array: {
      mstch::data d{mstch::data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case Json::value_t::string:
      return mstch::data(j.get_ref<const std::string&>());
    case Json::value_t::boolean:
      return j.get<bool>() ? mstch::data(mstch::data::type::bool_true)
                           : mstch::data(mstch::data::type::bool_false);
    case Json::value_t::null:
      return mstch::data(std::string());
    default:  // numbers: their JSON text ("3", "4.5")
      return mstch::data(j.dump());
  }
}

// The JSON value `name` ("traits.first_name", "context.page") refers to in `doc`, or in
// `context` for names under "context"; null when there is none.
const Json* ResolveName(const Json& doc, const Json* context, std::string_view name) {
  size_t dot = name.find('.');
  std::string_view first = name.substr(0, dot);
  const Json* at = nullptr;
  if (first == "context" && context != nullptr) {
    at = context;
  } else if (doc.is_object()) {
    auto it = doc.find(first);
    if (it == doc.end()) return nullptr;
    at = &*it;
  } else {
    return nullptr;
  }
  while (dot != std::string_view::npos) {
    size_t start = dot + 1;
    dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (at->is_object()) {
      auto it = at->find(part);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array() && !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos &&
               part.size() < 10 && static_cast<size_t>(std::stoul(std::string(part))) < at->size()) {
      at = &(*at)[std::stoul(std::string(part))];
    } else {
      return nullptr;
    }
  }
  return at;
}

// A mustache context that resolves names straight from the JSON documents and converts
// only the values a template actually reads (the kainjow default would need the whole
// profile converted to its data type first). Sections push their data as usual; names
// are looked up in the pushed section data first, then in the documents.
class JsonContext final : public mstch::basic_context<std::string> {
 public:
  JsonContext(const Json& doc, const Json* context) : doc_(doc), context_(context) {}

  void push(const mstch::data* data) override { stack_.insert(stack_.begin(), data); }
  void pop() override { stack_.erase(stack_.begin()); }

  const mstch::data* get(const std::string& name) const override {
    if (name == ".") return stack_.empty() ? nullptr : stack_.front();
    for (const mstch::data* item : stack_) {
      const mstch::data* var = item;
      size_t start = 0;
      while (var != nullptr) {
        size_t dot = name.find('.', start);
        var = var->get(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      if (var != nullptr) return var;
    }
    const Json* j = Resolve(name);
    if (j == nullptr) return nullptr;
    arena_.push_back(ToData(*j));
    return &arena_.back();
  }

  const mstch::data* get_partial(const std::string&) const override { return nullptr; }

  // The JSON value a name refers to in the documents (not the section stack).
  const Json* Resolve(std::string_view name) const { return ResolveName(doc_, context_, name); }

 private:
  const Json& doc_;
  const Json* context_;
  std::vector<const mstch::data*> stack_;
  mutable std::deque<mstch::data> arena_;  // converted values; stable addresses
};

// A template made only of text and escaped variables ("Hello {{traits.first_name}}"),
// the common case, is rendered without kainjow (no stream, no data conversion, no lock)
// exactly as kainjow would render it: the variable's string HTML-escaped, a number as
// its JSON text, null or missing as nothing. Other values (booleans, lists, objects)
// and every other tag kind go through kainjow.
struct Piece {
  bool variable = false;
  std::string text;  // literal text, or the variable name
  // The name split at dots (views into `text`), array indexes parsed as ResolveName
  // does; set once the pieces are in place (SplitPaths).
  std::vector<condition::PathSegment> path;
};

void SplitPaths(std::vector<Piece>* pieces) {
  for (Piece& p : *pieces) {
    if (!p.variable) continue;
    std::string_view name = p.text;
    size_t start = 0;
    while (true) {
      size_t dot = name.find('.', start);
      std::string_view part =
          name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      int64_t index = -1;
      if (!part.empty() && part.size() < 10 &&
          part.find_first_not_of("0123456789") == std::string_view::npos) {
        index = static_cast<int64_t>(std::stoul(std::string(part)));
      }
      p.path.push_back({part, index});
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
}

// The pieces of `text`, or false when it has anything but literals and {{name}}.
bool SplitSimple(std::string_view text, std::vector<Piece>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out->push_back({false, std::string(text.substr(pos))});
      break;
    }
    if (open > pos) out->push_back({false, std::string(text.substr(pos, open - pos))});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return false;
    std::string_view name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty() || name == "." ||
        name.find_first_of("#^/!>&{}=<%\n\r \t") != std::string_view::npos) {
      return false;
    }
    out->push_back({true, std::string(name)});
    pos = close + 2;
  }
  return true;
}

void AppendHtmlEscaped(std::string* out, std::string_view s) {
  for (char ch : s) {
    switch (ch) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\'': *out += "&apos;"; break;
      default: *out += ch;
    }
  }
}

}  // namespace

struct Template::Impl {
  struct Copy {
    std::mutex mu;
    std::unique_ptr<mstch::mustache> tmpl;
  };
  std::array<Copy, kCopies> copies;
  bool simple = false;
  std::vector<Piece> pieces;  // when simple
};

Template::Template(std::string text, std::unique_ptr<Impl> impl)
    : text_(std::move(text)), impl_(std::move(impl)) {}
Template::~Template() = default;

Result<std::shared_ptr<const Template>> Template::Compile(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  for (auto& c : impl->copies) {
    c.tmpl = std::make_unique<mstch::mustache>(std::string(text));
    if (!c.tmpl->is_valid()) {
      return InvalidArgument("invalid mustache template: " + c.tmpl->error_message());
    }
  }
  impl->simple = SplitSimple(text, &impl->pieces);
  if (impl->simple) SplitPaths(&impl->pieces);
  return std::shared_ptr<const Template>(
      new Template(std::string(text), std::move(impl)));
}

std::string Template::Render(const Json& doc, const Json* context) const {
  if (impl_->simple) {
    std::string out;
    if (RenderSimple(doc, context, &out)) return out;
  }
  return RenderKainjow(doc, context);
}

std::string Template::Render(const FlatJson& view, const Json& doc, const FlatJson* context) const {
  auto kainjow = [&] {
    if (context == nullptr) return RenderKainjow(doc, nullptr);
    Json c = context->ToJson();
    return RenderKainjow(doc, &c);
  };
  if (!impl_->simple) return kainjow();
  std::string out;
  for (const Piece& p : impl_->pieces) {
    if (!p.variable) {
      out += p.text;
      continue;
    }
    if (p.path.front().key == "context") {
      FlatJson::Index i;
      if (context == nullptr ||
          !context->Lookup(FlatJson::kRoot, std::span(p.path).subspan(1), &i)) {
        continue;
      }
      if (!AppendFlat(*context, i, &out)) return kainjow();
      continue;
    }
    FlatJson::Index i;
    if (!view.Lookup(FlatJson::kRoot, p.path, &i)) continue;
    condition::ValueKind kind = view.Kind(i);
    if (kind == condition::ValueKind::kNull) continue;
    if (kind == condition::ValueKind::kString) {
      AppendHtmlEscaped(&out, view.GetString(i));
      continue;
    }
    // Numbers keep their JSON text (3 vs 3.0), which the JSON value knows best.
    if (!AppendSimpleVariable(doc, nullptr, p.text, &out)) return kainjow();
  }
  return out;
}

bool Template::AppendFlat(const FlatJson& f, FlatJson::Index i, std::string* out) {
  switch (f.Kind(i)) {
    case condition::ValueKind::kNull:
      return true;
    case condition::ValueKind::kString:
      AppendHtmlEscaped(out, f.GetString(i));
      return true;
    case condition::ValueKind::kNumber:
      f.AppendJson(out, i);
      return true;
    default:
      return false;  // booleans, lists and objects: kainjow's rules
  }
}

bool Template::RenderSimple(const Json& doc, const Json* context, std::string* out) const {
  for (const Piece& p : impl_->pieces) {
    if (!p.variable) {
      *out += p.text;
    } else if (!AppendSimpleVariable(doc, context, p.text, out)) {
      return false;
    }
  }
  return true;
}

bool Template::AppendSimpleVariable(const Json& doc, const Json* context, std::string_view name,
                                    std::string* out) {
  const Json* j = ResolveName(doc, context, name);
  if (j == nullptr || j->is_null()) return true;
  if (j->is_string()) {
    AppendHtmlEscaped(out, j->get_ref<const std::string&>());
  } else if (j->is_number()) {
    *out += j->dump();
  } else {
    return false;  // booleans, lists and objects: kainjow's rules
  }
  return true;
}

std::string Template::RenderKainjow(const Json& doc, const Json* context) const {
  JsonContext ctx(doc, context);
  size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kCopies;
  for (size_t i = 0;; ++i) {
    auto& c = impl_->copies[(start + i) % kCopies];
    std::unique_lock lock(c.mu, std::try_to_lock);
    if (!lock.owns_lock()) {
      if (i + 1 < kCopies * 4) continue;
      lock.lock();  // everyone is busy: wait for our own slot
    }
    return c.tmpl->render(ctx);
  }
}

}  // namespace tailor::decision
