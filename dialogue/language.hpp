// How people say things, as data (config/language.json, compiled into the binary): filler
// words, yes and no, commands in natural wording, ordinals, number words, hedges, and which
// answers a sentence spoken for a group rules out. The framework says what can be answered;
// this says how people talk around the answers. See docs/understanding.md.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::dialogue {

// What a user can ask the advisor to do, whatever the words.
enum class command {
  none,
  confirm,
  change,
  back,
  restart,
  skip,
  status,
  why,
  help,
  summary,
  whatif,
  compare
};

std::string_view to_string(command c);

struct intent_phrases {
  std::vector<std::string> anywhere;  // count wherever they stand in a sentence
  std::vector<std::string> whole;     // count only as the whole message (fillers aside)
};

struct quantity_band {
  double below = 0;             // 0: no upper bound
  double concurrent_below = 0;  // the bound when the number counts things at once (0: `below`)
  std::string option;
};

struct quantity_rule {
  std::string question;
  std::vector<std::string> units;             // words that make a number a count of load
  std::vector<std::string> concurrent_words;  // words that make it a count at once
  std::vector<std::string> units_at_once;  // units only beside one of those ("people ... at once")
  std::vector<quantity_band> bands;        // in order; the first that fits wins
  bool requires_unit = false;              // a bare number does not count, even when asked
  // The number is a share in percent ("5% of the work is analytics", "10 percent"): `units`
  // are the words after it that say so; the sentence must also name the question (its phrases).
  bool share = false;
  // Read only while its question is asked: "~40 endpoints, all REST" answers the workload when
  // that is asked, and says nothing sure of the codebase's size.
  bool only_when_asked = false;
};

