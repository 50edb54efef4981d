#!/usr/bin/env python3
"""Writes docs/performance.md (to stdout) from the files bench/run.sh leaves in its work directory.

Every figure and every met / NOT met is computed here from the runs' JSON lines; nothing in the
tables is written by hand. The hand-written part is bench/notes.md, included as it is.
"""
import collections
import json
import os
import re
import sys

work = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))


def read(name, default=""):
    try:
        with open(os.path.join(work, name)) as f:
            return f.read()
    except OSError:
        return default


def run(name):
    """A run's JSON line, or None when it failed."""
    text = read(name + ".json").strip()
    try:
        return json.loads(text.splitlines()[-1]) if text else None
    except ValueError:
        return None


machine = dict(line.split("=", 1) for line in read("machine.txt").splitlines() if "=" in line)
seconds = machine.get("seconds", "?")
rate500 = float(machine.get("rate500", "20000"))
chat_rate = float(machine.get("chat_rate", "2000"))
idle_n = int(machine.get("idle", "10000"))

ws50, ws500rate, ws500, ws50perf = run("ws50"), run("ws500rate"), run("ws500"), run("ws50perf")
ws50full = run("ws50full")
idle = run("idle")
slack_rate, slack_closed = run("slack_rate"), run("slack_closed")
discord_rate, discord_closed = run("discord_rate"), run("discord_closed")
knowledge = run("knowledge")
startup = run("startup")
cg = {t: run("cg%d" % t) for t in (2000, 4000)}


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def num(v, fmt="{:g}"):
    return "-" if v is None else fmt.format(v)


def verdict(ok):
    return "met" if ok else "**NOT met**"


def cpu(d, side):
    """'12.3 µs (0.95 cores)': a side's CPU per turn over the run's window, and the cores it kept busy."""
    us, cores = get(d, side + "_cpu_us_per_turn"), get(d, side + "_cpu_cores")
    if us is None:
        return "-"
    return "%.1f µs (%.2f cores)" % (us, cores)


def cpu_pair(d):
    """Both sides' CPU per turn, server first, for a target row."""
    if d is None:
        return "-"
    return "server %s; bench %s" % (cpu(d, "server"), cpu(d, "bench"))


# ---- derived figures ----------------------------------------------------------------------

rss_before = rss_during = fd_limit = None
parts = read("idle_rss.txt").split()
if len(parts) >= 2:
    rss_before, rss_during = int(parts[0]), int(parts[1])
    fd_limit = parts[2] if len(parts) > 2 else None
held = get(idle, "held")
kib_per_conn = (rss_during - rss_before) / held if held and rss_before is not None else None

start_ms = get(startup, "ms") or []
start_max = max(start_ms) if start_ms else None


def instructions(text):
    m = re.search(r"^\s*([\d,]+)\s.*PROGRAM TOTALS", text, re.M)
    return int(m.group(1).replace(",", "")) if m else None


