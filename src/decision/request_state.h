// Internal to decision/: the state one Decide call shares between its placements
// (engine.cc, replay.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "decision/engine.h"

namespace tailor::decision {

// What one Decide call shares between its placements.
struct DecisionEngine::RequestState {
  const DecideRequest& request;
  const DecisionInputs& in;
  const DecisionConfig& config;
  std::shared_ptr<const ProfileView> view;
  const FlatJson* context = nullptr;  // completed (channel, time)
  std::string unit_id;  // user id, else anonymous id: rollouts and providers hash it
  std::string channel;
  int64_t now_ms = 0;
  int64_t started_us = 0;
  // When the placement being decided started (steady µs): its latency and the time-budget
  // check read it instead of the clock (clock reads are ~3 % of a decision in a VM).
  int64_t placement_started_us = 0;
  bool consented = true;
  // Impressions granted earlier in this request, by cap key: two placements of one
  // request never both spend a campaign's last slot.
  std::vector<std::string> granted;
  // True while shadow rules (or a replay) are evaluated: providers must not record.
  bool shadow_pass = false;
};

}  // namespace tailor::decision
