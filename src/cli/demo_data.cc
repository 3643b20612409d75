#include "cli/demo_data.h"

#include <random>
#include <vector>

#include "core/json_util.h"

namespace tailor::cli {

namespace {

const std::vector<std::string> kCategories = {"shoes", "jackets", "bags", "hats", "socks",
                                              "shirts"};
const std::vector<std::string> kChannels = {"web", "web", "web", "app", "email"};
const std::vector<std::string> kNames = {"Ada", "Linus", "Grace", "Ken", "Barbara",
                                         "Dennis", "Frances", "Edsger", "Zoë", "Jürgen"};

}  // namespace

uint64_t GenerateDemoEvents(const DemoOptions& o,
                            const std::function<void(const std::string&)>& emit) {
  std::mt19937_64 rng(o.seed);
  uint64_t n = 0;
  int64_t start = o.now_ms - static_cast<int64_t>(o.days) * 86'400'000;
  for (int u = 0; u < o.users; ++u) {
    std::string uid = "user-" + std::to_string(u);
    std::string anon = "anon-" + std::to_string(u);
    bool registered = u % 3 != 0;
    const std::string& fav = kCategories[rng() % kCategories.size()];
    int sessions = 1 + static_cast<int>(rng() % 8);
    int64_t t = start + static_cast<int64_t>(rng() % (o.days * 86'400'000LL / 2));
    auto event = [&](const std::string& type, bool identified, const std::string& extra) {
      std::string e = "{\"event_id\":\"demo-" + std::to_string(u) + "-" + std::to_string(n) +
                      "\",\"type\":\"" + type + "\",";
      e += identified ? "\"user_id\":\"" + uid + "\"" : "\"anonymous_id\":\"" + anon + "\"";
      if (identified && type == "identify") e += ",\"anonymous_id\":\"" + anon + "\"";
      e += ",\"timestamp\":" + std::to_string(t);
      e += ",\"context\":{\"channel\":\"" + kChannels[rng() % kChannels.size()] +
           "\",\"locale\":\"en-GB\"}";
      e += extra + "}";
      emit(e);
      ++n;
    };
    event("consent", false,
          ",\"consent\":{\"purposes\":{\"analytics\":true,\"personalization\":" +
              std::string(rng() % 5 ? "true" : "false") + "},\"source\":\"banner\"}");
    bool identified = false;
    for (int s = 0; s < sessions && t < o.now_ms; ++s) {
      int views = 1 + static_cast<int>(rng() % 6);
      for (int v = 0; v < views; ++v) {
        const std::string& cat = rng() % 3 ? fav : kCategories[rng() % kCategories.size()];
        std::string item = cat + "-" + std::to_string(rng() % 20);
        event("page_view", identified,
              ",\"properties\":{\"page\":\"/p/" + item + "\",\"item_id\":\"" + item +
                  "\",\"category\":\"" + cat + "\"}");
        t += 20'000 + static_cast<int64_t>(rng() % 120'000);
        if (rng() % 4 == 0) {
          event("add_to_cart", identified,
                ",\"properties\":{\"item_id\":\"" + item + "\",\"category\":\"" + cat +
                    "\",\"price\":" + std::to_string(10 + rng() % 190) + "}");
          t += 10'000;
        }
      }
      if (registered && !identified) {
        std::string name;
        AppendJsonString(&name, kNames[rng() % kNames.size()]);
        event("identify", true,
              ",\"traits\":{\"first_name\":" + name + ",\"plan\":\"" +
                  (rng() % 4 ? "free" : "pro") + "\"}");
        identified = true;
      }
      if (rng() % 3 == 0) {
        event("purchase", identified,
              ",\"properties\":{\"order_id\":\"o-" + std::to_string(u) + "-" + std::to_string(s) +
                  "\",\"revenue\":" + std::to_string(15 + rng() % 300) + ".5,\"currency\":\"EUR\"}");
      }
      t += 3'600'000 + static_cast<int64_t>(rng() % (3 * 86'400'000LL));
    }
  }
  return n;
}

std::string DemoSchemasYaml() {
  return R"(# Demo shop: event schemas for the properties of each event type.
events:
  schemas:
    page_view:
      type: object
      required: [page]
      properties:
        page: {type: string}
        item_id: {type: string}
        category: {type: string}
    add_to_cart:
      type: object
      required: [item_id, price]
      properties:
        item_id: {type: string}
        category: {type: string}
        price: {type: number, minimum: 0}
    purchase:
      type: object
      required: [order_id, revenue]
      properties:
        order_id: {type: string}
        revenue: {type: number, minimum: 0}
        currency: {type: string, pattern: "^[A-Z]{3}$"}
consent:
  purposes: [analytics, personalization, marketing]
  required_for_storage: analytics
sessions:
  inactivity_gap: 30m
features:
  purchases_30d:     {type: count, events: [purchase], window: 30d}
  revenue_90d:       {type: sum, events: [purchase], field: properties.revenue, window: 90d}
  last_purchase_at:  {type: last, events: [purchase], field: timestamp}
  since_purchase:    {type: recency, events: [purchase]}
  big_orders:        {type: count, events: [purchase], where: {"properties.revenue": {"$gte": 200}}}
  category_affinity: {type: decayed_top, events: [page_view, add_to_cart, purchase], field: properties.category,
                      weights: {page_view: 1, add_to_cart: 3, purchase: 5}, half_life: 7d, top: 3}
  sessions_30d:      {type: sessions, window: 30d}
  pages_per_session: {type: pages_per_session, events: [page_view], window: 30d}
segments:
  repeat_buyers: {description: "Two or more purchases in 30 days", condition: {"features.purchases_30d": {"$gte": 2}}}
  vip:           {parent: repeat_buyers, condition: {"features.revenue_90d": {"$gte": 300}}}
  lapsed:        {description: "Bought before, but not for 7 days", condition: {"features.since_purchase": {"$gt": 604800000}}}
  shoe_lovers:   {condition: {"features.category_affinity": {"$elemMatch": {"$eq": "shoes"}}}}
  pro_plan:      {condition: {"traits.plan": "pro"}}
content:
  generic_hero: {variants: {web: {template: "Welcome to the shop"}, email: {template: "News from the shop"}}}
  vip_hero:     {variants: {web: {template: "Welcome back, {{traits.name}}: your VIP picks are in"}}}
  shoe_sale:    {variants: {default: {template: "Shoes at 20% off", value: {discount: 20, category: shoes}}},
                 cap: {max: 3, window: 1d}}
  winback:      {variants: {email: {template: "We miss you, {{traits.name}}"}, push: {template: "Come back for 10% off"}}}
campaigns:
  winback: {description: "At most one win-back message a day across email and push", cap: {max: 1, window: 1d}}
decisions:
  global_default: {content: generic_hero}
  consent_purpose: personalization
placements:
  home_hero:
    rules:
      - {name: vip, when: {"segments": {"$elemMatch": {"$eq": "vip"}}}, serve: {content: vip_hero}}
      - {name: shoes, when: {"segments": {"$elemMatch": {"$eq": "shoe_lovers"}}}, serve: {content: shoe_sale}}
    default: {content: generic_hero}
  winback_email:
    priority: 10
    rules:
      - {name: lapsed, campaign: winback, when: {"segments": {"$elemMatch": {"$eq": "lapsed"}}}, serve: {content: winback}}
    default: {flag: none}
  winback_push:
    priority: 5
    rules:
      - {name: lapsed, campaign: winback, when: {"segments": {"$elemMatch": {"$eq": "lapsed"}}}, serve: {content: winback}}
    default: {flag: none}
)";
}

}  // namespace tailor::cli