def own_instructions(text):
    """Each function's own instructions, from callgrind_annotate's list (source paths trimmed)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
        if not m or "=>" in line or "PROGRAM TOTALS" in line:
            continue
        name = re.sub(r"\S*/build/[^/ ]+/\.\./\.\./", "", m.group(2))
        name = name.replace("[/usr/lib/x86_64-linux-gnu/", "[")
        out[name] = out.get(name, 0) + int(m.group(1).replace(",", ""))
    return out


ir = {t: instructions(read("callgrind.%d.txt" % t)) for t in (2000, 4000)}
cg_ok = all(ir[t] and get(cg[t], "errors") == 0 and get(cg[t], "turns") == t for t in ir)
ir_per_turn = (ir[4000] - ir[2000]) / 2000 if cg_ok else None


def no_errors(d):
    return d is not None and d.get("errors") == 0


# ---- targets ------------------------------------------------------------------------------

targets = []  # (target, measured, ceiling, CPU per turn, met)
r = get(ws50, "ratio_to_responder")
targets.append((
    "advisor turns/s at 50 connections >= 0.5 x the no-work responder's (issue 18)",
    "%s turns/s = **%s** x" % (num(get(ws50, "turns_per_s")), num(r)),
    "%s turns/s" % num(get(ws50, "responder", "turns_per_s")),
    "advisor: %s<br>responder: %s" % (cpu_pair(ws50), cpu_pair(get(ws50, "responder"))),
    r is not None and r >= 0.5 and no_errors(ws50)))
p99 = get(ws500rate, "p99_ms")
targets.append((
    "p99 turn latency at 500 connections <= 5 ms (%g turns/s offered)" % rate500,
    "**%s ms** (%s turns/s done)" % (num(p99), num(get(ws500rate, "turns_per_s"))),
    "%s ms" % num(get(ws500rate, "responder", "p99_ms")),
    "advisor: %s<br>responder: %s" % (cpu_pair(ws500rate), cpu_pair(get(ws500rate, "responder"))),
    p99 is not None and p99 <= 5 and no_errors(ws500rate)))
hold_cpu = "-"
if idle and idle.get("server_cpu_cores_hold") is not None:
    hold_cpu = "no turns; busy cores while held: server %s, bench %s" % (
        idle["server_cpu_cores_hold"], idle.get("bench_cpu_cores_hold", "-"))
targets.append((
    "%d idle WebSocket connections held, server memory <= 8 KiB each" % idle_n,
    "%s held, **%s KiB** each" % (num(held), num(kib_per_conn, "{:.1f}")),
    "-",
    hold_cpu,
    held == idle_n and kib_per_conn is not None and kib_per_conn <= 8 and no_errors(idle)))
targets.append((
    "callgrind: at most 40,000 instructions per turn (issue 18 part 2)",
    "**%s**" % num(ir_per_turn, "{:,.0f}"),
    "-",
    "-",
    ir_per_turn is not None and ir_per_turn <= 40000))
for name, d in (("Slack", slack_rate), ("Discord", discord_rate)):
    p = get(d, "ack_p99_ms")
    targets.append((
        "%s: p99 ack latency <= 5 ms at %g signed requests/s" % (name, chat_rate),
        "**%s ms** (%s acks/s, %s errors)" % (num(p), num(get(d, "acks_per_s")), num(get(d, "errors"))),
        "-",
        "-",
        p is not None and p <= 5 and no_errors(d)))
p = get(knowledge, "p99_ms")
targets.append((
    "`advisor knowledge search`: p99 <= 1 ms over the full knowledge store",
    "**%s ms** (%s facts)" % (num(p), num(get(knowledge, "facts"))),
    "-",
    "-",
    p is not None and p <= 1))
targets.append((
    "`advisor serve` ready within 200 ms of start",
    "**%s ms** at most of %d starts" % (num(start_max, "{:.0f}"), len(start_ms)),
    "-",
    "-",
    start_max is not None and start_max <= 200))

# ---- the document -------------------------------------------------------------------------

out = []
w = out.append
w("# Performance")
w("")
w("Written by `BUILD_DIR=%s bench/run.sh %s` on %s; every figure and every verdict below is "
  "computed by the script (bench/report.py) from the runs' JSON lines. Benchmarks are not tests: "
  "CI only runs `bench/smoke.sh` (zero errors, no speed asserted)." % (machine.get("build", "?"), seconds, machine.get("date", "?")))
w("")
w("**Machine**: %s cores (%s), %s GiB, %s, %s %s build. The server (`advisor serve` as configured by default: one I/O thread, which "
  "also runs the group commits, a checkpoint thread, 4 channel workers; every turn committed to SQLite in WAL mode before its reply) and the load "
  "generator (`advisor-bench`: one thread; its fake Web API and the no-work responder have their own) "
  "share these cores, on loopback." % (
      machine.get("cores", "?"), machine.get("cpu", "?"), machine.get("mem_gib", "?"), machine.get("os", "?"),
      machine.get("compiler", "g++"), machine.get("build_type", "?")))
w("")
w("Load average (1, 5, 15 min) when the script started: %s; when it ended: %s. Anything else running on "
  "the machine (a build, another benchmark) is in the figures: compare runs made on a quiet machine." % (
      machine.get("load_start", "?"), machine.get("load_end", "?")))
w("")
w("## Targets")
w("")
w("| target | measured | ceiling: no-work responder, same load | CPU per turn: server; load generator | |")
w("| --- | --- | --- | --- | --- |")
for t, m, c, u, ok in targets:
    w("| %s | %s | %s | %s | %s |" % (t, m, c, u, verdict(ok)))
w("")
w("Met: %d of %d." % (sum(1 for t in targets if t[4]), len(targets)))
w("")
try:
    # The load when the script started: what else the machine was doing. (The load when it ends
    # is mostly the script's own: its build, the server and generator, callgrind.)
    busiest = float(machine.get("load_start", "0").split()[0])
    cores_n = int(machine.get("cores", "0"))
except (ValueError, IndexError):
    busiest, cores_n = 0.0, 0
if cores_n and busiest > cores_n:
    w("**This run was made on a loaded machine** (1-minute load average %.1f on %d cores when it started: every "
      "process got a fraction of a core). Its turns/s, latencies, start-up and search times, and every "
      "verdict above that rests on them, say more about the other work than about the advisor; the CPU "
      "per turn (below) and callgrind's instruction count hold under load, within the noise of caches "
      "and scheduling. Run `bench/run.sh` again on a quiet machine for the verdicts." % (busiest, cores_n))
    w("")
w("### How both sides are measured")
w("")
w("The advisor and the no-work responder get the same load from the same generator, one after the "
  "other, on the same two cores. The generator (`advisor-bench`) runs every connection on one thread "
  "and reads each reply with a scanner (`bench/reply_scan.hpp`): it finds the few top-level fields it "
  "needs (type, question, finished, the recommendation's presence, the first option's id) and skips "
  "the rest, with no JSON tree; a unit test checks it against nlohmann::json's full parse on every "
  "reply shape the advisor sends. The responder is a thread in the bench process with one event loop "
  "that answers every frame with a fixed reply of the advisor's size, unread; the advisor is "
  "`advisor serve` as configured by default. CPU per turn is each side's user + system CPU time over "
  "the measured window (from the first turn to the deadline) divided by the turns answered in it: "
  "the generator's from `getrusage(RUSAGE_THREAD)` of its load thread, the advisor's from "
  "`/proc/PID/stat` (the whole process: I/O, turn, commit and checkpoint threads; 10 ms ticks), the "
  "responder's from its thread's CPU clock. Cores = CPU seconds over wall seconds: a side near 1.0 "
  "(the generator, the responder, the advisor's I/O thread) is saturated on its one thread; the "
  "two sides together cannot pass 2.0. Kernel time for loopback delivery lands on whichever side's "
  "system call sends it, so each side carries part of the other's network cost.")
w("")


def bound(d, single_thread_server):
    """Turns/s the CPU per turn allows on this machine's cores, both sides alone on it: the two
    sides' CPU per turn shared over the cores, and no more than one core for a side on one thread."""
    b, sv = get(d, "bench_cpu_us_per_turn"), get(d, "server_cpu_us_per_turn")
    n = int(machine.get("cores", "0") or 0)
    if not b or not sv or not n:
        return None
    limits = [n * 1e6 / (b + sv), 1e6 / b]
    if single_thread_server:
        limits.append(1e6 / sv)
    return min(limits)


