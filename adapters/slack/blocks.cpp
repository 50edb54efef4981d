#include "adapters/slack/blocks.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "dialogue/markdown.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::slack {

using nlohmann::json;

namespace {

constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // …
constexpr std::string_view bullet = "\xE2\x80\xA2 ";   // •

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// A character the user typed (behind a backslash in the core's text), in a form mrkdwn shows
// as itself: &, <, > as entities; the formatting marks as look-alikes that format nothing (Slack
// has no escape for them); @ with a zero-width space after it, so no "@channel" is parsed.
void append_inert(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '*':
      out += "\xE2\x88\x97";
      break;  // U+2217 asterisk operator
    case '_':
      out += "\xCB\x8D";
      break;  // U+02CD modifier letter low macron
    case '~':
      out += "\xE2\x88\xBC";
      break;  // U+223C tilde operator
    case '`':
      out += "\xCB\x8B";
      break;  // U+02CB modifier letter grave accent
    case '@':
      out += "@\xE2\x80\x8B";
      break;  // U+200B zero-width space
    case ':':
      out += ":\xE2\x80\x8B";
      break;  // so "https://" of theirs is no bare link
    default:
      out += c;
  }
}

// An escaped character of the user's at i ("\\x")?
bool escaped_at(std::string_view line, std::size_t i) {
  return line[i] == '\\' && i + 1 < line.size() && dialogue::escapable(line[i + 1]);
}

// **x** -> *x*, [label](url) -> <url|label>, the user's escaped characters inert, &, <, >
// escaped. A link is the advisor's own: one with a backslash in it is not taken as a link.
std::string inline_markup(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    if (escaped_at(line, i)) {
      append_inert(out, line[i + 1]);
      i += 2;
      continue;
    }
    if (line.compare(i, 2, "**") == 0) {
      out += '*';
      i += 2;
      continue;
    }
    if (auto link = dialogue::link_at(line, i)) {
      out.append("<").append(escape(link->url)).append("|").append(escape(link->label)).append(">");
      i = link->end;
      continue;
    }
    if (line[i] == '&' || line[i] == '<' || line[i] == '>')
      append_inert(out, line[i]);
    else
      out += line[i];
    ++i;
  }
  return out;
}

// Without ** (a user's escaped * stays escaped).
std::string strip_bold(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (escaped_at(line, i)) {
      out.append(line.substr(i, 2));
      ++i;
    } else if (line.compare(i, 2, "**") == 0) {
      ++i;
    } else {
      out += line[i];
    }
  }
  return out;
}

// Without **, the user's escapes resolved to their inert form, &, <, > escaped.
std::string plain_line(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (escaped_at(line, i)) {
      append_inert(out, line[++i]);
    } else if (line.compare(i, 2, "**") == 0) {
      ++i;
    } else if (line[i] == '&' || line[i] == '<' || line[i] == '>') {
      append_inert(out, line[i]);
    } else {
      out += line[i];
    }
  }
  return out;
}

// The longest prefix of at most max_bytes that ends between two UTF-8 characters.
std::size_t utf8_cut(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

std::string number(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 0.05)
    std::snprintf(buf, sizeof buf, "%.0f", std::round(v) == 0 ? 0.0 : std::round(v));
  else
    std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

using dialogue::percent;

// verbatim: Slack parses no bare URL, channel name or @mention in it; the advisor's own links
// and mentions are written out (<url|label>, <@U1>).
json mrkdwn(std::string text) {
  return {{"type", "mrkdwn"}, {"text", std::move(text)}, {"verbatim", true}};
}
json plain(std::string text) {
  return {{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}};
}

// Sections of at most max_section_text bytes, split between lines where it can.
void add_sections(json& blocks, const std::string& text) {
  std::string chunk;
  auto flush = [&] {
    if (!chunk.empty()) blocks.push_back({{"type", "section"}, {"text", mrkdwn(chunk)}});
    chunk.clear();
  };
  for (auto line : lines(text)) {
    std::string l(line);
    while (l.size() > max_section_text) {  // one very long line: cut it
      flush();
      std::size_t cut = utf8_cut(l, max_section_text);
      chunk = l.substr(0, cut);
      flush();
      l.erase(0, cut);
    }
    if (chunk.size() + l.size() + 1 > max_section_text) flush();
    if (!chunk.empty()) chunk += '\n';
    chunk += l;
  }
  // Trailing blank lines make an empty-looking section: trim them.
  while (!chunk.empty() && chunk.back() == '\n') chunk.pop_back();
  flush();
}

std::string block_id(std::string_view question, std::size_t row) {
  return truncate_utf8("advisor:" + std::string(question) + ":" + std::to_string(row),
                       max_block_id);
}

// Buttons in rows of at most 25; each row an actions block.
void add_buttons(json& blocks, const std::vector<dialogue::option_view>& options,
                 std::string_view question, const render_context& ctx) {
  json row = json::array();
  std::size_t row_index = 0;
  auto flush = [&] {
    if (row.empty()) return;
    blocks.push_back(
        {{"type", "actions"}, {"block_id", block_id(question, row_index++)}, {"elements", row}});
    row = json::array();
  };
  for (std::size_t i = 0; i < options.size(); ++i) {
    std::string value = encode({std::string(question), options[i].id, ctx.owner, ctx.thread});
    if (value.size() > max_button_value)
      continue;  // cannot be a button; the option can still be typed
    json button = {{"type", "button"},
                   {"action_id", "advisor_option_" + std::to_string(i)},
                   {"text", plain(truncate_utf8(options[i].label, max_button_text))},
                   {"value", value}};
    if (options[i].role == dialogue::option_role::confirm) button["style"] = "primary";
    row.push_back(std::move(button));
    if (row.size() == max_actions_elements) flush();
  }
  flush();
}

// Keeps the message within max_blocks, dropping text sections before buttons.
void fit(json& blocks) {
  while (blocks.size() > max_blocks) {
    std::size_t drop = blocks.size();
    for (std::size_t i = blocks.size(); i-- > 0;)
      if (blocks[i]["type"] == "section" || blocks[i]["type"] == "context") {
        drop = i;
        break;
      }
    if (drop == blocks.size()) drop = blocks.size() - 1;
    blocks.erase(drop);
  }
}

std::string stack_label(const render_context& ctx, const std::string& id) {
  auto it = ctx.stack_labels.find(id);
  return it == ctx.stack_labels.end() ? id : it->second;
}

}  // namespace

