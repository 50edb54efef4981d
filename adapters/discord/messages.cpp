#include "adapters/discord/messages.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "dialogue/markdown.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::discord {

using nlohmann::json;

namespace {

constexpr std::string_view prefix = "adv:";
constexpr std::size_t conversation_chars = 8;
constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // …

constexpr int style_primary = 1;
constexpr int style_secondary = 2;
constexpr int style_success = 3;

// Colours of the recommendation card, by the choice's place among the framework's stacks
// (blue for the first, green for the second), whatever the stacks are called.
constexpr std::array<int, 2> colour_stacks = {0x3776AB, 0x5FA04E};
constexpr int colour_hybrid = 0x8E6BBF;
constexpr int colour_other = 0x5865F2;

std::string hash8(std::string_view text) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  if (std::abs(v - std::round(v)) < 1e-9)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

using dialogue::percent;

std::string sources_suffix(const std::vector<dialogue::source_ref>& sources) {
  if (sources.empty()) return {};
  std::string list;
  for (const auto& s : sources) list += (list.empty() ? "" : "; ") + source_link(s);
  return std::string(sources.size() == 1 ? " _Source: " : " _Sources: ") + list + "_";
}

// A button's style, by what it does: confirming stands out, the answers are primary, the ways
// around them secondary; after the recommendation, "why" leads.
int button_style(const dialogue::option_view& o) {
  using dialogue::option_role;
  switch (o.role) {
    case option_role::confirm:
      return style_success;
    case option_role::command:
      return o.action == dialogue::command::why ? style_primary : style_secondary;
    case option_role::not_sure:
    case option_role::change:
      return style_secondary;
    case option_role::answer:
    case option_role::accept:
    case option_role::reject:
      break;
  }
  return style_primary;
}

json button(std::string label, std::string custom_id, int style) {
  return {{"type", wire::button},
          {"style", style},
          {"label", fit(label, limits::button_label)},
          {"custom_id", std::move(custom_id)}};
}

// Action rows for a turn's options: buttons while they fit in five rows of five, else select
// menus of 25 options each. "Why?" and "Back" join while a question is being asked.
json components_for(const bot::turn& t) {
  const auto& out = t.out;
  json rows = json::array();
  if (out.options.empty()) return rows;

  std::vector<json> buttons;
  if (out.options.size() <= limits::rows * limits::buttons_per_row) {
    for (std::size_t i = 0; i < out.options.size(); ++i) {
      const auto& o = out.options[i];
      buttons.push_back(button(o.label, encode_custom_id(t.conversation, out.question, o.id, i),
                               button_style(o)));
    }
    for (std::size_t i = 0; i < buttons.size(); i += limits::buttons_per_row) {
      json row = {{"type", wire::action_row}, {"components", json::array()}};
      for (std::size_t j = i; j < std::min(i + limits::buttons_per_row, buttons.size()); ++j)
        row["components"].push_back(buttons[j]);
      rows.push_back(std::move(row));
    }
  } else {
    for (std::size_t start = 0, menu = 0; start < out.options.size() && rows.size() < limits::rows;
         start += limits::select_options, ++menu) {
      json options = json::array();
      for (std::size_t i = start; i < std::min(start + limits::select_options, out.options.size());
           ++i)
        options.push_back({{"label", fit(out.options[i].label, limits::select_label)},
                           {"value", out.options[i].id}});
      json select = {{"type", wire::string_select},
                     {"custom_id", encode_custom_id(t.conversation, out.question,
                                                    "?" + std::to_string(menu), menu)},
                     {"placeholder", "Choose an answer"},
                     {"options", std::move(options)}};
      rows.push_back(
          {{"type", wire::action_row}, {"components", json::array({std::move(select)})}});
    }
  }

  if (out.asking()) {
    std::vector<json> extras;
    extras.push_back(button("Why this question?",
                            encode_custom_id(t.conversation, out.question, why_action, 0),
                            style_secondary));
    if (out.progress.step > 1)
      extras.push_back(button(
          "Back", encode_custom_id(t.conversation, out.question, back_action, 0), style_secondary));
    if (rows.size() < limits::rows) {
      rows.push_back({{"type", wire::action_row}, {"components", extras}});
    } else {
      auto& last = rows.back()["components"];
      if (last.front()["type"] == wire::button &&
          last.size() + extras.size() <= limits::buttons_per_row)
        for (auto& e : extras) last.push_back(e);
    }
  }
  return rows;
}

std::string progress_line(const dialogue::outcome& out) {
  if (out.reviewing())
    return "_Review: step " + std::to_string(out.progress.step) + " of " +
           std::to_string(out.progress.total) + "_";
  if (out.progress.total <= 0) return {};
  return "_Question " + std::to_string(out.progress.step) + " of about " +
         std::to_string(out.progress.total) + "_";
}

// Splits lines into chunks of at most `limit` bytes; a line longer than that is cut.
std::vector<std::string> chunk_lines(const std::vector<std::string>& lines, std::size_t limit) {
  std::vector<std::string> chunks;
  std::string current;
  for (const auto& raw : lines) {
    std::string line = fit(raw, limit);
    if (!current.empty() && current.size() + 1 + line.size() > limit) {
      chunks.push_back(std::move(current));
      current.clear();
    }
    if (!current.empty()) current += "\n";
    current += line;
  }
  if (!current.empty()) chunks.push_back(std::move(current));
  return chunks;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

struct section {
  std::string name;
  std::vector<std::string> lines;
  bool is_inline = false;
};

}  // namespace

// The part of a conversation id a button carries: its last characters, which are random (an
// id starts with the time it was made, the same for many conversations).
static std::string_view conversation_tag(std::string_view conversation) {
  return conversation.size() <= conversation_chars
             ? conversation
             : conversation.substr(conversation.size() - conversation_chars);
}

std::string encode_custom_id(std::string_view conversation, std::string_view question,
                             std::string_view option, std::size_t index) {
  std::string conv(conversation_tag(conversation));
  std::string q(question);
  if (q.find(':') != std::string::npos ||
      prefix.size() + conv.size() + q.size() + option.size() + 2 > limits::custom_id)
    q = "#" + hash8(question);
  std::string opt(option);
  if (prefix.size() + conv.size() + q.size() + opt.size() + 2 > limits::custom_id)
    opt = "#" + std::to_string(index);
  return std::string(prefix) + conv + ":" + q + ":" + opt;
}

std::optional<button_ref> decode_custom_id(std::string_view id) {
  if (id.size() > limits::custom_id || id.substr(0, prefix.size()) != prefix) return std::nullopt;
  id.remove_prefix(prefix.size());
  auto c1 = id.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  auto c2 = id.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  button_ref ref{std::string(id.substr(0, c1)), std::string(id.substr(c1 + 1, c2 - c1 - 1)),
                 std::string(id.substr(c2 + 1))};
  if (ref.conversation.empty() || ref.option.empty()) return std::nullopt;
  return ref;
}

std::optional<pressed_button> read_button(const button_ref& ref, const bot::turn& now,
                                          std::string_view select_value) {
  pressed_button b{ref.option, ref.conversation, ref.question};
  const auto& q = now.out.question;
  if (!ref.question.empty() && ref.question[0] == '#' && ref.question == "#" + hash8(q))
    b.question = q;
  const std::string& opt = ref.option;
  if (opt[0] == '?') {
    if (select_value.empty()) return std::nullopt;
    b.option = select_value;
  } else if (opt[0] == '#' && opt.size() > 1) {
    // An index into the options shown with the button's question: read against now's, which
    // the service refuses whatever the index reads when that question is not now's.
    std::size_t index = 0;
    auto [end, ec] = std::from_chars(opt.data() + 1, opt.data() + opt.size(), index);
    if (ec == std::errc{} && end == opt.data() + opt.size() && index < now.out.options.size())
      b.option = now.out.options[index].id;
  }
  return b;
}

std::string source_link(const dialogue::source_ref& s) {
  if (s.url.empty()) return s.title;
  std::string title;
  for (char c : s.title) {
    if (c == '[' || c == ']' || c == '\\') title += '\\';
    title += c;
  }
  return "[" + title + "](<" + s.url + ">)";  // <...>: no preview embed under the message
}

std::string to_discord(std::string_view text) {
  constexpr std::string_view inert_at = "@\xE2\x80\x8B";  // U+200B: no mention starts here
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && dialogue::escapable(text[i + 1])) {
      if (text[++i] == '@')
        out += inert_at;
      else if (text[i] == ':')
        out += ":\xE2\x80\x8B";  // their "https://" is no bare link, ":name:" no emoji
      else
        out.append(1, '\\').append(1, text[i]);
    } else if (text[i] == '@' &&
               (text.compare(i + 1, 8, "everyone") == 0 || text.compare(i + 1, 4, "here") == 0)) {
      out += inert_at;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string fit(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  if (limit < ellipsis.size()) return {};
  std::size_t cut = limit - ellipsis.size();
  // Back up to the start of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out + std::string(ellipsis);
}

std::size_t embed_length(const json& embed) {
  auto len = [](const json& j, const char* key) -> std::size_t {
    return j.contains(key) && j[key].is_string() ? j[key].get_ref<const std::string&>().size() : 0;
  };
  std::size_t n = len(embed, "title") + len(embed, "description");
  if (embed.contains("fields"))
    for (const auto& f : embed["fields"]) n += len(f, "name") + len(f, "value");
  if (embed.contains("footer")) n += len(embed["footer"], "text");
  if (embed.contains("author")) n += len(embed["author"], "name");
  return n;
}

json recommendation_embed(const dialogue::recommendation& rec, const label_fn& label) {
  json embed;
  embed["title"] = fit("My recommendation: " + rec.choice_label, limits::embed_title);
  int colour = colour_other;
  if (rec.choice_position < 0)
    colour = colour_hybrid;
  else if (static_cast<std::size_t>(rec.choice_position) < colour_stacks.size())
    colour = colour_stacks[static_cast<std::size_t>(rec.choice_position)];
  embed["color"] = colour;

  std::vector<section> sections;
  std::string confidence = percent(rec.confidence);
  if (!rec.unknowns.empty()) confidence += " (lower: " + join(rec.unknowns, ", ") + " left open)";
  sections.push_back({"Confidence", {confidence}, true});
  // The leader first.
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [id, score] : rec.scores) ranked.emplace_back(score, label(id));
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> scores;
  for (const auto& [score, name] : ranked) scores.push_back(name + " " + number(score));
  sections.push_back({"Scores", {join(scores, " \xC2\xB7 ")}, true});

  section why{"Why", {}, false};
  for (const dialogue::reason* r : dialogue::shown_reasons(rec))
    why.lines.push_back("- " + r->text + sources_suffix(r->sources));
  if (!why.lines.empty()) sections.push_back(std::move(why));

  if (!rec.contested.empty()) {
    section contested{"Where the sources disagree", {}, false};
    for (const auto& c : rec.contested) {
      contested.lines.push_back("**" + c.summary + "**");
      for (const auto& side : c.sides)
        contested.lines.push_back("- " + label(side.position) + ": " + side.claim +
                                  sources_suffix(side.sources));
    }
    sections.push_back(std::move(contested));
  }
  if (!rec.next_steps.empty()) {
    section steps{"Next steps", {}, false};
    for (const auto& s : rec.next_steps) steps.lines.push_back("- " + s);
    sections.push_back(std::move(steps));
  }

  const std::string footer =
      "Press \xE2\x80\x9CWhy this choice?\xE2\x80\x9D for the full breakdown.";
  const std::string shortened = "Shortened to fit Discord. " + footer;
  std::size_t used = embed_length(embed) + shortened.size();
  json fields = json::array();
  bool cut = false;
  for (const auto& s : sections) {
    auto chunks = chunk_lines(s.lines, limits::field_value);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      std::string name = fit(i == 0 ? s.name : s.name + " (continued)", limits::field_name);
      std::string value = chunks[i];
      if (fields.size() >= limits::fields ||
          used + name.size() + value.size() > limits::embed_total) {
        std::size_t room = limits::embed_total - std::min(limits::embed_total, used + name.size());
        if (fields.size() < limits::fields && room >= 80) {
          value = fit(value, room);
          fields.push_back({{"name", name}, {"value", value}, {"inline", s.is_inline}});
          used += name.size() + value.size();
        }
        cut = true;
        break;
      }
      fields.push_back({{"name", name}, {"value", value}, {"inline", s.is_inline}});
      used += name.size() + value.size();
    }
    if (cut) break;
  }
  embed["fields"] = std::move(fields);
  embed["footer"] = {{"text", cut ? shortened : footer}};
  return embed;
}

