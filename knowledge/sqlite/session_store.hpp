// Conversations in SQLite: the conversation, the channel bindings that reach it, and its
// numbered events. Every append is one transaction that also moves the conversation's
// sequence number, so a second writer with a stale view gets sequence_conflict.
#pragma once

#include <mutex>
#include <string>

#include "dialogue/session_store.hpp"
#include "knowledge/sqlite/database.hpp"

namespace advisor::storage {

class sqlite_session_store final : public dialogue::session_store {
 public:
  explicit sqlite_session_store(const std::string& db_path);

  std::optional<dialogue::conversation_record> find(const dialogue::channel_key& key) override;
  dialogue::conversation_record create(const dialogue::channel_key& key, const std::string& id,
                                       const std::string& framework) override;
  std::uint64_t append(const std::string& conversation, std::uint64_t expected_seq,
                       const std::vector<dialogue::event>& events) override;
  bool writable() override;

  // Copies the whole database to `file` with SQLite's online backup API while others keep
  // reading and writing.
  void backup_to(const std::string& file);

 private:
  std::mutex mutex_;  // one connection, used by one thread at a time
  connection db_;
  statement find_binding_;
  statement find_conversation_;
  statement load_events_;
  statement insert_conversation_;
  statement bind_key_;
  statement bump_seq_;
  statement insert_event_;
};

}  // namespace advisor::storage