std::string encode(const button_value& v) {
  return json{{"q", v.question}, {"o", v.option}, {"u", v.owner}, {"t", v.thread}}.dump();
}

std::optional<button_value> decode_button_value(std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  for (const char* k : {"q", "o", "u", "t"})
    if (!j.contains(k) || !j[k].is_string()) return std::nullopt;
  return button_value{j["q"].get<std::string>(), j["o"].get<std::string>(),
                      j["u"].get<std::string>(), j["t"].get<std::string>()};
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  if (max_bytes < ellipsis.size()) return {};
  return std::string(text.substr(0, utf8_cut(text, max_bytes - ellipsis.size()))) +
         std::string(ellipsis);
}

std::string source_link(const dialogue::source_ref& s) {
  if (s.url.empty()) return escape(s.title);
  return "<" + escape(s.url) + "|" + escape(s.title) + ">";
}

std::string to_mrkdwn(std::string_view text) {
  std::string out;
  bool first = true;
  for (auto line : lines(text)) {
    if (!first) out += '\n';
    first = false;
    std::string_view l = line;
    if (starts_with(l, "- ") || starts_with(l, "* ")) {
      out.append(bullet).append(inline_markup(l.substr(2)));
    } else if (starts_with(l, "#")) {
      std::size_t hashes = l.find_first_not_of('#');
      std::string_view title =
          hashes == std::string_view::npos ? std::string_view{} : l.substr(hashes);
      while (!title.empty() && title.front() == ' ') title.remove_prefix(1);
      std::string inner = strip_bold(title);
      out += inner.empty() ? std::string{} : "*" + inline_markup(inner) + "*";
    } else {
      out += inline_markup(l);
    }
  }
  return out;
}

std::string user_text(std::string_view words) {
  return to_mrkdwn(dialogue::quote_user_text(words));
}

std::string to_plain(std::string_view text) {
  std::string out;
  bool first = true;
  for (auto line : lines(text)) {
    if (!first) out += '\n';
    first = false;
    std::string l = plain_line(line);
    if (starts_with(l, "- ")) l = std::string(bullet) + l.substr(2);
    out += l;
  }
  return out;
}

std::string inbound_text(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '<') {
      auto close = s.find('>', i);
      if (close != std::string_view::npos) {
        std::string_view inner = s.substr(i + 1, close - i - 1);
        auto bar = inner.find('|');
        std::string_view target = inner.substr(0, bar);
        std::string_view label =
            bar == std::string_view::npos ? std::string_view{} : inner.substr(bar + 1);
        if (starts_with(target, "@") || starts_with(target, "!")) {
          // a user mention (the bot's own, most often) or @here: not part of the answer
        } else if (starts_with(target, "#")) {
          out.append("#").append(label.empty() ? target.substr(1) : label);
        } else {
          out.append(label.empty() ? target : label);
        }
        i = close + 1;
        continue;
      }
    }
    if (s.compare(i, 5, "&amp;") == 0) {
      out += '&';
      i += 5;
    } else if (s.compare(i, 4, "&lt;") == 0) {
      out += '<';
      i += 4;
    } else if (s.compare(i, 4, "&gt;") == 0) {
      out += '>';
      i += 4;
    } else {
      out += s[i++];
    }
  }
  // Collapse the spaces a removed mention leaves behind.
  std::string collapsed;
  for (char c : out) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!collapsed.empty() && collapsed.back() != ' ') collapsed += ' ';
    } else {
      collapsed += c;
    }
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return collapsed;
}

