#include "core/json_doc.h"

#include "core/json_util.h"

namespace tailor {

Result<Json> ParseJson(std::string_view text) {
  // nlohmann reports errors by exception; they stop here (STYLE.md rule 2).
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                           std::string(e.what()));
  } catch (const Json::exception& e) {  // e.g. out_of_range.406: a number overflows
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
}

Result<Json> ParseJsonObject(std::string_view text) {
  TAILOR_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  if (!j.is_object()) return InvalidArgument("expected a JSON object", "$");
  return j;
}

void AppendJsonValue(std::string* out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      *out += '{';
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        if (!first) *out += ',';
        first = false;
        AppendJsonString(out, k);
        *out += ':';
        AppendJsonValue(out, v);
      }
      *out += '}';
      return;
    }
    case Json::value_t::array: {
      *out += '[';
      for (size_t i = 0; i < value.size(); ++i) {
        if (i) *out += ',';
        AppendJsonValue(out, value[i]);
      }
      *out += ']';
      return;
    }
    case Json::value_t::string:
      AppendJsonString(out, value.get_ref<const std::string&>());
      return;
    case Json::value_t::number_integer:
      AppendJsonInt(out, value.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      AppendJsonInt(out, value.get<uint64_t>());
      return;
    case Json::value_t::null:
      out->append("null");
      return;
    case Json::value_t::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    default:  // floats (nlohmann's shortest round-trip form), binary, discarded
      *out += value.dump();
      return;
  }
}

}  // namespace tailor