adv_bound, resp_bound = bound(ws50, False), bound(get(ws50, "responder"), True)
if adv_bound and resp_bound:
    w("What the 50-connection CPU per turn implies, the two sides alone on %s cores (an estimate, not a "
      "measurement: each side's CPU per turn shared over the cores, the generator and the responder "
      "each on one thread): advisor at most %.0f turns/s, responder at most %.0f turns/s, a ratio of "
      "about **%.2f**." % (machine.get("cores", "?"), adv_bound, resp_bound, adv_bound / resp_bound))
    w("")
if ws50full:
    rr = ws50full.get("responder") or {}
    w("The same 50-connection pair read by the generator this bench used to be (a full JSON parse of "
      "every reply, `--full-parse`): advisor %s turns/s, responder %s turns/s, ratio **%s**; generator "
      "CPU %s per turn against the advisor and %s against the responder (the scanner's: %s and %s)." % (
          ws50full.get("turns_per_s"), rr.get("turns_per_s"), ws50full.get("ratio_to_responder"),
          cpu(ws50full, "bench"), cpu(rr, "bench"), cpu(ws50, "bench"), cpu(get(ws50, "responder"), "bench")))
    w("")

w("## WebSocket conversations")
w("")
w("A turn is one frame sent and the reply that ends it; each connection runs whole conversations "
  "(start, choose an option at every question, confirm, restart at the recommendation). Every "
  "connection is open before the clock starts. Closed loop: each connection sends its next turn "
  "when the reply comes. Open loop (`--rate`): the offered turns/s are spread evenly over the "
  "connections, each turn is due at its scheduled time (or right after the previous reply when that "
  "is late), and latency counts from the scheduled time, so a stall is not hidden (no coordinated "
  "omission). Each run is preceded by the same load on the no-work responder (the ceiling: a "
  "WebSocket server in the bench that answers every frame with a fixed reply of the advisor's size).")
