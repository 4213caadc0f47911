#include "dataplane/aggregator.hpp"

#include <malloc.h>
#include <rte_cycles.h>

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "guard/guarded.hpp"
#include "guard/stop.hpp"
#include "observe/summary.hpp"
#include "output/eve.hpp"
#include "stats/json.hpp"

namespace pktsieve {

Aggregator::Aggregator(const RuleReloader& rules, std::vector<WorkerContext*> workers,
                       const std::string& eve_path, StatsPublisher& publisher,
                       std::function<void(StatsView&)> enrich, uint64_t publish_cycles,
                       std::atomic<bool>& stop_all, ObservationSettings observe)
    : reloader_(rules),
      workers_(std::move(workers)),
      latest_(workers_.size(), nullptr),
      publisher_(publisher),
      enrich_(std::move(enrich)),
      publish_cycles_(publish_cycles),
      start_tsc_(rte_rdtsc()),
      observe_(std::move(observe)),
      book_(workers_.size()),
      stop_all_(stop_all) {
    refresh_rules();
    eve_path_ = eve_path;
    if (!eve_path.empty()) {
        eve_ = std::fopen(eve_path.c_str(), "w");
        if (!eve_) throw std::runtime_error("cannot open EVE file '" + eve_path + "'");
        std::setvbuf(eve_, nullptr, _IOFBF, 1 << 20);
    }
}

Aggregator::~Aggregator() {
    if (eve_) std::fclose(eve_);
}

void Aggregator::refresh_rules() {
    if (rules_ && reloader_.generation() == rules_->info.generation) return;
    rules_ = reloader_.current();
    if (!recent_.empty()) recent_.back().superseded_tsc = rte_rdtsc();
    recent_.push_back({rules_, 0, {}});
    if (recent_.size() > kRecentSets) recent_.pop_front();  // may free an old set, here
    rule_stats_.clear();
    for (uint32_t i = 0; i < rules_->rules().size(); ++i) {
        const auto& r = rules_->rules()[i];
        rule_stats_.push_back({r.gid, r.sid, r.rev, r.msg, r.threat, rules_->slot(i), 0, 0});
    }
}

// Frees the superseded sets no alert in flight can need any more (here, on this lcore).
void Aggregator::release_superseded() {
    const uint64_t keep = rte_get_tsc_hz() / 1000 * kKeepSupersededMs;
    bool released = false;
    while (recent_.size() > 1 && rte_rdtsc() - recent_.front().superseded_tsc > keep) {
        recent_.pop_front();
        released = true;
    }
    // A set's memory (tens of MB with ET Open) was allocated by the thread that compiled it, in
    // that thread's malloc arena; freed here it stays in the arena unless trimmed, and each
    // telemetry client is a new thread: RSS grew by a set per reload (scripts/soak).
    if (released) malloc_trim(0);
}

// Lines gather in eve_buf_ and go to the file a batch at a time (flush_alerts).
void Aggregator::write_alert(const AlertRecord& a, unsigned lcore) {
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
        if (it->set->info.generation != a.generation) continue;
        if (it->rule_json.empty()) it->rule_json.resize(it->set->rules().size());
        eve_writer_.append(eve_buf_, a, it->set->rules()[a.rule], lcore, it->rule_json[a.rule]);
        return;
    }
    ++unrendered_;
}

void Aggregator::flush_alerts() {
    if (eve_buf_.size() == 0) return;
    if (std::fwrite(eve_buf_.data(), 1, eve_buf_.size(), eve_) != eve_buf_.size())
        eve_failed_ = true;
    eve_buf_.clear();
}

void Aggregator::reopen_eve_if_asked() {
    if (!reopen_requested().exchange(false, std::memory_order_relaxed) || !eve_) return;
    if (std::fflush(eve_) != 0) eve_failed_ = true;
    std::fclose(eve_);
    // Appending: a file logrotate left in place (copytruncate) is continued, not cut.
    eve_ = std::fopen(eve_path_.c_str(), "a");
    if (!eve_) {
        std::cerr << "pktsieve: cannot reopen EVE file '" << eve_path_ << "'\n";
        eve_failed_ = true;
        return;
    }
    std::setvbuf(eve_, nullptr, _IOFBF, 1 << 20);
}

