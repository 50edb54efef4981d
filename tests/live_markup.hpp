// What a Slack mrkdwn or Discord message text would make live: links (masked, angle-bracketed or
// bare), mentions (users, roles, channels, @everyone / @here / @channel), spoilers and code. The
// tests and fuzz/fuzz_renderers.cpp compare it with what the advisor itself wrote: a user's words
// must add nothing to it.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::test {

inline bool starts_at(std::string_view s, std::size_t i, std::string_view p) {
  return s.compare(i, p.size(), p) == 0;
}

// Slack mrkdwn: every <...> is markup (a literal < is &lt;), and so are a bare URL and the
// special mentions typed as words. Formatting marks are counted as "format".
inline std::vector<std::string> slack_live(std::string_view s, bool with_format = false) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      auto close = s.find('>', i);
      out.push_back(
          "<" +
          std::string(s.substr(i + 1, close == std::string_view::npos ? s.npos : close - i - 1)) +
          ">");
      if (close == std::string_view::npos) break;
      i = close;
    } else if (starts_at(s, i, "://")) {
      out.push_back("bare link");
    } else if (s[i] == '@' && (starts_at(s, i + 1, "channel") || starts_at(s, i + 1, "here") ||
                               starts_at(s, i + 1, "everyone"))) {
      out.push_back("special mention");
    } else if (with_format && (s[i] == '*' || s[i] == '_' || s[i] == '~' || s[i] == '`')) {
      out.push_back(std::string("format ") + s[i]);
    }
  }
  return out;
}

// Discord Markdown: a backslash escapes the next ASCII punctuation character. Masked links,
// <@id> / <@&id> / <#id> / <t:..> / <:emoji:id>, bare URLs, @everyone / @here, ||spoilers||
// and code spans are live.
inline std::vector<std::string> discord_live(std::string_view s, bool with_format = false) {
  std::vector<std::string> out;
  auto punct = [](char c) {
    return c > 0x20 && c < 0x7F && !std::isalnum(static_cast<unsigned char>(c));
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && punct(s[i + 1])) {
      ++i;
    } else if (s[i] == '[') {
      // A masked link: [label](http...), the label without an unescaped ].
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != ']') j += (s[j] == '\\' && j + 1 < s.size()) ? 2 : 1;
      if (j < s.size() && starts_at(s, j, "](")) {
        auto end = s.find(')', j);
        out.push_back("masked link " +
                      std::string(s.substr(i, end == s.npos ? s.npos : end - i + 1)));
        if (end == s.npos) break;
        i = end;
      }
    } else if (s[i] == '<' &&
               (starts_at(s, i + 1, "@") || starts_at(s, i + 1, "#") || starts_at(s, i + 1, ":") ||
                starts_at(s, i + 1, "a:") || starts_at(s, i + 1, "t:") ||
                starts_at(s, i + 1, "/") || starts_at(s, i + 1, "http"))) {
      out.push_back("angle " + std::string(s.substr(i, 24)));
      auto close = s.find('>', i);
      if (close == s.npos) break;
      i = close;
    } else if (starts_at(s, i, "://")) {
      out.push_back("bare link");
    } else if (s[i] == '@' && (starts_at(s, i + 1, "everyone") || starts_at(s, i + 1, "here"))) {
      out.push_back("special mention");
    } else if (starts_at(s, i, "||")) {
      out.push_back("spoiler");
      ++i;
    } else if (with_format && (s[i] == '*' || s[i] == '_' || s[i] == '~' || s[i] == '`')) {
      out.push_back(std::string("format ") + s[i]);
    }
  }
  return out;
}

}  // namespace advisor::test