message render_turn(const dialogue::outcome& out, const render_context& ctx,
                    bool recommendation_card) {
  if (recommendation_card && out.recommendation)
    return render_recommendation(*out.recommendation, ctx, out.options);
  message m;
  m.text = truncate_utf8(to_plain(out.text), max_fallback_text);
  add_sections(m.blocks, to_mrkdwn(out.text));
  json context = json::array();
  if (out.reviewing())
    context.push_back(mrkdwn("Last check before the recommendation"));
  else if (!out.question.empty() && out.progress.total > 0)
    context.push_back(mrkdwn("Step " + std::to_string(out.progress.step) + " of about " +
                             std::to_string(out.progress.total)));
  if (!ctx.owner.empty()) context.push_back(mrkdwn("for <@" + ctx.owner + ">"));
  if (!out.options.empty()) context.push_back(mrkdwn("Click an answer, or reply in words"));
  if (!context.empty()) m.blocks.push_back({{"type", "context"}, {"elements", context}});
  add_buttons(m.blocks, out.options, out.question, ctx);
  fit(m.blocks);
  return m;
}

message render_recommendation(const dialogue::recommendation& rec, const render_context& ctx,
                              const std::vector<dialogue::option_view>& follow_ups) {
  message m;
  json& b = m.blocks;
  m.text = truncate_utf8(escape("My recommendation: " + rec.choice_label + " (confidence " +
                                percent(rec.confidence) + ")"),
                         max_fallback_text);
  b.push_back(
      {{"type", "header"},
       {"text", plain(truncate_utf8("Recommendation: " + rec.choice_label, max_header_text))}});

  std::string scores;
  for (const auto& [id, v] : rec.scores)
    scores += (scores.empty() ? "" : "\n") + escape(stack_label(ctx, id)) + ": " + number(v);
  json fields = json::array({mrkdwn("*Confidence*\n" + percent(rec.confidence))});
  if (!scores.empty()) fields.push_back(mrkdwn("*Scores*\n" + scores));
  b.push_back({{"type", "section"}, {"fields", fields}});

  std::string why;
  for (const dialogue::reason* r : dialogue::shown_reasons(rec)) {
    why += "\n" + std::string(bullet) + to_mrkdwn(r->text);
    if (!r->sources.empty()) {
      std::string src;
      for (const auto& s : r->sources) src += (src.empty() ? "" : "; ") + source_link(s);
      why += " _(Sources: " + src + ")_";
    }
  }
  if (!why.empty()) add_sections(b, "*Why*" + why);
  if (!rec.unknowns.empty()) {
    std::string open;
    for (const auto& u : rec.unknowns) open += (open.empty() ? "" : ", ") + escape(u);
    b.push_back({{"type", "context"},
                 {"elements",
                  json::array({mrkdwn("Left open: " + open + ". That lowers the confidence.")})}});
  }
  if (!rec.contested.empty()) {
    b.push_back({{"type", "divider"}});
    std::string c = "*Where the sources disagree*";
    for (const auto& cv : rec.contested) {
      c += "\n" + std::string(bullet) + to_mrkdwn(cv.summary);
      for (const auto& side : cv.sides) {
        c += "\n    _" + escape(stack_label(ctx, side.position)) + "_: " + to_mrkdwn(side.claim);
        if (!side.sources.empty()) {
          std::string src;
          for (const auto& s : side.sources) src += (src.empty() ? "" : "; ") + source_link(s);
          c += " (" + src + ")";
        }
      }
    }
    add_sections(b, c);
  }
  if (!rec.next_steps.empty()) {
    std::string n = "*Next steps*";
    int i = 0;
    for (const auto& s : rec.next_steps) n += "\n" + std::to_string(++i) + ". " + to_mrkdwn(s);
    add_sections(b, n);
  }
  std::string footer = ctx.owner.empty() ? std::string{} : "Asked by <@" + ctx.owner + ">. ";
  footer +=
      "Reply `why`, `whatif <question> <answer>`, `summary` or `restart` (mention me in a "
      "channel).";
  b.push_back({{"type", "context"}, {"elements", json::array({mrkdwn(footer)})}});
  add_buttons(b, follow_ups, "", ctx);
  fit(b);
  return m;
}

json retire_buttons(const json& blocks, std::string_view note) {
  json out = json::array();
  // The blocks come back from Slack in a click's payload: anything that is not a block object
  // goes. (json::value("type", "") threw on a non-object or a non-string type, and the click's
  // reply was lost after its answer was stored.)
  if (blocks.is_array())
    for (const auto& block : blocks)
      if (block.is_object() && !(block.contains("type") && block["type"] == "actions"))
        out.push_back(block);
  out.push_back({{"type", "context"}, {"elements", json::array({mrkdwn(std::string(note))})}});
  fit(out);
  return out;
}

}  // namespace advisor::slack
