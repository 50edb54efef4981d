// Each stage of understanding on its own: stems, typo correction, fillers, commands anywhere in
// a sentence, yes and no, ordinals, quantities, hedges, who is speaking, and the classifier.
// (The labelled corpus in corpus_test.cpp measures the whole.)
#include "dialogue/understanding.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

#include "bot/paths.hpp"
#include "dialogue/classifier.hpp"
#include "dialogue/lexicon.hpp"
#include "support.hpp"

using namespace advisor::dialogue;

namespace {

const framework& shipped() { return advisor::test::shipped_framework(); }

const understanding& plain() {
  static understanding u(shipped(), default_language());
  return u;
}

// The position a message names in the list of options, if any.
std::optional<int> ord(const char* text) { return plain().ordinal(plain().read(text)); }

std::string joined(const words& w) {
  std::string out;
  for (const auto& t : w.tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

command cmd(const char* text, const state& s = {}) {
  return plain().command_in(plain().read(text), s).command;
}

const option* quantity(const char* text, bool pending = true) {
  return plain().by_quantity(*shipped().find_question("scale"), plain().read(text), pending);
}

}  // namespace

TEST_CASE("stems join inflected words - part by part across hyphens") {
  CHECK(stem("knows") == stem("know"));
  CHECK(stem("users") == "user");
  CHECK(stem("insurance") == stem("insurer"));
  CHECK(stem("cpu-heavy") == "cpu-" + stem("heavy"));
}

TEST_CASE("typos are fixed to the advisor's words - real words are left alone") {
  CHECK(joined(plain().read("pyhton")) == "python");
  CHECK(joined(plain().read("javscript devs")) == "javascript devs");
  CHECK(joined(plain().read("yse")) == "yes");
  CHECK(joined(plain().read("realtiem updates")) == "realtime updates");
  // "go" and "bank" are English words: never "corrected" to "no" or "back".
  CHECK(joined(plain().read("go bank")) == "go bank");
  // Numbers and long nonsense stay as typed.
  CHECK(joined(plain().read("5k xqzvbnmwlkj")) == "5k xqzvbnmwlkj");
}

TEST_CASE("fillers fall away from the core of a message") {
  auto core = plain().core(plain().read("ok so um, please undo that"));
  CHECK(core == std::vector<std::string>{"undo"});
}

TEST_CASE("commands are found anywhere in a sentence - in natural wording") {
  CHECK(cmd("let's start over") == command::restart);
  CHECK(cmd("hmm ok, I think I'd like to start over") == command::restart);
  CHECK(cmd("oops, wrong one") == command::back);
  CHECK(cmd("give me a decision record") == command::summary);
  CHECK(cmd("what have I told you so far?") == command::status);
  CHECK(cmd("what do you mean?") == command::why);
  CHECK(cmd("dunno") == command::skip);
  // A plain no is a reply, though its core ("not") is that of "not that" (back).
  CHECK(cmd("not really") == command::none);
  CHECK(cmd("not that") == command::back);
  // Wordings met in development sets.
  CHECK(cmd("ok let's do it again from scratch for a different project") == command::restart);
  CHECK(cmd("can we skip that for now, i'll have to ask our architects") == command::skip);
  CHECK(cmd("how did you end up at python?? explain") == command::why);
  CHECK(cmd("progress check? feels like we've been at this a while") == command::status);
  CHECK(cmd("being able to share types and code with our react frontend") == command::none);
  CHECK(cmd("i'm not sure what you mean") == command::why);  // the longer phrase wins
  CHECK(cmd("what if our team knew javascript") == command::whatif);
  CHECK(cmd("compare them on performance") == command::compare);
  CHECK(cmd("looks good to me") == command::confirm);
  CHECK(cmd("can we start the whole thing over, wrong project") == command::restart);
  CHECK(cmd("before I say yes can you show me again everything you have down for me") ==
        command::status);
  CHECK(cmd("can you explain how you came up with that recommendation") == command::why);
  CHECK(cmd("um I'm a bit lost, what all can I do in this chat?") == command::help);
  SUBCASE("a change names what it changes") {
    state s;
    s.answers.push_back({"team", "python", 1, "choice", {}});
    auto said = plain().command_in(plain().read("no, change the team"), s);
    CHECK(said.command == command::change);
    REQUIRE(said.target);
    CHECK(said.target->id == "team");
    // "go back to the team question" changes that answer, not the last one.
    CHECK(plain().command_in(plain().read("go back to the team one"), s).command ==
          command::change);
  }
  SUBCASE("command words in ordinary talk are not commands") {
    CHECK(cmd("we don't want to restart the servers every night for the batch jobs") ==
          command::none);
    CHECK(cmd("realtime updates on a delivery map") == command::none);
    CHECK(cmd("don't restart") == command::none);
    CHECK(cmd("medium I suppose") == command::none);  // "i suppose" is a filler, no what-if
    CHECK(cmd("how fast is node compared to python") == command::none);
  }
}

TEST_CASE("yes and no - alone or leading a sentence") {
  auto pol = [](const char* t) { return plain().polarity(plain().read(t)); };
  CHECK(pol("yep").sign == 1);
  CHECK(pol("yep").whole);
  CHECK(pol("definitely").sign == 1);
  CHECK(pol("nope").sign == -1);
  CHECK(pol("nah not really").sign == -1);
  CHECK(pol("yes that's right").sign == 1);
  CHECK_FALSE(pol("yes that's right").whole);
  CHECK(pol("ok").sign == 1);
  CHECK(pol("we need chat").sign == 0);
  // A yes word denied by the only word after it is a no.
  CHECK(pol("absolutely not lol").sign == -1);
  CHECK(pol("absolutely not lol").whole);
  CHECK(pol("of course not").sign == -1);
  const question& rt = *shipped().find_question("realtime");
  CHECK(plain().by_polarity(rt, 1)->id == "yes");
  CHECK(plain().by_polarity(rt, -1)->id == "no");
  CHECK(plain().by_polarity(*shipped().find_question("team"), 1) == nullptr);
}

TEST_CASE("ordinals and references to the list") {
  CHECK(ord("the first one") == 1);
  CHECK(ord("option 2") == 2);
  CHECK(ord("#3") == 3);
  CHECK(ord("I'll go with the second") == 2);
  CHECK(ord("the last one") == -1);
  CHECK(ord("the very last one") == -1);
  CHECK(ord("second from the bottom") == -2);
  CHECK(ord("third from the end") == -3);
  CHECK(ord("The first, I believe.") == 1);  // a hedge after the position says no more
  CHECK_FALSE(ord("the first team"));
  CHECK_FALSE(ord("50 users"));
}

TEST_CASE("a position said again is one position - a yes before it picks nothing") {
  CHECK(ord("the second option i think? yeah, second") == 2);
  CHECK(ord("yeah, second") == 2);
  CHECK(ord("the second option, or the third") == 0);  // two positions: ask which
  // A turn already taken is no position in the list.
  CHECK_FALSE(ord("my last answer was wrong"));
  CHECK_FALSE(ord("wait undo that last answer"));
  CHECK(ord("the last answer") == -1);
}

TEST_CASE("a command word after a request's or a self-correction's opening words opens it") {
  CHECK(cmd("can we skip the team thing for now") == command::skip);
  CHECK(cmd("wait undo that last answer, I fat-fingered it") == command::back);
  CHECK(cmd("my last answer was wrong") == command::back);
  // Other words before it still make it talk.
  CHECK(cmd("how long does the restart of a node server take usually") != command::restart);
}

TEST_CASE("numbers and quantities pick a load band") {
  CHECK(quantity("maybe 5k users in the first year")->id == "moderate");
  CHECK(quantity("a couple hundred")->id == "low");
  CHECK(quantity("millions of requests a day")->id == "high");
  // Requests over a period are a rate, read as the users it takes; users a day are users.
  CHECK(quantity("a few hundred k req/day, maybe 2-3k daily users")->id == "moderate");
  CHECK(quantity("about 50k requests per day")->id == "low");
  CHECK(quantity("300k daily users")->id == "high");
  CHECK(quantity("like 50 users")->id == "low");
  // "150ish": about that many.
  REQUIRE(quantity("150ish, just our drivers and dispatchers"));
  CHECK(quantity("150ish, just our drivers and dispatchers")->id == "low");
  CHECK(quantity("5kish users")->id == "moderate");
  // A number in words counts with its unit right after it; alone it is no count.
  REQUIRE(quantity("like eighty kids and their parents"));
  CHECK(quantity("like eighty kids and their parents")->id == "low");
  CHECK(quantity("eighty, give or take") == nullptr);
  CHECK(quantity("5,000 users")->id == "moderate");
  // Groups of three digits after spaces are one number; a power of ten is its number.
  CHECK(quantity("3 000 users")->id == "moderate");
  CHECK(quantity("1 000 000 users")->id == "high");
  CHECK(quantity("10^3")->id == "moderate");
  CHECK(quantity("10^6 users")->id == "high");
  // Not a number with its unit glued on ("2 100%"), nor a group of four digits ("2 1000").
  for (const char* apart : {"option 2 100%", "option 2 1000 users"}) {
    const auto tokens = plain().read(apart).tokens;
    CHECK(std::count(tokens.begin(), tokens.end(), "2") == 1);
  }
  CHECK(quantity("10k concurrent connections")->id == "high");  // at once: a lower bar
  CHECK(quantity("half a million visitors")->id == "high");
  CHECK(quantity("no idea") == nullptr);
  // Outside the load question a number needs a unit: "4 people in a garage" is not load.
  CHECK(quantity("we're 4 people in a garage", false) == nullptr);
  CHECK(quantity("about 200 users", false)->id == "low");
}

TEST_CASE("hedges and who is speaking") {
  CHECK(plain().hedged(plain().read("mostly JS with a bit of Python")));
  CHECK_FALSE(plain().hedged(plain().read("javascript")));
  // Two hedges weigh two parts; one hedge, or one said in overlapping words, weighs nothing.
  CHECK(plain().hedges_between(plain().read("a bit of analytics but mostly the old billing")));
  CHECK(plain().hedges_between(plain().read("mostly JS with a bit of Python")));
  CHECK_FALSE(plain().hedges_between(plain().read("mostly analytics")));
  CHECK_FALSE(plain().hedges_between(plain().read("a bit of both")));
  // "could be", "might be", "depends": an answer not settled yet.
  CHECK(plain().hedged(plain().read("could be 500, could be 50k")));
  CHECK(plain().hedged(plain().read("depends on the client really")));
  CHECK(plain().hedges_between(plain().read("could be a lot, might be nothing")));
  auto f = plain().filter(plain().read("our team knows javascript"), {});
  REQUIRE(f);
  const question& context = *shipped().find_question("context");
  CHECK_FALSE(f(context, *context.find_option("individual")));
  CHECK(f(context, *context.find_option("startup")));
  const question& goal = *shipped().find_question("individual_goal");
  CHECK_FALSE(f(goal, *goal.find_option("know_js")));  // asked only of individuals
  CHECK_FALSE(plain().filter(plain().read("I know javascript"), {}));
  // A group word denied makes no group: "not a company", "no team".
  CHECK_FALSE(plain().filter(plain().read("not a company or anything, just me tinkering"), {}));
  CHECK_FALSE(plain().filter(plain().read("there's no team, only me"), {}));
  CHECK(plain().filter(plain().read("not me, our team decides"), {}));
  // Once the user said they are on their own, "our" speaks of others: "a site for our club".
  state alone;
  alone.answers.push_back({"context", "individual", 1, "choice", {}});
  CHECK_FALSE(plain().filter(plain().read("a small website for our parish council"), alone));
  // ... and so it does when they say so in the same message; "just me and two others" is a group.
  CHECK_FALSE(plain().filter(plain().read("it's only me doing this for our church group"), {}));
  CHECK_FALSE(plain().filter(plain().read("just me, an app for our shift swaps"), {}));
  CHECK(plain().filter(plain().read("our team is just me and two others"), {}));
  CHECK(plain().filter(plain().read("our shop, just me with my two cousins"), {}));
  CHECK(plain().filter(plain().read("we're not solo, our team builds it"), {}));
}

TEST_CASE("the classifier answers only when the words it knows point one way") {
  classifier c({"the", "a", "we", "our"});
  for (const char* t :
       {"we are a bank", "a large insurer", "government ministry", "hospital group"})
    c.add("enterprise", read_words(t));
  for (const char* t :
       {"two founders", "seed stage startup", "pre-seed company", "founders in a garage"})
    c.add("startup", read_words(t));
  CHECK(c.classify(read_words("a hospital"), {}, 0.8, 1).label == "enterprise");
  CHECK(c.classify(read_words("three founders"), {}, 0.8, 1).label == "startup");
  CHECK(c.classify(read_words("purple elephants"), {}, 0.8, 1).label.empty());  // nothing known
  auto mixed = c.classify(read_words("founders of a bank"), {}, 0.8, 1);
  CHECK(mixed.label.empty());  // one word each way: not sure enough
  CHECK(mixed.evidence == 2);
  // Tokens another answer used are left out.
  CHECK(c.classify(read_words("founders of a bank"), {}, 0.8, 1, {{0, 1}}).label == "enterprise");
}

TEST_CASE(
    "a question not asked is answered only when its words say more for it than for anything else") {
  static const understanding u(shipped(), default_language(), &default_examples());
  const question& focus = *shipped().find_question("enterprise_focus");
  // Asked, "old" leans to legacy systems among the options: the best reading there. Not asked,
  // the words say more about the company, or the team's other services, than about the job.
  for (const char* text :
       {"our company is a 50 year old logistics firm", "we are a big old insurance company",
        "the services we call are node apps another team wrote"}) {
    CAPTURE(text);
    const words w = u.read(text);
    CHECK(u.classify_answer(focus, w, {}, 0) != nullptr);
    CHECK(u.classify_answer(focus, w, {}, 1) == nullptr);
  }
  // Words about the job itself answer it, asked or not.
  const option* analytics = u.classify_answer(focus, u.read("analysing card transactions"), {}, 1);
  REQUIRE(analytics != nullptr);
  CHECK(analytics->id == "analytics");
}

TEST_CASE(
    "splitting and statements: js/ts - data/ml - but not 50/50 - 'could be …' is no question") {
  CHECK(joined(plain().read("mostly JS/TS folks")) == "mostly js ts folks");
  CHECK(joined(plain().read("the data/ML bit")) == "the data ml bit");
  CHECK(joined(plain().read("50/50 split")) == "50/50 split");
  CHECK_FALSE(plain().asks(plain().read("could be tens of thousands at once")));
  CHECK_FALSE(plain().asks(plain().read("will be around for years")));
  CHECK(plain().asks(plain().read("could node handle it")));
  // An idiom that opens like a question asks nothing; what comes before it still may.
  CHECK_FALSE(plain().asks(plain().read("could be 100k concurrent, who knows")));
  CHECK_FALSE(plain().asks(plain().read("who knows")));
  CHECK(plain().asks(plain().read("how fast is node, who knows")));
  // A need opens a statement; a later clause may still ask, unless it goes on about the need.
  CHECK(plain().asks(
      plain().read("we need to stream big files to users, which one handles that better")));
  CHECK_FALSE(
      plain().asks(plain().read("we need to integrate with the old EHR, which is all .NET")));
  CHECK(plain().asks(plain().read("for an e-commerce site which would you pick")));
  CHECK(plain().asks(plain().read("wouldnt go be better")));
}

TEST_CASE("a search reads chat words as the sources put them") {
  CHECK(plain().search_query(plain().read("is python ok for a total noob")) ==
        "is python ok for a total beginner");
  CHECK(plain().search_query(plain().read("does node have type checking or nah")) ==
        "does node have typing");
  CHECK(plain().search_query(plain().read("how fast is node, honestly")) == "how fast is node");
}

TEST_CASE("a noun is no command: 'small changes often' changes nothing") {
  state s;
  s.answers.push_back({"team", "python", 1, "choice", {}});
  CHECK(cmd("ship small changes often, same language as the web frontend", s) != command::change);
  CHECK(cmd("change the team", s) == command::change);
  CHECK(cmd("ok go", s) == command::confirm);
  CHECK(cmd("can i change what i said about the team", s) == command::change);
  // The plural of any command word is a noun.
  CHECK(cmd("a handful of daily summaries", s) == command::none);
  CHECK(cmd("give me a summary", s) == command::summary);
}

TEST_CASE("chat shorthand and emoji") {
  CHECK(joined(plain().read("u know our ppl r all py")) == "you know our people are all python");
  CHECK(joined(plain().read("pass 🙏")) == "pass");
  CHECK(joined(plain().read("no 🙅\u200d\u2642\ufe0f")) == "no");  // a joined emoji sequence
  CHECK(joined(plain().read("looks good 👍🏽 ✅")) == "looks good");
  CHECK(cmd("pass 🙏") == command::skip);
  CHECK(cmd("\u2b05\ufe0f back") == command::back);  // an arrow
  // A comma between thousands is the number's: "50,000" is one token; "5, 6" is two.
  CHECK(joined(plain().read("50,000 students")) == "50000 students");
  CHECK(plain().read("5, 600 users").tokens.size() == 4);
}

TEST_CASE("a command verb in the progressive is a statement") {
  CHECK(cmd("I'll be sharing it with colleagues who aren't programmers") == command::none);
  CHECK(cmd("share it with my team") == command::summary);
}

TEST_CASE("a command phrase turned into a gerund names an activity") {
  CHECK(cmd("nobody here writes JS beyond copy-pasting jQuery snippets") == command::none);
  CHECK(cmd("copy paste please") == command::summary);
}

TEST_CASE("a command verb in the past tense after its subject is a statement") {
  CHECK(cmd("is express still the default or has everyone moved on to fastify / nest") ==
        command::none);
  CHECK(cmd("let's move on") == command::skip);
}

TEST_CASE("a command word that names a thing asks for nothing") {
  // Modifying the noun after it: "a summary spreadsheet", "a status page".
  CHECK(cmd("maybe a summary spreadsheet at the end of the month") == command::none);
  CHECK(cmd("a status page for the outages") == command::none);
  CHECK(cmd("a summary please") == command::summary);
  // A particle with an object: "the bus moves on the map"; "move on to the next one" asks.
  CHECK(cmd("people can watch their bus move on the map") == command::none);
  CHECK(cmd("move on to the next one") == command::skip);
  CHECK(cmd("can we pass on the load question for now") == command::skip);
  // Inside a yes: "uh huh" is no "huh?".
  CHECK(cmd("uh huh, a little bit") == command::none);
  CHECK(cmd("huh?") == command::why);
  // "figure it out" asked of someone able to is no "still figuring it out".
  CHECK(cmd("I want whoever comes after me to be able to figure it out") == command::none);
  CHECK(cmd("we're figuring it out") == command::skip);
}

TEST_CASE("a summary of two things set against each other asks the sources") {
  CHECK(cmd("Django vs Flask, tl;dr?") == command::none);
  CHECK(cmd("tl;dr please") == command::summary);
}

TEST_CASE("requests for lists and downsides ask the sources") {
  CHECK(plain().asks(plain().read("give me python's downsides. the honest version")));
  CHECK(plain().asks(plain().read("shortlist of python web frameworks pls")));
  CHECK_FALSE(plain().asks(plain().read("a framework that gives me admin and auth")));
}

TEST_CASE("a team's size and how often are no count of users") {
  CHECK(quantity("12-person seed-stage startup, building live fleet tracking") == nullptr);
  CHECK(quantity("people rotate every 2") == nullptr);
  CHECK(quantity("12 people online at once") != nullptr);
}

TEST_CASE("half of a thing is a share - not a mix of answers") {
  CHECK(plain().mixed(plain().read("half startup half agency")));
  CHECK(plain().mixed(plain().read("half its job is pulling data out of the mainframe")));
  CHECK_FALSE(plain().mixed(plain().read("the DS folks write half the prod code")));
  CHECK_FALSE(plain().mixed(plain().read("we'll probably rewrite half of it anyway")));
}

TEST_CASE("a question word after a word of the sentence opens a relative clause") {
  CHECK_FALSE(plain().asks(plain().read("no, daily batches are fine for everyone who uses it")));
  CHECK(plain().asks(plain().read("so who uses node")));
  CHECK(plain().asks(plain().read("big companies who uses it?")));
}

TEST_CASE("a number marked with a hash is a position unless it ranks a word") {
  CHECK(ord("going w/ #2") == 2);
  CHECK(ord("going with #3, thanks") == 3);
  CHECK_FALSE(ord("p99 under peak load is our #1 risk").has_value());
}

TEST_CASE("command phrases in requests and questions") {
  CHECK(cmd("could I see a comparison of the two across all the main points?") == command::compare);
  CHECK(cmd("Where have we got to? What answers do you have from me so far?") == command::status);
  CHECK(cmd("What exactly do you mean by load here?") == command::why);
  CHECK(cmd("Can we pass over this question? I would need to consult IT") == command::skip);
}

TEST_CASE("a question may open after a few lead words") {
  CHECK(plain().asks(plain().read("and for node, which frameworks do people use?")));
  CHECK(plain().asks(plain().read("ok so how fast is node")));
  CHECK_FALSE(plain().asks(plain().read("and we need chat")));
}

TEST_CASE("clauses: commas and joining words start a new one") {
  auto c = plain().clauses(plain().read("a few hundred users, and the code stays lean"));
  REQUIRE(c.size() == 10);  // the comma is a token
  CHECK(c[0] == c[3]);
  CHECK(c[3] != c[6]);
}

TEST_CASE("a change that names the new answer gives it - not the question's own name") {
  const question& team = *shipped().find_question("team");
  const question& data = *shipped().find_question("data");
  const option* o =
      plain().changed_to(team, plain().read("oh wait, change the team, we're python people"));
  REQUIRE(o != nullptr);
  CHECK(o->id == "python");
  // "data/ML" names the question; it is not the answer "A lot: ML is central".
  CHECK(plain().changed_to(data, plain().read("not quite, the data/ML bit is wrong")) == nullptr);
  CHECK(plain().changed_to(
            team, plain().read("before we go on, can i change my answer about the team?")) ==
        nullptr);
}

TEST_CASE("several positions are several - not the first of them") {
  CHECK(plain().ordinal(plain().read("last one on the list")) == -1);
  CHECK(plain().ordinal(plain().read("kinda the first but also the second?")) == 0);
  CHECK(plain().ordinal(plain().read("either the first or the third tbh")) == 0);
  CHECK(plain().ordinal(plain().read("option two")) == 2);
  CHECK_FALSE(plain().ordinal(plain().read("the first release")).has_value());
}

TEST_CASE("how many options there are is no position - the last of them is counted") {
  CHECK(ord("I'd go with the second of the four, if that's alright.") == 2);
  CHECK(ord("Of the four you have listed, number three applies to us.") == 3);
  CHECK(ord("Option 3 is the closest to my situation.") == 3);
  // The user counted the real options: the last of three is the third, not "Not sure".
  CHECK(ord("I'd say the last of the three.") == 3);
  CHECK(ord("the last one") == -1);
}

TEST_CASE("a head count answers who is choosing only with its unit - and only when large") {
  const question& context = *shipped().find_question("context");
  const option* o =
      plain().by_quantity(context, plain().read("we're a pension fund, 3000 staff"), true);
  REQUIRE(o != nullptr);
  CHECK(o->id == "enterprise");
  CHECK(plain().by_quantity(context, plain().read("3000"), true) == nullptr);  // a bare number
  CHECK(plain().by_quantity(context, plain().read("about 12 people"), true) ==
        nullptr);  // small says nothing
}

TEST_CASE("people count as load only at once - a number may change a load already given") {
  const question& scale = *shipped().find_question("scale");
  const option* o = plain().by_quantity(
      scale, plain().read("tens of thousands of people drawing at once at peak"), false);
  REQUIRE(o != nullptr);
  CHECK(o->id == "high");
  CHECK(plain().by_quantity(scale, plain().read("we're 4 people in a garage"), false) == nullptr);
  CHECK(plain().by_quantity(scale, plain().read("about 800 employees"), false) == nullptr);
}

TEST_CASE("a change names its question before or after the verb") {
  state at_review;
  for (const auto& q : {"context", "scale"})
    at_review.answers.push_back(
        {q, q == std::string("context") ? "startup" : "low", 1, "choice", {}});
  // "the traffic question ... fix it": the question is named first, as a question.
  CHECK(cmd("i messed up the traffic question, lemme fix it", at_review) == command::change);
  CHECK(cmd("the load one is wrong, let me fix it", at_review) == command::change);
  // A verb after a name that is not said as a question stays talk.
  CHECK(cmd("our users switch devices a lot", at_review) != command::change);
}

TEST_CASE("a short last clause may ask about the stacks") {
  CHECK(plain().asks(plain().read("under really heavy load, python or node?")));
  CHECK(plain().asks(plain().read("we do 3d rendering, lots of memory use, which fits")));
  CHECK(plain().asks(plain().read("our old systems are java, does python integrate with those")));
  CHECK_FALSE(plain().asks(plain().read("mostly python, a bit of node")));
  CHECK_FALSE(plain().asks(plain().read("python or node, the team knows both")));
}

TEST_CASE("status - why and help in everyday wording - 'what i said' alone is no status") {
  CHECK(cmd("which answers have i given so far?") == command::status);
  CHECK(cmd("y do u need that info") == command::why);
  CHECK(cmd("which commands do you understand") == command::help);
  CHECK(cmd("oops, go to the prior question") == command::back);
  CHECK(cmd("python. btw ignore what i said earlier, we're a big bank") != command::status);
  CHECK(cmd("what can i actually type here besides answers?") == command::help);
  CHECK(cmd("can i get all this as an adr doc for the client file") == command::summary);
  CHECK(cmd("he needs your reasoning for the board") == command::why);
}

TEST_CASE("a need is a statement - a modal before a stack asks") {
  CHECK_FALSE(plain().asks(plain().read("it has to talk to a 20 yr old ERP")));
  CHECK_FALSE(plain().asks(plain().read("we have to ship fast")));
  CHECK(plain().asks(plain().read("if we serve huge video uploads can node pipe them in chunks")));
  CHECK(plain().asks(plain().read("for the ml part should python do it")));
}

TEST_CASE("a verb after its subject is a statement - even when fillers hide the subject") {
  CHECK_FALSE(plain().asks(plain().read("it will become very big and we must keep it for years")));
  CHECK_FALSE(plain().asks(plain().read("for me is most important that the code is easy to read")));
  CHECK(plain().asks(plain().read("will it scale")));
  CHECK(plain().asks(plain().read("so, is node fast")));
}

TEST_CASE("not knowing a language is no skip") {
  CHECK(cmd("i'm a total beginner and don't know js") != command::skip);
  CHECK(cmd("we dont know python at all") != command::skip);
  CHECK(cmd("don't know yet") == command::skip);
  CHECK(cmd("i don't know which") == command::skip);
}

TEST_CASE("a range of numbers is a quantity - not several positions") {
  CHECK_FALSE(plain().ordinal(plain().read("10-20 thousand signups we hope")).has_value());
  const option* o = quantity("10-20 thousand signups we hope");
  REQUIRE(o != nullptr);
  CHECK(o->id == "moderate");
}

TEST_CASE("the stacks a question names are the framework's own") {
  // The same sentence asks about a stack only where the framework has one by that name.
  framework web = parse_framework(R"({
    "id": "w", "version": "1", "title": "W",
    "stacks": [{"id": "django", "label": "Django"}, {"id": "flask", "label": "Flask"}],
    "questions": [{"id": "size", "text": "How big?", "options": [
      {"id": "small", "label": "Small", "scores": {}}, {"id": "big", "label": "Big", "scores": {}}]}]
  })",
                                  "web.json");
  understanding u(web, default_language());
  CHECK(u.asks(u.read("for big uploads could flask stream them")));
  CHECK_FALSE(u.asks(u.read("for big uploads could rails stream them")));
  CHECK(plain().asks(plain().read("for big uploads could node stream them")));
  CHECK_FALSE(plain().asks(plain().read("for big uploads could flask stream them")));
  // "I don't know flask" says what someone knows, under this framework; a skip elsewhere.
  CHECK(u.command_in(u.read("i don't know flask"), {}).command != command::skip);
}

