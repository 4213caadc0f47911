// /pktsieve/document and /pktsieve/metrics: a text rendered from the published view, sent in
// base64 parts (stats/document_parts.hpp) that pktsieve-ctl assembles.
#include <rte_telemetry.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/telemetry.hpp"
#include "dataplane/telemetry_reply.hpp"
#include "metrics/metrics_text.hpp"
#include "stats/document_parts.hpp"
#include "stats/render.hpp"

namespace pktsieve {

namespace telemetry {

std::vector<std::string> split_params(const char* params) {
    std::vector<std::string> out;
    std::string cur;
    for (const char* p = params ? params : ""; *p; ++p) {
        if (*p == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(*p);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace telemetry

namespace {

// A document (the stats JSON, the metrics text) of the last few published views, rendered
// once each: a client reads one
// generation's parts in several queries while the aggregator publishes newer ones.
class DocumentCache {
  public:
    using Render = std::function<std::string(const std::shared_ptr<const StatsView>&)>;
    explicit DocumentCache(Render render) : render_(std::move(render)) {}

    std::shared_ptr<const DocumentParts> latest() {
        const auto v = telemetry_publisher().latest();
        if (!v) return nullptr;
        std::lock_guard lock(mu_);
        if (auto d = kept(v->generation)) return d;
        recent_.push_back(std::make_shared<const DocumentParts>(v->generation, render_(v)));
        if (recent_.size() > kKept) recent_.pop_front();
        return recent_.back();
    }
    std::shared_ptr<const DocumentParts> find(uint64_t generation) {
        std::lock_guard lock(mu_);
        return kept(generation);
    }

  private:
    std::shared_ptr<const DocumentParts> kept(uint64_t generation) const {  // mu_ held
        for (const auto& d : recent_)
            if (d->generation() == generation) return d;
        return nullptr;
    }
    static constexpr size_t kKept = 4;
    const Render render_;
    std::mutex mu_;
    std::deque<std::shared_ptr<const DocumentParts>> recent_;
};

std::atomic<std::shared_ptr<MetricsText>> g_metrics;

DocumentCache& stats_documents() {
    static DocumentCache cache([](const auto& v) { return render_json(*v); });
    return cache;
}

DocumentCache& metrics_documents() {
    static DocumentCache cache([](const auto& v) {
        const auto m = g_metrics.load();
        return m ? *m->for_view(v).text : std::string();
    });
    return cache;
}

// No parameter: part 0 of the newest document. "GEN,PART": that part of generation GEN, or
// {"stale": 1} once GEN is no longer kept (the client starts again).
int serve_part(DocumentCache& cache, const char* params, rte_tel_data* d) {
    const auto p = telemetry::split_params(params);
    std::shared_ptr<const DocumentParts> doc;
    size_t part = 0;
    if (p.size() == 2) {
        doc = cache.find(std::strtoull(p[0].c_str(), nullptr, 10));
        part = std::strtoull(p[1].c_str(), nullptr, 10);
        if (!doc) {
            rte_tel_data_start_dict(d);
            rte_tel_data_add_dict_u64(d, "stale", 1);
            return 0;
        }
    } else {
        doc = cache.latest();
    }
    if (!doc || part >= doc->parts()) return -1;
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "generation", doc->generation());
    rte_tel_data_add_dict_u64(d, "part", part);
    rte_tel_data_add_dict_u64(d, "parts", doc->parts());
    rte_tel_data_add_dict_u64(d, "bytes", doc->document_bytes());
    telemetry::add_string_column(d, "text", doc->part(part),
                                 [](std::string_view s) { return std::string(s); });
    return 0;
}

}  // namespace

void set_telemetry_metrics(std::shared_ptr<MetricsText> m) {
    g_metrics.store(std::move(m));
}

namespace telemetry {

int document_cmd(const char*, const char* params, rte_tel_data* d) {
    return serve_part(stats_documents(), params, d);
}

int metrics_cmd(const char*, const char* params, rte_tel_data* d) {
    if (!g_metrics.load()) return -1;
    return serve_part(metrics_documents(), params, d);
}

}  // namespace telemetry

}  // namespace pktsieve
