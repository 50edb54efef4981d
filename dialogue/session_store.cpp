#include "dialogue/session_store.hpp"

namespace advisor::dialogue {

conversation_record session_store::create(const channel_key& key, const std::string& id,
                                          const std::string& framework) {
  write_op w;
  w.conversation = id;
  w.bind = key;
  w.framework = framework;
  apply({w});  // a new id cannot conflict
  return {id, framework, 0, {}, {}};
}

std::uint64_t session_store::append(const std::string& conversation, std::uint64_t expected_seq,
                                    const std::vector<event>& events) {
  if (events.empty()) return expected_seq;
  write_op w;
  w.conversation = conversation;
  w.expected_seq = expected_seq;
  w.events = events;
  if (apply({w}).front() == write_status::conflict)
    throw sequence_conflict("conversation " + conversation + " moved past " +
                            std::to_string(expected_seq));
  return expected_seq + events.size();
}

}  // namespace advisor::dialogue
