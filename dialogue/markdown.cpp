#include "dialogue/markdown.hpp"

namespace advisor::dialogue {

namespace {
constexpr std::string_view escaped_characters = "\\`*_~|[]()<>@:#";
}

bool escapable(char c) { return c != '\0' && escaped_characters.find(c) != std::string_view::npos; }

std::string quote_user_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F)
      out += ' ';
    else if (escapable(c))
      out.append(1, '\\').append(1, c);
    else
      out += c;
  }
  return out;
}

std::string unescape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && escapable(text[i + 1])) ++i;
    out += text[i];
  }
  return out;
}

}  // namespace advisor::dialogue