TEST_CASE("a share in percent says how much of the work the question is about") {
  const auto& data = *shipped().find_question("data");
  auto read = [&](const char* text) {
    const option* o = plain().by_quantity(data, plain().read(text), true);
    return o ? o->id : std::string("(none)");
  };
  CHECK(read("like 5% of the work is analytics") == "some");
  CHECK(read("maybe 10 percent of it is ML stuff") == "some");
  CHECK(read("honestly 70% of what it does is data crunching") == "core");
  CHECK(read("0% analytics, it's all forms") == "none");
  // A share of something else is not a share of data work.
  CHECK(read("90% of the traffic is websockets") == "(none)");
  CHECK(read("5 per second") == "(none)");
}

TEST_CASE("a correction runs from its marker to the end of its sentence") {
  auto fix = plain().correction_in(
      plain().read("medium. oh and i was wrong about the team, they're all python folks"));
  REQUIRE(fix);
  CHECK(joined(fix->said) == "about the team , they're all python folks");
  CHECK(fix->quoted.tokens.empty());
  CHECK(fix->rest == "medium. oh");
  // A sentence after the correction is read on its own.
  fix = plain().correction_in(plain().read("on second thought it's a website. no realtime"));
  REQUIRE(fix);
  CHECK(joined(fix->said) == "it's a website");
  CHECK(fix->rest == ". no realtime");
  CHECK_FALSE(plain().correction_in(plain().read("a few hundred users, and the code stays lean")));
}