w("")
w("| run | turns/s | p50 ms | p99 ms | max ms | conversations | errors | server CPU per turn | generator CPU per turn |")
w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def ws_rows(label, d):
    if d is None:
        w("| %s | failed | | | | | | | |" % label)
        return
    rr = d.get("responder")
    if rr:
        w("| no-work responder, %s | %s | %s | %s | %s | - | %s | %s | %s |" % (
            label, rr["turns_per_s"], rr["p50_ms"], rr["p99_ms"], rr["max_ms"], rr["errors"], cpu(rr, "server"),
            cpu(rr, "bench")))
    w("| **advisor**, %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        label, d["turns_per_s"], d["p50_ms"], d["p99_ms"], d["max_ms"], d["conversations"], d["errors"],
        cpu(d, "server"), cpu(d, "bench")))


ws_rows("50 connections, closed loop", ws50)
ws_rows("500 connections, %g turns/s offered" % rate500, ws500rate)
ws_rows("500 connections, closed loop", ws500)
ws_rows("50 connections, closed loop, generator with a full JSON parse", ws50full)
w("")
for label, d in (("50 connections", ws50), ("500 connections, closed loop", ws500)):
    if get(d, "ratio_to_responder") is not None:
        w("- Advisor / responder turns/s, %s: **%s**." % (label, d["ratio_to_responder"]))
if ws500rate:
    w("- 500 connections at %g turns/s offered: %s turns/s done; %s of %s turns were sent late "
      "(their connection's previous reply came after their time)." % (
          rate500, ws500rate["turns_per_s"], ws500rate.get("late_sends"), ws500rate["turns"]))
w("- Server resident memory after these runs: %s KiB." % (read("ws_rss.txt").strip() or "?"))
w("")

w("## Idle connections")
w("")
if idle:
    w("%s WebSocket connections opened (handshake done, %s s to open them all) and held silent for %s s: "
      "**%s held to the end**, %s closed by the server, %s failed to connect. Server VmRSS %s KiB before, "
      "%s KiB while holding them: **%s KiB per connection**. The server's open-files limit: %s." % (
          idle["connections"], idle["connect_seconds"], idle["seconds"], idle["held"], idle["closed_by_server"],
          idle["connect_failures"], rss_before, rss_during, num(kib_per_conn, "{:.1f}"), fd_limit or "?"))
    if idle.get("server_cpu_cores_hold") is not None:
        w("")
        w("CPU while they were held (no turns): the server kept %s cores busy, the bench %s." % (
            idle["server_cpu_cores_hold"], idle.get("bench_cpu_cores_hold", "-")))
else:
    w("The idle run failed: %s" % read("idle.err").strip()[-300:])
w("")

