// Where conversations live. A conversation has its own id; channels reach it through
// bindings (channel, key) -> conversation, so one conversation can later move across
// channels. Its events are numbered 1, 2, 3, ... per conversation: a write names the
// number it expects to follow, and a store refuses a write that would not follow on
// (another writer got there first), so turns stay ordered whatever process writes them.
//
// Writes come in batches: a store applies a whole batch in one transaction (group commit),
// so many turns cost one commit. Every store has the same two phases: it first locks what
// the batch touches (conversations in id order, then channel bindings in key order) and
// checks each write against what is stored, then writes the writes that still follow on.
// The SQLite store (embedded, one file) and the PostgreSQL store (shared by several
// instances) implement the same calls and pass the same conformance suite.
#pragma once

#include <chrono>
#include <cstddef>
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
  // The framework it started on, as "id@version" (rows from before versions were recorded:
  // "id"); it is replayed on that version (framework_document) whatever the instance ships.
  std::string framework;
  std::uint64_t seq = 0;      // number of events stored
  std::vector<event> events;  // the history that matters: from the last restart on
  // When each of `events` was stored (ISO 8601 UTC), parallel to it; empty when the store
  // does not say.
  std::vector<std::string> times;
};

// One turn's writes. A write with no events and no `bind` is a check: it applies (and
// changes nothing) when the conversation is still at `expected_seq`, so a turn that only
// reads (a resume, a stale-button check) can tell that what it read is still current.
struct write_op {
  std::string conversation;
  // Set for a new conversation: it is created (on `framework`, with seq 0) and this key is
  // bound to it.
  std::optional<channel_key> bind;
  // With `bind`: compare-and-set. The key must still be bound to this conversation id ("":
  // to none) or the write is a conflict; unset: an older binding is replaced, whatever it is.
  std::optional<std::string> bound_to;
  // The key this turn came through: when set, it must still be bound to `conversation` (not
  // rebound by another instance meanwhile) or the write is a conflict.
  std::optional<channel_key> via;
  std::string framework;
  std::uint64_t expected_seq = 0;  // the conversation's seq before these events
  std::vector<event> events;
  // The turn's own token, stored with its first event: after a connection dropped during a
  // commit, a networked store tells with it whether the commit happened.
  std::string token;
};

// What one expire_idle call deleted.
struct expired_conversations {
  std::size_t conversations = 0;
  std::vector<channel_key> keys;  // the bindings deleted with them
};

enum class write_status {
  applied,   // every change of the write is in the committed transaction
  conflict,  // expected_seq was already taken; the write changed nothing
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
  // Applies the writes in order in ONE transaction and commits it before returning; one
  // status per write. A conflicting write is skipped and the others still apply. Throws
  // when the transaction cannot be committed: then none of the writes is applied.
  virtual std::vector<write_status> apply(const std::vector<write_op>& writes) = 0;
  // True when the store can write (for health checks).
  virtual bool writable() = 0;
  // True when the store is reached over a network and other instances write to it too: a
  // commit is a round trip (not for an event loop), and what a process remembers of a
  // conversation may be stale, so turns that only read check it first.
  virtual bool networked() const { return false; }
  // Whether a turn stored with this token (write_op::token) reached the conversation now bound
  // to `key`: a job finished again after its owner died asks before deciding its turn again.
  // SQLite keeps the tokens that callers set (job_store::done forgets them); PostgreSQL keeps
  // every turn's.
  virtual bool turn_stored(const channel_key& key, const std::string& token) = 0;
  // Deletes at most `limit` conversations last changed before `idle_before` (a store may
  // keep that time to the minute: idle expiry counts in hours and days), with their events and the
  // channel bindings that reach them, in one transaction (short: the caller sweeps in batches, and
  // turns commit between them). A conversation that a turn moves on while the sweep runs is kept: a
  // turn decided on a swept conversation gets a conflict. Returns what went, so that callers can
  // forget what they remember of it.
  virtual expired_conversations expire_idle(std::chrono::system_clock::time_point idle_before,
                                            std::size_t limit) = 0;
  // Framework documents by (id, version), kept for every instance that shares the store, so
  // that one which does not ship a version can still replay a conversation started on it.
  // Stores `document` unless one is stored for (id, version) already (insert if absent: the
  // first wins, so instances starting together do not race); returns the stored document.
  virtual std::string keep_framework(const std::string& id, const std::string& version,
                                     const std::string& document) = 0;
  // The document stored for (id, version), if any.
  virtual std::optional<std::string> framework_document(const std::string& id,
                                                        const std::string& version) = 0;

  // One-write conveniences over apply.
  // Creates a conversation with this id and binds the key to it (replacing an old binding).
  conversation_record create(const channel_key& key, const std::string& id,
                             const std::string& framework);
  // Appends events after `expected_seq` in one transaction; throws sequence_conflict.
  std::uint64_t append(const std::string& conversation, std::uint64_t expected_seq,
                       const std::vector<event>& events);
};

}  // namespace advisor::dialogue