TEST_CASE("a correction quotes or denies the old answer - and asserts the new one") {
  auto fix = plain().correction_in(
      plain().read("i said thousands of users but honestly it'll be a couple hundred tops"));
  REQUIRE(fix);
  CHECK(joined(fix->quoted) == "thousands of users");
  CHECK(joined(fix->said) == "honestly it'll be a couple hundred tops");
  fix = plain().correction_in(
      plain().read("correction: it's not analytics, it's mostly the customer web app"));
  REQUIRE(fix);
  REQUIRE(fix->denied.size() == 1);
  CHECK(joined(fix->denied.front()) == "analytics");
  CHECK(joined(fix->asserted) == "it's , it's mostly the customer web app");
  // "than", "instead of": the old answer follows, and is no part of the new one.
  fix = plain().correction_in(plain().read("actually it's more a chat app than an api"));
  REQUIRE(fix);
  REQUIRE(fix->denied.size() == 1);
  CHECK(joined(fix->denied.front()) == "an api");
  CHECK(joined(fix->said) == "it's more a chat app");
}

TEST_CASE("the topic of a question for the sources - or none when the classifier is unsure") {
  static const understanding u(shipped(), default_language(), &default_examples());
  CHECK(u.topic_of(u.read("how fast is each one under a benchmark")) == "performance");
  CHECK(u.topic_of(u.read("does the python crowd have a bigger community")) == "community");
  CHECK(u.topic_of(u.read("purple elephants")).empty());  // nothing it knows
  // Without examples there is no classifier, and no topic.
  CHECK(plain().topic_of(plain().read("which of the two pushes more req/s")).empty());
}