w("## Slack and Discord")
w("")
w("Correctly signed requests (Slack: v0 HMAC-SHA256 of `v0:timestamp:body`; Discord: Ed25519 over "
  "timestamp + body, OpenSSL) over 16 keep-alive HTTP/1.1 connections, driving whole conversations: "
  "`/advisor` (a quarter of them with an opening sentence) to start, then a click on a button of the "
  "question the advisor just posted (confirm at the review) or, one time in eight, the answer typed "
  "(Slack: a mention in the thread; Discord: `/advisor text:N`); a new `/advisor` after each "
  "recommendation. Each simulated user has their own channel, so there are many conversations. "
  "The advisor's outbound calls (Slack's chat.postMessage and chat.update, the webhooks) go to a "
  "fake Web API inside the bench, which answers at once and hands each posted question to its "
  "user. Ack latency is the HTTP response's; reply latency runs to the moment the next question "
  "reaches the fake API (Slack), or is the ack itself (Discord answers inline). Open loop: latency "
  "from each request's scheduled time.")
w("")
w("| run | acks/s | ack p50 ms | ack p99 ms | ack max ms | reply p50 ms | reply p99 ms | conversations | errors | outbound calls |")
w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for label, d in (("Slack, %g req/s offered" % chat_rate, slack_rate), ("Slack, closed loop, 16 users", slack_closed),
                 ("Discord, %g req/s offered" % chat_rate, discord_rate),
                 ("Discord, closed loop, 16 users", discord_closed)):
    if d is None:
        w("| %s | failed | | | | | | | | |" % label)
        continue
    w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        label, d["acks_per_s"], d["ack_p50_ms"], d["ack_p99_ms"], d["ack_max_ms"], d["reply_p50_ms"],
        d["reply_p99_ms"], d["conversations"], d["errors"], d["outbound_calls"]))
w("")
for label, d in (("Slack at %g req/s" % chat_rate, slack_rate), ("Slack closed loop", slack_closed),
                 ("Discord at %g req/s" % chat_rate, discord_rate), ("Discord closed loop", discord_closed)):
    if d and d.get("requests"):
        w("- %s: %d requests: %d `/advisor` (%.0f%%), %d clicks, %d typed answers; %d users; at most %d "
          "requests waiting for a free connection in the bench; outbound %s." % (
              label, d["requests"], d["commands"], 100.0 * d["commands"] / d["requests"], d["clicks"], d["typed"],
              d["users"], d["max_queued"], ", ".join("%s %s" % kv for kv in sorted(d.get("outbound", {}).items()))))
w("")
w("In open loop a request goes to a user whose reply has come; when none has, a new user starts a "
  "conversation, so the offered rate holds even when replies lag (and the share of `/advisor` grows).")
w("")
for name, runs in (("slack", (slack_rate, slack_closed)), ("discord", (discord_rate, discord_closed))):
    for d in runs:
        if d and (d.get("errors") or d.get("deferred")):
            w("- %s: %s" % (name, ", ".join("%s %s" % (k, d[k]) for k in (
                "non_2xx", "statuses", "transport_errors", "unanswered", "lost_replies", "failed_turns", "deferred",
                "first_error") if d.get(k))))
    levels = collections.Counter()
    for line in read(name + ".log").splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("level") in ("warn", "warning", "error", "critical"):
            levels["%s %s" % (e.get("level"), e.get("event"))] += 1
    if levels:
        w("- The %s server logged: %s." % (name, ", ".join("%s x%d" % kv for kv in levels.most_common(6))))
w("")

w("## Knowledge search")
w("")
if knowledge:
    w("`advisor-knowledge-bench` opens the store as `advisor knowledge search` does (the same config "
      "loading and `bot::open_app`), then times what the command does after that, for %s searches: "
      "`knowledge_store::search(text, %s)`, `find_source` for each hit and the text it prints (into a "
      "string). Queries: %s distinct, made of single words and 2-4-word runs of the %s stored facts' "
      "claims, their keywords and topics, a few questions and a few that match nothing (%s searches "
      "found nothing). **p50 %s ms, p99 %s ms, max %s ms**; the first search after opening took %s ms, "
      "opening the store %s ms (that is start-up, below)." % (
          knowledge["searches"], knowledge["limit"], knowledge["queries"], knowledge["facts"], knowledge["no_hits"],
          knowledge["p50_ms"], knowledge["p99_ms"], knowledge["max_ms"], knowledge["first_ms"], knowledge["open_ms"]))