json question_message(const bot::turn& t, std::string_view preface) {
  std::string content(preface);
  if (!content.empty()) content += "\n\n";
  content += to_discord(t.out.text);
  std::string progress = progress_line(t.out);
  // The progress line is worth keeping: cut the text rather than it.
  std::size_t room = limits::content - (progress.empty() ? 0 : progress.size() + 2);
  content = fit(content, room);
  if (!progress.empty()) content += "\n\n" + progress;
  return {{"content", content},
          {"embeds", json::array()},
          {"components", components_for(t)},
          {"allowed_mentions", {{"parse", json::array()}}}};
}

json recommendation_message(const bot::turn& t, const label_fn& label) {
  json embeds = json::array();
  if (t.out.recommendation) embeds.push_back(recommendation_embed(*t.out.recommendation, label));
  return {{"content", ""},
          {"embeds", std::move(embeds)},
          {"components", components_for(t)},
          {"allowed_mentions", {{"parse", json::array()}}}};
}

json turn_message(const bot::turn& t, const label_fn& label, std::string_view preface) {
  if (t.out.finished && t.out.recommendation) {
    json m = recommendation_message(t, label);
    if (!preface.empty()) m["content"] = fit(preface, limits::content);
    return m;
  }
  return question_message(t, preface);
}

