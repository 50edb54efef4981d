// The bot service: takes one user action for a conversation, runs the engine, persists the
// resulting events in one transaction, and returns what to say. Every channel (terminal,
// WebSocket, Slack, Discord) goes through it. Turns of one conversation run one at a time;
// different conversations run in parallel. Safe to call from several threads.
#pragma once

#include <array>
#include <unordered_map>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dialogue/session_store.hpp"
#include "dialogue/engine.hpp"

namespace advisor::bot {

using dialogue::channel_key;
using dialogue::session_store;

// What a channel gets back for one action.
struct turn {
  std::string conversation;  // the conversation id (not the channel's key)
  dialogue::outcome out;
  std::uint64_t seq = 0;     // events recorded so far; grows with every state change
  bool resumed = false;      // start found an existing conversation
};

class service {
 public:
  // The first framework is the default; the others can be chosen when a conversation starts.
  service(std::vector<const dialogue::framework*> frameworks, const knowledge::knowledge_source& kb,
          session_store& store);
  service(const dialogue::framework& fw, const knowledge::knowledge_source& kb, session_store& store)
      : service(std::vector<const dialogue::framework*>{&fw}, kb, store) {}

  // Starts a conversation for this channel key, or resumes the one bound to it.
  // `fresh` forces a new conversation (the old binding is replaced) on `framework` (empty:
  // the default); an unknown framework id throws std::invalid_argument.
  turn start(const channel_key& key, std::string_view opening_text = {}, bool fresh = false,
             std::string_view framework = {});

  // Free text from the user. Starts a conversation when the key has none.
  turn message(const channel_key& key, std::string_view text);

  // A button or option id. When `expected_question` is not empty and the conversation is no
  // longer at that question (a stale button), nothing changes and out.error is "stale".
  turn choose(const channel_key& key, std::string_view option, std::string_view expected_question = {});

  // The conversation bound to this key, as it stands now, if any.
  std::optional<turn> current(const channel_key& key);

  // The Markdown decision record of the conversation bound to this key.
  std::optional<std::string> decision_record(const channel_key& key);

  // Called after every turn that was decided (and stored), on the thread that ran it.
  // Set it before the service is shared between threads.
  using observer = std::function<void(const channel_key&, const turn&)>;
  void set_observer(observer o) { observer_ = std::move(o); }

  // The default framework's engine.
  const dialogue::engine& engine() const { return *engines_.front(); }
  // The frameworks on offer: id and title, the default first.
  std::vector<std::pair<std::string, std::string>> frameworks() const;
  bool has_framework(std::string_view id) const;

 private:
  turn run(const channel_key& key, const dialogue::input& in, std::string_view expected_question,
           bool fresh, std::string_view framework);
  std::size_t stripe_of(const std::string& key) const;
  // The engine of the framework a conversation was started on ("id@version" or "id").
  const dialogue::engine& engine_for(std::string_view framework) const;

  std::vector<std::unique_ptr<dialogue::engine>> engines_;
  observer observer_;
  session_store& store_;
  // Turns for one channel key run one at a time under its stripe's lock; each stripe keeps the
  // records it last saw, so a turn need not read its history back. A stale record is caught
  // by the store's sequence check and read again.
  static constexpr std::size_t stripes = 64;
  static constexpr std::size_t cached_per_stripe = 512;
  std::array<std::mutex, stripes> locks_;
  std::array<std::unordered_map<std::string, dialogue::conversation_record>, stripes> cache_;
};

// A new unguessable token: 128 random bits from the OS, as 32 hex characters.
std::string random_token();

}  // namespace advisor::bot