TEST_CASE("two numbers in different bands are two readings - not the larger one") {
  const question& scale = *shipped().find_question("scale");
  CHECK(plain().by_each_quantity(scale, plain().read("could be 500 could be 50k")).size() == 2);
  CHECK(plain().by_each_quantity(scale, plain().read("between 200 and 600 users")).size() == 1);
  CHECK(plain().by_each_quantity(scale, plain().read("no idea")).empty());
  // "2 or 3 thousand": the first number shares the second one's multiplier.
  CHECK_FALSE(plain().ordinal(plain().read("maybe 2 or 3 thousand persons will use it")));
  const auto each = plain().by_each_quantity(scale, plain().read("maybe 2 or 3 thousand persons"));
  REQUIRE(each.size() == 1);
  CHECK(each.front()->id == "moderate");
  CHECK(plain().by_each_quantity(scale, plain().read("5 to 10 million requests")).front()->id ==
        "high");
}

TEST_CASE("shorthand for tens and hundreds counts like the words") {
  const question& scale = *shipped().find_question("scale");
  const option* o = plain().by_quantity(
      scale, plain().read("10s of thousands of concurrent connections at peak"), true);
  REQUIRE(o);
  CHECK(o->id == "high");
  CHECK(plain().read("python data libs").tokens.back() == "libraries");
}

