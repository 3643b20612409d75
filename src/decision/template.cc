#include "decision/template.h"

#include <algorithm>
#include <array>
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

// The first name segment of every tag ("traits" of {{traits.first_name}}, of
// {{#traits.vip}}...). Written by hand because kainjow does not expose its parse tree;
// it only decides which parts of the data are converted, never what is rendered.
std::vector<std::string> TagRoots(std::string_view text) {
  std::vector<std::string> roots;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    pos += 2;
    while (pos < text.size() && (text[pos] == '{' || text[pos] == '#' || text[pos] == '^' ||
                                 text[pos] == '/' || text[pos] == '&' || text[pos] == ' ')) {
      ++pos;
    }
    size_t end = pos;
    while (end < text.size() && text[end] != '.' && text[end] != '}' && text[end] != ' ') ++end;
    if (end > pos && text[pos] != '!' && text[pos] != '>' && text[pos] != '=') {
      roots.emplace_back(text.substr(pos, end - pos));
    }
    pos = end;
  }
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  return roots;
}

}  // namespace

struct Template::Impl {
  struct Copy {
    std::mutex mu;
    std::unique_ptr<mstch::mustache> tmpl;
  };
  std::array<Copy, kCopies> copies;
};

Template::Template(std::string text, std::unique_ptr<Impl> impl, std::vector<std::string> roots)
    : text_(std::move(text)), impl_(std::move(impl)), roots_(std::move(roots)) {}
Template::~Template() = default;

Result<std::shared_ptr<const Template>> Template::Compile(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  for (auto& c : impl->copies) {
    c.tmpl = std::make_unique<mstch::mustache>(std::string(text));
    if (!c.tmpl->is_valid()) {
      return InvalidArgument("invalid mustache template: " + c.tmpl->error_message());
    }
  }
  return std::shared_ptr<const Template>(
      new Template(std::string(text), std::move(impl), TagRoots(text)));
}

std::string Template::Render(std::initializer_list<const Json*> layers) const {
  mstch::data data{mstch::data::type::object};
  for (const std::string& root : roots_) {
    for (const Json* layer : layers) {
      if (layer == nullptr || !layer->is_object()) continue;
      auto it = layer->find(root);
      if (it != layer->end()) {
        data.set(root, ToData(*it));
        break;
      }
    }
  }
  size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kCopies;
  for (size_t i = 0;; ++i) {
    auto& c = impl_->copies[(start + i) % kCopies];
    std::unique_lock lock(c.mu, std::try_to_lock);
    if (!lock.owns_lock()) {
      if (i + 1 < kCopies * 4) continue;
      lock.lock();  // everyone is busy: wait for our own slot
    }
    return c.tmpl->render(data);
  }
}

}  // namespace tailor::decision