// Small words the reading leans on, whatever the framework (language.json "grammar").
struct grammar {
  std::vector<std::string> negators;        // "not", "never": negate the next words
  std::vector<std::string> function_words;  // "we", "is", "of": tell a classifier nothing
  std::vector<std::string> joiners;         // "and", "but": open a new clause
  std::vector<std::string> additions;       // "too", "as well": a clause adds, not weighs
  std::vector<std::string>
      softeners;  // "really", "that": "not really data-driven" still says what it is not
  std::vector<std::string>
      idioms;                      // "who knows": a clause that opens like a question, asks nothing
  std::vector<std::string> needs;  // "has to": a need, said as a statement
  std::vector<std::string> statement_modals;  // "could be ...", "will have ...": a statement
  std::vector<std::string> statement_verbs;
  std::vector<std::string> asking_modals;  // "can node ...": a question about a stack
  std::vector<std::string> asking_words;   // "which fits", "is python ...": a last clause that asks
  std::vector<std::string> comparing_words;  // "stack", "better": words of a comparison
  std::vector<std::string> question_nouns;   // "the traffic question", "the size one"
  std::vector<std::string> answer_nouns;     // "my answer about ...": a past answer is meant
  std::vector<std::string> known_things;     // "I don't know coding": what someone knows, no skip
  std::vector<std::string>
      inversions;                     // "is he right", "does it matter": a verb before its subject
  std::vector<std::string> subjects;  // "he", "it", "we": who or what a clause is about
  std::vector<std::string> wh_words;  // "what", "how": open a question, unless a subject follows
  std::vector<std::string> comparatives;     // "quicker", "nicer": "which ... nicer" compares
  std::vector<std::string> corrections;      // "scratch that", "turns out": a correction follows
  std::vector<std::string> quotes;           // "i said": the old answer follows, then the new one
  std::vector<std::string> replacing;        // "than", "instead of": the old answer follows
  std::vector<std::string> count_softeners;  // "not even thousands": between a negator and a count
  std::vector<std::string> progressive_aux;  // "i'll be sharing it": a statement, no request
  std::vector<std::string> past_subjects;    // "has everyone moved on": a past tense, no request
  std::vector<std::string> size_units;       // "a 12-person startup": a team's size, no user count
  std::vector<std::string> compound_heads;   // "a summary spreadsheet": a command word as modifier
  // "..., so large": a closing clause opened by one of these says what the rest leads to.
  std::vector<std::string> conclusions;
  // "so much copy paste": a command phrase after a quantity of it names an activity.
  std::vector<std::string> mass_quantifiers;
  // "I'll forget everything between sessions": a command verb of the writer's own mind, after a
  // subject, tells what happens to them.
  std::vector<std::string> own_verbs;
  // "mostly an API, and ...": a clause with one of these names the main option.
  std::vector<std::string> main_markers;
  std::vector<std::string> contrasts;  // "but", "though": another option set against the main
  // "... but the actuaries do the heavy analysis elsewhere": what is done away from the project.
  std::vector<std::string> elsewhere;
  // "I already know JS from doing the practice website": where a skill was learned is no answer
  // of the project's.
  std::vector<std::string> experience;
  // "watch the bus move on the map": a command's particle followed by its object is another verb.
  std::vector<std::string> object_particles;
  std::vector<std::string> object_determiners;
  std::vector<std::string> both_words;           // "both the traffic one and the old systems one"
  std::vector<std::string> both_pairs;           // the "and" of "both ... and"
  std::vector<std::string> asking_contractions;  // "whats": after a noun, a new question
  std::vector<std::string> company_words;        // "just me with two others": alone no more
  std::vector<std::string> list_determiners;     // "the second of the four": the list counted
  std::vector<std::string> admissions;  // "i picked the wrong one": the sentence they end corrects
  // "got wrong": "i got the team wrong earlier", the first word, at most three words of its
  // clause, the last; an admission too.
  std::vector<std::string> admission_frames;
  // "now": a sentence that names an answer given and one other option, with one of these and
  // none of `keep_signals` ("still"), changes it to the other.
  std::vector<std::string> change_signals;
  std::vector<std::string> keep_signals;
  std::vector<std::string> others;  // "another team's problem": a name said of someone else
  std::vector<std::string>
      past_answers;  // "my last answer", "that last answer": a turn already taken, no option
  std::vector<std::string>
      self_corrections;  // "python. i mean typescript": the reply said next replaces this one
  // "a quick compare of both stacks on everything": words for the two stacks and the whole
  // comparison, no topic of it ("both" alone would be the topic of a mixed setup).
  std::vector<std::string> compare_pair;
  // "quick compare of both stacks ...": words that size a command and keep it opening the
  // message.
  std::vector<std::string> command_modifiers;
  std::vector<std::string>
      no_subjects;  // "is for me only": a verb followed by one of these has no subject to invert
  std::vector<std::string>
      minorities;  // "mostly python, a few java holdouts": the few do not weigh against the most
  // "APIs mainly, so the partner websites can pull listings": a clause opened by one of these
  // with a modal in it says what the answer is for, not another answer.
  std::vector<std::string> purposes;
  // "mostly APIs, the mobile app and the dealer websites call us": a clause in which one of
  // these follows what it names says who uses the answer, not another answer.
  std::vector<std::string> callers;
  // "sharing code would be nice, but a fast prototype is also important": one option named,
  // another said to weigh as much.
  std::vector<std::string> equal_weights;
  std::vector<std::string>
      cleft_verbs;  // "what matters is readable code": "what", one of these, "is" says, not asks
  std::vector<std::string>
      people_both;  // "we both write js": "both" before one of these is about people, no answer
  // "main weaknesses of python?", "node's upsides?": with a question mark, one of these nouns
  // (a stack's strengths or weaknesses) asks for them, though no question word does.
  std::vector<std::string> asked_nouns;
  // "the 3rd sounds right", "the second fits": after "the" and a position word, one of these
  // makes it a position in the list.
  std::vector<std::string> fitting_verbs;
  // "our number one worry": a noun after a position that makes it a rank, not an option.
  std::vector<std::string> rank_nouns;
  // "numbers on X for python vs node": words that tie the stacks compared to a subject named
  // before them.
  std::vector<std::string> subject_prepositions;
  // "hasn't decided whether we do any analytics": a question left open inside a sentence; the
  // words after it up to the clause's end answer nothing.
  std::vector<std::string> open_questions;
  // "maybe later I add some charts, maybe not": a clause of its own that takes back the clause
  // before it, which is then left open like a question.
  std::vector<std::string> take_backs;
  // "does 'nice to have' count as yes?", "what is best here?": the last clause of a message asks
  // back which option is meant; so does a clause of nothing but one of `asks_back_whole` ("so..?").
  std::vector<std::string> asks_back;
  std::vector<std::string> asks_back_whole;
  // "the codebase'll stay small": a word with "'ll" is the word and "will", except these,
  // which the phrases name whole ("it'll balloon").
  std::vector<std::string> whole_contractions;
  // "no, an old company": a yes or a no alone, which says nothing of the options of a question
  // without a yes and a no, however often one option's examples hold it ("no funding yet").
  std::vector<std::string> bare_polarity;
  // "pipelines + model training, the API part is tiny": what a clause says is small beside
  // the rest, so not the main answer.
  std::vector<std::string> lesser;
  // "like PHP 5", "the way Rails does", "coming from Spring": before a subject outside the
  // sources, one of these (within two words) compares with it rather than asks about it...
  std::vector<std::string> aside_markers;
  // ...unless one of these stands before the marker: "something like celery" asks for it.
  std::vector<std::string> likeness_asks;
  // "give me the recommendation", "what do you recommend": the advisor's own word, after one of
  // `own_noun_before` and not before one of `own_noun_not_before` ("a recommendation engine" is
  // a product), is about the advisor: no evidence for an answer that shares its stem.
  std::vector<std::string> own_nouns;
  std::vector<std::string> own_noun_before;
  std::vector<std::string> own_noun_not_before;
  // "what would the recommendation be if ...", "how would the advice differ had ...": a result
  // of the advisor's (`outcome_nouns`), a `hypotheticals` word and one of `conditionals` after
  // them ask a what-if.
  std::vector<std::string> outcome_nouns;
  std::vector<std::string> conditionals;
  std::vector<std::string> hypotheticals;
  // "why does the number of customers matter": "why", a question, one of these asks why.
  std::vector<std::string> weighing_words;
};