json text_message(std::string_view markdown, bool ephemeral) {
  std::string rendered = to_discord(markdown);
  std::string_view text = rendered;
  if (text.empty()) text = "(nothing to show)";  // Discord refuses an empty message
  json m = {{"components", json::array()}, {"allowed_mentions", {{"parse", json::array()}}}};
  if (text.size() <= limits::content) {
    m["content"] = std::string(text);
    m["embeds"] = json::array();
  } else {
    m["content"] = "";
    json embeds = json::array();
    std::size_t used = 0;
    for (auto& chunk : chunk_lines(split_lines(text), limits::embed_description)) {
      if (embeds.size() >= limits::embeds || used >= limits::embed_total) break;
      std::size_t room = limits::embed_total - used;
      if (chunk.size() > room) chunk = fit(chunk, room);
      used += chunk.size();
      embeds.push_back({{"description", chunk}, {"color", colour_other}});
    }
    m["embeds"] = std::move(embeds);
  }
  if (ephemeral) m["flags"] = wire::ephemeral_flag;
  return m;
}

json interaction_response(int type, json data) {
  json r = {{"type", type}};
  if (!data.is_null()) r["data"] = std::move(data);
  return r;
}

multipart_body with_attachment(json payload, const attachment& file) {
  json& target =
      payload.contains("data") && payload["data"].is_object() ? payload["data"] : payload;
  target["attachments"] = json::array({{{"id", 0}, {"filename", file.filename}}});
  std::string json_part = dump(payload);
  std::string boundary = "advisor-" + hash8(file.content) + hash8(json_part);
  for (int salt = 0; file.content.find(boundary) != std::string::npos ||
                     json_part.find(boundary) != std::string::npos;
       ++salt)
    boundary = "advisor-" + hash8(boundary + std::to_string(salt)) + std::to_string(salt);
  std::string body;
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"payload_json\"\r\n";
  body += "Content-Type: application/json\r\n\r\n";
  body += json_part + "\r\n";
  body += "--" + boundary + "\r\n";
  body +=
      "Content-Disposition: form-data; name=\"files[0]\"; filename=\"" + file.filename + "\"\r\n";
  body += "Content-Type: " + file.content_type + "\r\n\r\n";
  body += file.content + "\r\n";
  body += "--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace advisor::discord
