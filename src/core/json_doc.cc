#include "core/json_doc.h"

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

}  // namespace tailor
