// Where conversations live. A conversation has its own id; channels reach it through
// bindings (channel, key) -> conversation, so one conversation can later move across
// channels. Its events are numbered 1, 2, 3, ... per conversation: an append names the
// number it expects next, and a store refuses an append that would not follow on
// (another writer got there first), so turns stay ordered whatever process writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "events.hpp"

namespace advisor::dialogue {

// Which channel a message came from and its key there, e.g. {"web", token},
// {"slack", "T1/C1/1700000.0001/U1"}, {"discord", "G1/C1/U1"}, {"terminal", "default"}.
struct channel_key {
  std::string channel;
  std::string key;
};

struct conversation_record {
  std::string id;
  std::string framework;  // framework id and version it started on
  std::uint64_t seq = 0;  // number of events stored
  std::vector<event> events;  // the history that matters: from the last restart on
};

// Thrown by append when the expected sequence number is already taken.
class sequence_conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class session_store {
 public:
  virtual ~session_store() = default;
  // The conversation bound to this key, with its events, if any.
  virtual std::optional<conversation_record> find(const channel_key& key) = 0;
  // Creates a conversation with this id and binds the key to it (replacing an old binding).
  virtual conversation_record create(const channel_key& key, const std::string& id,
                                     const std::string& framework) = 0;
  // Appends events after `expected_seq` in one transaction; throws sequence_conflict.
  virtual std::uint64_t append(const std::string& conversation, std::uint64_t expected_seq,
                               const std::vector<event>& events) = 0;
  // True when the store can write (for health checks).
  virtual bool writable() = 0;
};

}  // namespace advisor::dialogue