void Aggregator::write_line(const std::string& line) {
    if (std::fwrite(line.data(), 1, line.size(), eve_) != line.size()) eve_failed_ = true;
}

// Pieces are merged and given back at once: the worker may be waiting for one.
unsigned Aggregator::take_pieces(size_t i) {
    WorkerContext& w = *workers_[i];
    unsigned taken = 0;
    void* p = nullptr;
    while (rte_ring_sc_dequeue(w.obs_full, &p) == 0) {
        auto* piece = static_cast<ObservationPiece*>(p);
        book_.add(i, *piece);
        piece->obs.clear();
        rte_ring_enqueue(w.obs_free, piece);
        ++taken;
    }
    return taken;
}

void Aggregator::write_observations(bool all) {
    book_.take_complete(
        [&](uint64_t interval, const Observation& obs) {
            if (!eve_) return;
            SummaryLimits limits;
            limits.ports = observe_.ports;
            limits.sketches = true;
            const uint64_t start = interval * observe_.interval_us;
            write_line(fmt::format(
                "{{\"timestamp\":\"{}\",\"event_type\":\"observation\",\"sensor\":{},"
                "\"interval\":{{\"start\":\"{}\",\"end\":\"{}\",\"seconds\":{}}},"
                "\"observation\":{}}}\n",
                eve_timestamp(start), json_quote_untrusted(observe_.sensor), eve_timestamp(start),
                eve_timestamp(start + observe_.interval_us), observe_.interval_us / 1000000,
                observation_json(summarise(obs, limits))));
            ++records_;
        },
        all);
}

unsigned Aggregator::drain_worker(size_t i) {
    WorkerContext& w = *workers_[i];
    unsigned taken = 0;
    void* p = nullptr;
    while (rte_ring_sc_dequeue(w.snap_full, &p) == 0) {
        // Snapshots are cumulative: keep the newest, hand the older buffer back to the worker.
        if (latest_[i]) rte_ring_enqueue(w.snap_free, latest_[i]);
        latest_[i] = static_cast<WorkerSnapshot*>(p);
        packet_clock_ = std::max(packet_clock_, latest_[i]->packet_time_us);
        ++taken;
    }
    taken += take_pieces(i);
    AlertRecord batch[256];
    unsigned n = 0;
    // Bounded per call: under an alert flood the ring never empties, and the stats must still
    // be published on time (alerts that wait are dropped by the workers and counted).
    for (unsigned rounds = 0;
         rounds < 16 && (n = rte_ring_sc_dequeue_burst_elem(w.alert_ring, batch,
                                                            sizeof(AlertRecord), 256, nullptr)) > 0;
         ++rounds) {
        taken += n;
        if (!eve_) continue;
        for (unsigned k = 0; k < n; ++k) write_alert(batch[k], w.lcore);
        flush_alerts();
    }
    return taken;
}

unsigned Aggregator::drain() {
    unsigned taken = 0;
    for (size_t i = 0; i < workers_.size(); ++i) taken += drain_worker(i);
    if (observe_.packet_clock)
        observe_.packet_clock->store(packet_clock_, std::memory_order_release);
    write_observations(false);
    return taken;
}