TEST_CASE("a count needs its unit in its own clause - and a time is no count") {
  // Not asked about the load: "users" in another clause counts no users.
  CHECK(quantity("early stage startup, 3 devs who all write typescript, and it's live sync "
                 "between users",
                 false) == nullptr);
  CHECK(quantity("want something in front of users in like 6 weeks", false) == nullptr);
  CHECK(quantity("want something in front of users in like 6 weeks") == nullptr);
  const option* o = quantity("we're a tiny team, maybe 5k users in the first year", false);
  REQUIRE(o);
  CHECK(o->id == "moderate");
}

TEST_CASE("a mix word before a question word is the decision itself - not a mix of options") {
  CHECK_FALSE(plain().mixed(plain().read("solo dev, cant decide what to write the backend in")));
  CHECK(plain().mixed(plain().read("can't decide, kind of startup kind of agency")));
  CHECK(plain().mixed(plain().read("torn between the two honestly")));
}

TEST_CASE("small talk about the writer answers nothing - nor does the place they are from") {
  CHECK(joined(plain().read("sorry for my english, we are a startup")) == ", , we are a startup");
  CHECK(joined(plain().read("i am from brazil, small team")) == ", , small team");
  CHECK(joined(plain().read("im from the netherlands and we build apis")) == ", and we build apis");
  // A place the advisor knows as an answer's word is no place: "from a bank" is said of the job.
  CHECK(joined(plain().read("i'm from a bank")) == "i'm from a bank");
  CHECK(joined(plain().read("we're from the bank")) == "we're from the bank");
}

