// advisor-knowledge-bench: times `advisor knowledge search` over the whole knowledge store.
// It opens the store the way the command does (the same config loading and bot::open_app on
// the same data directory) and then, for each of many queries, does what the command does
// after opening: knowledge_store::search(text, limit), find_source for every hit, and the
// text lines it prints (written to a string here instead of the terminal). Process start and
// opening are not in the per-search figures (open_ms and first_ms report them once).
// Queries: single words and 2-4-word runs from the stored facts' claims, their keywords and
// topics, a few whole questions, and a few that match nothing. Prints one JSON line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "bot/app.hpp"
#include "bot/infra/config.hpp"
#include "common.hpp"
#include "dialogue/matching.hpp"

using namespace bench;
using namespace advisor;

namespace {

std::vector<std::string> build_queries(const knowledge::knowledge_doc& doc, std::mt19937_64& rng) {
  std::set<std::string> words, phrases;
  for (const auto& f : doc.facts) {
    auto tokens = dialogue::tokenize(f.claim);
    for (const auto& t : tokens)
      if (t.size() >= 3) words.insert(t);
    for (std::size_t len = 2; len <= 4 && tokens.size() >= len; ++len) {
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, tokens.size() - len)(rng);
      std::string p;
      for (std::size_t i = at; i < at + len; ++i) p += (p.empty() ? "" : " ") + tokens[i];
      phrases.insert(p);
    }
    for (const auto& k : f.keywords) phrases.insert(k);
    words.insert(f.topic);
  }
  std::vector<std::string> q(words.begin(), words.end());
  q.insert(q.end(), phrases.begin(), phrases.end());
  for (const char* s : {"how fast is node.js", "is python good for machine learning",
                        "django or express for an api", "which stack has more developers",
                        "python asyncio websockets performance"})
    q.emplace_back(s);
  for (const char* s : {"zyzzyva", "qwxv plorf", "xylographic kumquat", "the", "a an of"})
    q.emplace_back(s);
  std::shuffle(q.begin(), q.end(), rng);
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "advisor-knowledge-bench: times `advisor knowledge search` over the whole knowledge store"};
  std::string config_file, data_dir, latency_out;
  std::uint64_t searches = 20000;
  std::size_t limit = 5;
  double seconds = 60;
  cli.add_option("--config", config_file, "JSON config file, as for advisor");
  cli.add_option("--data-dir", data_dir,
                 "the advisor's data directory (the knowledge store is its database)");
  cli.add_option("-n,--searches", searches, "searches in all (default 20000)")
      ->check(CLI::Range(1, 10'000'000));
  cli.add_option("--limit", limit,
                 "facts per search, as advisor knowledge search --limit (default 5)")
      ->check(CLI::Range(1, 100));
  cli.add_option("-s,--seconds", seconds, "stop after this long at most (default 60)")
      ->check(CLI::Range(0.1, 600.0));
  cli.add_option("--latency-out", latency_out,
                 "write the latency distribution for gnuplot to this file");
  CLI11_PARSE(cli, argc, argv);
  try {
    bot::config cfg = bot::load_config(config_file);
    if (!data_dir.empty()) cfg.data_dir = data_dir;
    auto opened = steady::now();
    auto a = bot::open_app(cfg);
    double open_ms = std::chrono::duration<double, std::milli>(steady::now() - opened).count();

    std::mt19937_64 rng(1);
    auto queries = build_queries(a->knowledge->export_doc(), rng);
    latency_set lat;
    std::uint64_t hits_total = 0, no_hits = 0, done = 0;
    double first_ms = 0;
    std::vector<std::pair<steady::duration, const std::string*>>
        slowest;  // a min-heap of the 5 slowest
    std::size_t bytes = 0;
    auto deadline = steady::now() + to_duration(seconds);
    for (; done < searches && steady::now() < deadline; ++done) {
      const std::string& text = queries[done % queries.size()];
      auto t0 = steady::now();
      // What run_knowledge_search does after open_app (text output).
      std::ostringstream out;
      auto hits = a->knowledge->search(text, limit);
      if (hits.empty()) {
        out << "No facts match \"" << text << "\".\n";
      } else {
        for (const auto& h : hits) {
          auto src = a->knowledge->find_source(h.fact.source);
          out << "- [" << h.fact.tech << ", " << h.fact.topic << "] " << h.fact.claim;
          if (!h.fact.figure.empty()) out << " (" << h.fact.figure << ")";
          out << "\n  Source: " << (src ? src->title : h.fact.source) << "\n";
        }
      }
      auto took = steady::now() - t0;
      bytes += out.str().size();
      lat.add(took);
      slowest.emplace_back(took, &text);
      std::push_heap(slowest.begin(), slowest.end(), std::greater<>());
      if (slowest.size() > 5) {
        std::pop_heap(slowest.begin(), slowest.end(), std::greater<>());
        slowest.pop_back();
      }
      if (done == 0) first_ms = std::chrono::duration<double, std::milli>(took).count();
      hits_total += hits.size();
      if (hits.empty()) ++no_hits;
    }
    lat.sort();
    if (!latency_out.empty()) lat.write_distribution(latency_out, "knowledge search latency");
    json o = {{"mode", "knowledge_search"},
              {"facts", a->knowledge->fact_count()},
              {"queries", queries.size()},
              {"searches", done},
              {"limit", limit},
              {"open_ms", latency_set::round3(open_ms)},
              {"first_ms", latency_set::round3(first_ms)}};
    lat.report(o);
    o["hits_per_search"] =
        done ? round_to(static_cast<double>(hits_total) / static_cast<double>(done), 2) : 0.0;
    o["no_hits"] = no_hits;
    o["output_bytes"] = bytes;
    std::sort(slowest.begin(), slowest.end(), std::greater<>());
    json slow = json::array();
    for (const auto& [took, text] : slowest)
      slow.push_back(
          {{"query", *text},
           {"ms", latency_set::round3(std::chrono::duration<double, std::milli>(took).count())}});
    o["slowest"] = slow;
    std::cout << o.dump() << std::endl;
    return done > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "advisor-knowledge-bench: " << e.what() << "\n";
    return 1;
  }
}