struct language {
  dialogue::grammar grammar;
  std::vector<std::string> fillers;
  std::vector<std::string> yes;
  std::vector<std::string> no;
  std::map<command, intent_phrases> intents;
  std::map<std::string, int> ordinals;         // word -> 1-based position, -1 for the last
  std::map<std::string, int> ordinal_phrases;  // "before the last" -> -2, counted from the end
  std::vector<std::string> ordinal_words;      // words that may stand around an ordinal
  std::vector<std::string> hedges;
  std::vector<std::string>
      mixes;  // words that say the answer lies between options ("half", "torn between")
  // Words for the start ("at launch", "for now") and for later ("down the road", "v2"): both in
  // one message say the answer changes over time.
  std::vector<std::string> phases_now;
  std::vector<std::string> phases_later;
  // Words that leave later open ("maybe", "who knows"): with a word for later alone, no answer.
  std::vector<std::string> phases_open;
  std::vector<std::string> group_words;
  std::map<std::string, std::vector<std::string>>
      group_excludes;  // question id -> options a group cannot mean
  // "it's just me": said in the same message, a group word speaks of others ("our church group").
  std::vector<std::string> alone_words;
  std::map<std::string, double> numbers;
  std::map<std::string, double> multipliers;
  std::vector<std::string> range_words;
  // A number after one of these counts the speakers themselves ("we're 4 students", "a team of
  // 6"): how many they are, never how many users they will have.
  std::vector<std::string> speaker_counts;
  // "way past a few thousand", "well over 50k": a count said to be far exceeded is read as
  // `factor` times itself.
  struct far_above_words {
    std::vector<std::string> phrases;
    double factor = 1;
  } far_above;
  // A number followed by one of these is a time, not a count ("in like 6 weeks").
  std::vector<std::string> durations;
  // "300k requests a day": a count of things done over a period, read as a load by dividing by
  // the period's divisor. Only counts of `units` (requests, not users) are rates.
  struct rate_words {
    std::vector<std::string> units;
    std::vector<std::string> per;           // "per", "a", "each": between the unit and the period
    std::map<std::string, double> periods;  // "day" -> 100
  } rates;
  std::vector<std::string>
      reference_nouns;  // "not the data one": a reference to a listed option  // "2 or 3 thousand":
                        // the first number shares the unit
  std::vector<quantity_rule> quantities;
  std::vector<std::string> question_starts;
  std::vector<std::string>
      leads;  // words that may stand before a question's first word ("and", "so")
  std::vector<std::string> greetings;
  std::vector<std::string>
      question_phrases;  // phrases that make a message a question wherever they stand
  std::vector<std::string>
      other_subjects;  // subjects people ask about that may lie outside the sources
  // Of those, words that are verbs before these words or a stack's name ("go with python").
  std::map<std::string, std::vector<std::string>> subject_verbs;
  // Idioms that hold such a word and name no subject ("in one go", "good to go").
  std::vector<std::string> subject_idioms;
  // "what's the latest python version number": things of several words no source says.
  std::vector<std::string> uncovered_phrases;
  // Of those, tools a backend runs with ("postgres", "k8s"): a question naming one is still
  // for the sources when it also asks about something they cover.
  std::vector<std::string> surroundings;
  // Chat words for what the sources call otherwise ("noob" -> "beginner"), for the search.
  std::map<std::string, std::string> search_terms;
  // Chat shorthand read as the words it stands for ("u" -> "you", "ppl" -> "people").
  std::map<std::string, std::string> abbreviations;
  // A message of nothing but an emoji (or Slack's name for one), read as the words it stands
  // for ("👍" -> "yes", ":shrug:" -> "not sure"). Emoji beside words stay between words.
  std::map<std::string, std::string> emoji;
  // Words that only close what came before ("some reports, not much more"): read as a clause
  // break, so they answer nothing themselves.
  std::vector<std::string> limiters;
  // Small talk about the writer that answers nothing ("sorry for my english"): read as a clause
  // break. An origin ("i'm from brazil") also takes the place named after it, when that word
  // is not one the advisor knows ("we're from a bank" keeps "a bank").
  struct aside_words {
    std::vector<std::string> phrases;
    std::vector<std::string> origins;
  } asides;
};

// Example sentences to train the classifier on (config/examples.json): how people answer each
// question of one framework, say each command, and ask the sources something.
struct examples {
  std::string framework;  // the framework id they are written for
  std::map<std::string, std::map<std::string, std::vector<std::string>>>
      answers;  // question -> option -> sentences
  std::map<command, std::vector<std::string>> commands;
  std::vector<std::string> questions;
  // Questions for the sources by the knowledge topic they ask about ("req/s?" -> performance).
  std::map<std::string, std::vector<std::string>> topics;
  // How people refer back to a question they answered ("how many customers we expect" -> scale).
  std::map<std::string, std::vector<std::string>> mentions;
};

examples parse_examples(std::string_view text, const std::string& file_name);

// The shipped config/examples.json, parsed once.
const examples& default_examples();

// Parses a language document; throws load_error naming the problem.
language parse_language(std::string_view text, const std::string& file_name);

// The shipped config/language.json, parsed once.
const language& default_language();

}  // namespace advisor::dialogue
