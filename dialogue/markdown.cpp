#include "dialogue/markdown.hpp"

#include <cctype>

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

std::string without_quoted_lines(std::string_view text) {
  if (text.find('>') == std::string_view::npos) return {};
  std::string out;
  bool quoted = false;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    const std::size_t first = line.find_first_not_of(" \t");
    // ">100 users" and ">= 2k rps" compare; "> who is this for?" quotes.
    const auto next = first + 1 < line.size() ? static_cast<unsigned char>(line[first + 1]) : ' ';
    if (first != std::string_view::npos && line[first] == '>' && !std::isdigit(next) &&
        next != '=') {
      quoted = true;
    } else {
      if (!out.empty()) out += '\n';
      out.append(line);
    }
    at = end + 1;
  }
  const bool words_left = out.find_first_not_of(" \t\r\n") != std::string::npos;
  return quoted && words_left ? out : std::string{};
}

std::optional<markdown_link> link_at(std::string_view text, std::size_t i) {
  if (i >= text.size() || text[i] != '[') return std::nullopt;
  auto close = text.find("](", i);
  if (close == std::string_view::npos) return std::nullopt;
  auto end = text.find(')', close + 2);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view label = text.substr(i + 1, close - i - 1);
  std::string_view url = text.substr(close + 2, end - close - 2);
  bool web = url.substr(0, 7) == "http://" || url.substr(0, 8) == "https://";
  if (!web || label.find('[') != std::string_view::npos ||
      text.substr(i, end - i).find('\\') != std::string_view::npos ||
      text.substr(i, end - i).find('\n') != std::string_view::npos)
    return std::nullopt;
  return markdown_link{label, url, end + 1};
}

}  // namespace advisor::dialogue