TEST_CASE("a position counted from the end in several words - 'the one before the last'") {
  CHECK(plain().ordinal(plain().read("the one before the last")) == -2);
  CHECK(plain().ordinal(plain().read("second to last option")) == -2);
  CHECK(plain().ordinal(plain().read("the last one")) == -1);
  // Other words around it: not just a position.
  CHECK_FALSE(plain().ordinal(plain().read("the week before the last release")));
}

TEST_CASE("two stacks set against each other before a question mark ask") {
  CHECK(plain().asks(plain().read("chat app backend - node or py?")));
  // Without one, two stacks that close a clause of their own ask ("for a shop, python or node"),
  // and a dash closes a clause as a comma does; two stacks said on in the sentence do not.
  CHECK(plain().asks(plain().read("chat app backend - node or py")));
  CHECK_FALSE(plain().asks(plain().read("chat app backend in node or py")));
}

TEST_CASE("a spaced dash ends a clause - after a number it joins a range") {
  CHECK(joined(plain().read("no forms - just number crunching")) ==
        joined(plain().read("no forms, just number crunching")));
  CHECK(joined(plain().read("2 - 5 thousand users")) == "2 5 thousand users");
}

TEST_CASE("a lead-in about one stack and a question word ask - with or without a comma") {
  CHECK(plain().asks(plain().read("and for node what frameworks do people use, express only?")));
  CHECK(plain().asks(plain().read("and for node, what frameworks do people use?")));
  CHECK_FALSE(plain().asks(plain().read("and for node what we need is speed")));
}

