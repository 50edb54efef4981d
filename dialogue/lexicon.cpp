#include "dialogue/lexicon.hpp"

#include <libstemmer.h>

#include <filesystem>
#include <hunspell/hunspell.hxx>
#include <memory>
#include <mutex>

namespace advisor::dialogue {

namespace {

// A Snowball stemmer is not safe to share, so each thread has its own.
class stemmer {
 public:
  stemmer() : s_(sb_stemmer_new("english", nullptr)) {}
  ~stemmer() { sb_stemmer_delete(s_); }
  stemmer(const stemmer&) = delete;
  stemmer& operator=(const stemmer&) = delete;

  std::string operator()(std::string_view word) {
    if (!s_ || word.empty()) return std::string(word);
    const sb_symbol* out = sb_stemmer_stem(s_, reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
    if (!out) return std::string(word);
    return std::string(reinterpret_cast<const char*>(out),
                       static_cast<std::size_t>(sb_stemmer_length(s_)));
  }

 private:
  sb_stemmer* s_;
};

constexpr const char* dictionary_dir = "/usr/share/hunspell";

struct dictionary {
  dictionary() {
    std::string aff = std::string(dictionary_dir) + "/en_US.aff";
    std::string dic = std::string(dictionary_dir) + "/en_US.dic";
    std::error_code ec;
    if (std::filesystem::exists(aff, ec) && std::filesystem::exists(dic, ec))
      hunspell = std::make_unique<Hunspell>(aff.c_str(), dic.c_str());
  }
  std::mutex mutex;  // Hunspell's lookups are not documented as thread-safe
  std::unique_ptr<Hunspell> hunspell;
};

dictionary& shared_dictionary() {
  static dictionary d;
  return d;
}

}  // namespace

std::string stem(std::string_view word) {
  thread_local stemmer s;
  // "thousands of nodes" are machines or points of a network; Node.js is never plural.
  if (word == "nodes") return std::string(word);
  if (word.find_first_of("-/") == std::string_view::npos) return s(word);
  std::string out;
  std::size_t start = 0;
  while (start <= word.size()) {
    std::size_t end = word.find_first_of("-/", start);
    if (end == std::string_view::npos) end = word.size();
    if (!out.empty()) out += '-';
    out += s(word.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool dictionary_word(std::string_view word) {
  dictionary& d = shared_dictionary();
  if (!d.hunspell) return true;
  std::lock_guard lock(d.mutex);
  return d.hunspell->spell(std::string(word));
}

}  // namespace advisor::dialogue
