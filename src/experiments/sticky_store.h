// StickyStore: remembers which variation a user was given so that later changes to an
// experiment's weights or coverage do not move them. Keyed by the experiment's key AND
// seed: re-randomizing an experiment (a new seed) deliberately forgets every assignment.
//
// Tailor keeps assignment pure; the integrator decides where sticky assignments live (the
// profile, a keyspace) by implementing this interface. InMemoryStickyStore is for tests
// and tools.
//
// Thread safety: implementations say; InMemoryStickyStore is not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace tailor::experiments {

// Identifies one user's assignment in one randomization of one experiment. Views only:
// building a key never allocates.
struct StickyKey {
  std::string_view hash_attribute;  // "id"
  std::string_view hash_value;      // "user-42"
  std::string_view experiment_key;
  std::string_view seed;
};

class StickyStore {
 public:
  virtual ~StickyStore() = default;
  // The variation recorded for `key`, or nullopt. Must not allocate on a hit or a miss if
  // it can avoid it (it runs on the decision path).
  virtual std::optional<int> Lookup(const StickyKey& key) const = 0;
  // Records `variation` for `key`, replacing any earlier one. A store that persists must
  // handle (log, retry) its own write failures: assignment has already been decided.
  virtual void Record(const StickyKey& key, int variation) = 0;
};

class InMemoryStickyStore final : public StickyStore {
 public:
  std::optional<int> Lookup(const StickyKey& key) const override;
  void Record(const StickyKey& key, int variation) override;
  size_t size() const { return map_.size(); }

 private:
  using Owned = std::tuple<std::string, std::string, std::string, std::string>;
  struct Less {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) < View(b);
    }
    using Views =
        std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;
    static Views View(const Owned& o) {
      return {std::get<0>(o), std::get<1>(o), std::get<2>(o), std::get<3>(o)};
    }
    static Views View(const StickyKey& k) {
      return {k.hash_attribute, k.hash_value, k.experiment_key, k.seed};
    }
  };
  std::map<Owned, int, Less> map_;
};

}  // namespace tailor::experiments