TEST_CASE("chat shorthand for data science - 'ds / ml roles'") {
  CHECK(joined(plain().read("switch into ds roles")) == "switch into data science roles");
}

TEST_CASE("a position word with a list noun names an option - whatever is said around it") {
  static const understanding u(shipped(), default_language(), &default_examples());
  CHECK(u.ordinal(u.read("3rd one sounds like us")) == 3);
  CHECK(u.ordinal(u.read("uhh the second one i guess")) == 2);
  // A number word is no position ("two devs"), and a denial is left to the strict reading.
  CHECK_FALSE(u.ordinal(u.read("two devs sounds like us")).has_value());
  CHECK_FALSE(u.ordinal(u.read("not the 3rd one")).has_value());
}

TEST_CASE("a bare number is no word for the classifier - the quantity rules read it") {
  classifier c({"the", "a"});
  c.add("startup", read_words("me and 2 cofounders"));
  c.add("enterprise", read_words("a bank with 2000 staff"));
  CHECK(c.classify(read_words("window 2"), {}, 0.7, 1).label.empty());
  CHECK(c.classify(read_words("2 cofounders"), {}, 0.7, 1).label == "startup");
  // Markup pasted into the chat is no answer, whatever numbers are in it.
  static const understanding u(shipped(), default_language(), &default_examples());
  const auto& context = *shipped().find_question("context");
  CHECK(u.classify_answer(context, u.read("<script>window.x=2</script>"), {}, 0) == nullptr);
}

TEST_CASE("a keycap emoji is its digit") {
  CHECK(joined(plain().read("5\xEF\xB8\x8F\xE2\x83\xA3")) == "5");
  CHECK(joined(plain().read("2\xE2\x83\xA3 i guess")) == "2 i guess");
}

