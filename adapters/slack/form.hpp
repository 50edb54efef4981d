// application/x-www-form-urlencoded bodies, as Slack sends slash commands and interactions.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace advisor::slack {

// Decodes "a=1&b=x+y%2Fz" to {a: "1", b: "x y/z"}; a repeated name keeps its first value.
std::map<std::string, std::string> parse_form(std::string_view body);

// Percent-decoding with '+' as a space.
std::string form_decode(std::string_view text);

}  // namespace advisor::slack
