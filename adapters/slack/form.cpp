#include "adapters/slack/form.hpp"

#include <curl/curl.h>

#include <memory>

namespace advisor::slack {

std::string form_decode(std::string_view text) {
  std::string plus_as_space(text);
  for (auto& c : plus_as_space)
    if (c == '+') c = ' ';  // %2B stays a '+': it is decoded after this
  int size = 0;
  std::unique_ptr<char, decltype(&curl_free)> decoded(
      curl_easy_unescape(nullptr, plus_as_space.data(), static_cast<int>(plus_as_space.size()),
                         &size),
      &curl_free);
  if (!decoded) return plus_as_space;
  return std::string(decoded.get(), static_cast<std::size_t>(size));
}

std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = form_decode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string{} : form_decode(pair.substr(eq + 1));
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace advisor::slack