TEST_CASE("every option denied but one is that one - a denied option is no guess") {
  const auto& size = *shipped().find_question("size");
  CHECK(match_reply(size, plain().read("not small but not large either")).chosen->id == "medium");
  const auto& scale = *shipped().find_question("scale");
  auto m = match_reply(scale, plain().read("won't be tiny, but def not massive either"));
  REQUIRE(m.chosen);
  CHECK(m.chosen->id == "moderate");
  // "not tiny" denies the low band; "don't really care either way" denies no option.
  auto tiny = match_reply(scale, plain().read("not tiny"));
  REQUIRE(tiny.denied.size() == 1);
  CHECK(tiny.denied.front()->id == "low");
  CHECK(match_reply(*shipped().find_question("priority"),
                    plain().read("don't really care either way"))
            .denied.empty());
}

TEST_CASE("a change may describe the answer instead of naming its question") {
  static const understanding u(shipped(), default_language(), &default_examples());
  state s;
  for (const char* q : {"context", "workload", "team", "realtime", "data", "scale", "size"})
    s.answers.push_back({q, "x", 1, "choice", {}});
  auto target = [&](const char* text) -> std::string {
    auto said = u.command_in(u.read(text), s);
    if (said.command != command::change) return "not a change";
    return said.target ? said.target->id : "no target";
  };
  CHECK(target("hang on, I want to change what I said about how many customers we'll get") ==
        "scale");
  CHECK(target("let me fix my answer about who we have on the team") == "team");
  CHECK(target("can i edit what I said about the live/real-time stuff?") == "realtime");
  // Only an answer pointed back at ("what I said", "my answer") is looked for: "fix" in a
  // sentence about the priority is no change.
  CHECK(target("code my nephew can read later on and fix, thats the most important thing") ==
        "not a change");
  // Only answered questions: the project size was not given yet.
  state fresh;
  fresh.answers.push_back({"context", "startup", 1, "choice", {}});
  const auto grow = u.read("I want to change what I said about how large the app will grow");
  CHECK(u.command_in(grow, fresh).target == nullptr);
  REQUIRE(u.command_in(grow, s).target);
  CHECK(u.command_in(grow, s).target->id == "size");
}

TEST_CASE("a word with both a slash and a hyphen splits at each") {
  CHECK(joined(plain().read("the live/real-time stuff")) == "the live real time stuff");
  CHECK(joined(plain().read("a 50/50 split")) == "a 50/50 split");
}

TEST_CASE("a count denied is no count of its own - a few thousand denied alone is fewer") {
  REQUIRE(quantity("not thousands, no way"));
  CHECK(quantity("not thousands, no way")->id == "low");
  CHECK_FALSE(quantity("not millions"));
  REQUIRE(quantity("not 5000, more like 500"));
  CHECK(quantity("not 5000, more like 500")->id == "low");
}

TEST_CASE("commands by their shape - a what-if - a why - two words of one command") {
  static const understanding u(shipped(), default_language(), &default_examples());
  state s;
  for (const char* q : {"context", "workload", "team", "realtime", "data", "scale", "size"})
    s.answers.push_back({q, "x", 1, "choice", {}});
  auto said = [&](const char* text) { return u.command_in(u.read(text), s); };
  // The advisor's result, a "would", then a condition: what follows the condition is the what-if.
  auto whatif = said("what would the recommendation be if I said no to the live features?");
  CHECK(whatif.command == command::whatif);
  CHECK(whatif.rest == "i said no to the live features");
  CHECK(said("how would the advice differ had the dataset been a side feature").command ==
        command::whatif);
  // "why", a question named or described, a weighing word; or "why", "you", the advisor's word.
  CHECK(said("Why does the number of customers matter? I don't see what it changes.").command ==
        command::why);
  CHECK(said("why are you recommending that?").command == command::why);
  // A why about something none of the questions is about asks the sources.
  CHECK(said("why does the GIL matter for python").command == command::none);
  // One command word inside a long sentence is talk; two of them are the command.
  CHECK(said("That is an accurate record of what I said, as far as I can tell. Please proceed.")
            .command == command::confirm);
}

TEST_CASE(
    "a stack's strengths or weaknesses with a question mark ask - a bare multiplier counts "
    "nothing") {
  CHECK(plain().asks(plain().read("main weaknesses of python?")));
  CHECK(plain().asks(plain().read("node's upsides?")));
  // Without the mark, the same words may be talk.
  CHECK_FALSE(plain().asks(plain().read("the downsides of python scare us")));
  // "grand", "k", "thousand" count only after a number; "thousands" counts on its own.
  CHECK(quantity("request/response is grand for them") == nullptr);
  CHECK(quantity("5 grand users")->id == "moderate");
  CHECK(quantity("thousands of users") != nullptr);
}

TEST_CASE(
    "a word with 'll is the word and 'will' - a pronoun's stays whole as the phrases name it") {
  CHECK(joined(plain().read("the codebase'll stay small")) == "the codebase will stay small");
  CHECK(joined(plain().read("the app’ll be tiny")) == "the app will be tiny");
  CHECK(joined(plain().read("it'll balloon")) == "it'll balloon");
  CHECK(joined(plain().read("we'll see")) == "we'll see");
}

TEST_CASE("a bare digit opening the message as its own clause is a position - not a count") {
  CHECK(ord("3. obviously. what else would it be") == 3);
  CHECK(ord("2 I think. Yeah, 2") == 2);
  CHECK(ord("nr 2 pls") == 2);
  CHECK(ord("número 2") == 2);
  CHECK_FALSE(ord("3, maybe 4 of us").has_value());
  CHECK_FALSE(ord("3 devs, all python").has_value());
}
