// Word-level language tools for understanding what people type: the Snowball English stemmer
// ("knows" and "know" meet at "know") and a spelling check against Hunspell's US English
// dictionary, used only to tell a real word from a typo before correcting it to a word the
// advisor knows. Both are Debian libraries (libstemmer, libhunspell); see docs/understanding.md.
#pragma once

#include <string>
#include <string_view>

namespace advisor::dialogue {

// The Snowball English stem of one word; a hyphenated or slashed word is stemmed part by part
// and joined with '-' ("cpu-heavy" -> "cpu-heavi"). Safe from any thread.
std::string stem(std::string_view word);

// True when the English dictionary knows the word as spelled. Without the dictionary installed,
// every word counts as known (no correction is attempted). The dictionary is read once, on
// first use; safe from any thread.
bool dictionary_word(std::string_view word);

}  // namespace advisor::dialogue