void Aggregator::publish() {
    auto v = std::make_shared<StatsView>();
    v->threats = rules_->threats();
    v->rules = rule_stats_;
    for (size_t i = 0; i < workers_.size(); ++i) {
        if (latest_[i])
            v->add(*latest_[i]);
        else
            v->workers.push_back({workers_[i]->lcore, {}});
    }
    v->total.alerts_unlogged += unrendered_;
    v->ruleset.groups = rules_->group_count();
    v->ruleset.db_bytes = rules_->database_bytes();
    v->ruleset.generation = rules_->info.generation;
    v->ruleset.hash = rules_->info.hash;
    v->ruleset.skipped = rules_->info.skipped;
    v->ruleset.failed = rules_->info.failed;
    v->ruleset.compile_seconds = rules_->info.compile_seconds;
    const ReloadStatus st = reloader_.status();
    v->ruleset.reloads = st.reloads;
    v->ruleset.reload_failures = st.failures;
    v->ruleset.last_error = st.last_error;
    v->ruleset.last_reload_failed = st.last_reload_failed;
    if (book_.total_version() != summary_version_) {  // rendered again only when it changed
        summary_version_ = book_.total_version();
        SummaryLimits limits;
        limits.ports = std::max(limits.ports, observe_.total_ports);
        summary_ = std::make_shared<const ObservationSummary>(summarise(book_.total(), limits));
    }
    v->observations = {observe_.sensor, observe_.interval_us / 1000000,
                       records_,        book_.late_pieces(),
                       summary_,        {}};
    for (uint32_t key : observe_.watch)
        v->observations.watched.emplace_back(key, book_.total().accesses(key));
    v->elapsed_s =
        static_cast<double>(rte_rdtsc() - start_tsc_) / static_cast<double>(rte_get_tsc_hz());
    rates_.add(v->elapsed_s, v->total);
    v->rates = rates_.rates();
    v->generation = ++generation_;
    v->tsc_hz = rte_get_tsc_hz();
    if (enrich_) enrich_(*v);
    publisher_.publish(std::move(v));
}

void Aggregator::run() {
    uint64_t next_publish = rte_rdtsc();
    for (;;) {
        bool all_done = true;
        for (auto* w : workers_) all_done = all_done && w->done.load(std::memory_order_acquire);
        // Workers publish their final totals before `done`; this drain sees them.
        refresh_rules();
        reopen_eve_if_asked();
        const unsigned taken = drain();
        release_superseded();  // after a drain: alerts the rings held are rendered first
        if (all_done) {
            while (drain() > 0) {
            }
            write_observations(true);
            break;
        }
        if (rte_rdtsc() >= next_publish) {
            publish();
            next_publish = rte_rdtsc() + publish_cycles_;
        }
        if (taken == 0) rte_delay_us_sleep(1000);
    }
    if (eve_ && std::fflush(eve_) != 0) eve_failed_ = true;
    publish();
    mark_finished();
}

void Aggregator::mark_finished() {
    {
        std::lock_guard lock(finished_mu_);
        finished_.store(true, std::memory_order_release);
    }
    finished_cv_.notify_all();
}

bool Aggregator::wait_finished(std::chrono::milliseconds most) {
    std::unique_lock lock(finished_mu_);
    return finished_cv_.wait_for(lock, most, [this] { return finished(); });
}

// Workers end only once their last alerts and snapshot are taken: keep taking them (rings only,
// nothing that allocates or throws) so they can.
void Aggregator::discard_until_workers_done() noexcept {
    for (;;) {
        bool all_done = true;
        for (auto* w : workers_) all_done = all_done && w->done.load(std::memory_order_acquire);
        for (auto* w : workers_) {
            void* p = nullptr;
            while (rte_ring_sc_dequeue(w->snap_full, &p) == 0) rte_ring_enqueue(w->snap_free, p);
            while (rte_ring_sc_dequeue(w->obs_full, &p) == 0) rte_ring_enqueue(w->obs_free, p);
            AlertRecord batch[64];
            while (rte_ring_sc_dequeue_burst_elem(w->alert_ring, batch, sizeof(AlertRecord), 64,
                                                  nullptr) > 0) {
            }
        }
        if (all_done) return;
        rte_delay_us_sleep(1000);
    }
}

int Aggregator::lcore_main(void* arg) {
    auto& a = *static_cast<Aggregator*>(arg);
    return guarded(
        [&] {
            a.run();
            return 0;
        },
        [&](const std::string& what) {
            std::cerr << "pktsieve: aggregator lcore stopped: " << what << "\n";
            a.failed_ = true;
            a.stop_all_.store(true, std::memory_order_relaxed);
            a.discard_until_workers_done();
            a.mark_finished();
        },
        -1);
}

}  // namespace pktsieve