else:
    w("The knowledge search run failed: %s" % read("knowledge.err").strip()[-300:])
w("")

w("## Start-up")
w("")
if start_ms:
    later = sorted(start_ms[1:])
    w("From exec to the \"listening on\" line, %d starts on one data directory (the first creates and "
      "fills the database): first %.0f ms, later ones median %.0f ms, max %.0f ms." % (
          len(start_ms), start_ms[0], later[len(later) // 2], max(later)))
w("")

w("## Latency")
w("")
w(read("plot.txt").strip())
w("")
w("The x axis is the percentile on a log scale of 1/(1 - p); dashed lines are the no-work responder "
  "under the same load.")
w("")

w("## Where the time goes")
w("")
w("### perf (server, a separate 50-connection closed-loop run)")
w("")
if ws50perf:
    w("That run: %s turns/s, p99 %s ms (perf attached)." % (ws50perf["turns_per_s"], ws50perf["p99_ms"]))
    w("")
w("```")
w(read("perf.txt").rstrip() or "(no samples)")
w("```")
w("")
w("### callgrind")
w("")
if ir_per_turn is not None:
    w("`advisor serve` under `valgrind --tool=callgrind`, 10 connections, stopped with SIGTERM after "
      "exactly 2,000 and 4,000 turns (fresh data directory each): %s and %s instructions; "
      "**%s instructions per turn** ((Ir(4000) - Ir(2000)) / 2000, start-up and shutdown cancel out)." % (
          format(ir[2000], ","), format(ir[4000], ","), format(round(ir_per_turn), ",")))
    w("")
    # Start-up (loading the knowledge, training the classifier) dominates either run's own list,
    # so the top entries are per turn: each function's own instructions in the 4,000-turn run
    # less those in the 2,000-turn run, over 2,000.
    own = {t: own_instructions(read("callgrind.%d.txt" % t)) for t in (2000, 4000)}
    per_turn = sorted(((own[4000].get(k, 0) - own[2000].get(k, 0)) / 2000, k) for k in own[4000])
    per_turn.reverse()
    w("Top 15 functions by own instructions per turn (`callgrind_annotate` of each run, the 2,000-turn "
      "run's count taken from the 4,000-turn run's, over 2,000):")
    w("")
    w("```")
    for v, k in per_turn[:15]:
        line = "%8s  %s" % (format(round(v), ","), k)
        w(line if len(line) <= 200 else line[:197] + "...")
    w("```")
else:
    w("Not measured: %s" % (read("callgrind.missing").strip() or "a callgrind run failed (%s / %s)." % (
        json.dumps(cg[2000]), json.dumps(cg[4000]))))
w("")

try:
    with open(os.path.join(here, "notes.md")) as f:
        notes = f.read().strip()
except OSError:
    notes = "(bench/notes.md is not written yet.)"
if not notes.startswith("## "):
    w("## What was done")
    w("")
w(notes)
w("")

w("## Commands")
w("")
w("`$WORK` is the run's temporary directory; `bench.json` raises the per-connection and per-address "
  "rate limits and the per-address connection cap out of the load's way (every bench connection comes from "
  "127.0.0.1) and keeps idle connections open (`\"idle_timeout_seconds\": 3600`) "
  "and `chat.json` adds Slack and Discord pointed at the fake API (signing secret, the bench's "
  "Ed25519 public key from `advisor-bench --print-discord-public-key`).")
w("")
w("```")
w(read("commands.txt").rstrip())
w("```")
w("")
w("## Raw JSON lines")
w("")
w("```")
for name in ("ws50", "ws500rate", "ws500", "ws50full", "ws50perf", "idle", "slack_rate", "slack_closed", "discord_rate",
             "discord_closed", "knowledge", "cg2000", "cg4000", "startup"):
    text = read(name + ".json").strip()
    w("%s: %s" % (name, text or "(failed: %s)" % read(name + ".err").strip()[-200:]))
w("```")
print("\n".join(out))
