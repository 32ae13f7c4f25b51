// PredictionLog: the batched writer of the prediction log (prediction_log.h).

#include "core/monitor/prediction_log.h"

#include "core/common/clock.h"
#include "core/serve/oip_codec.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace orrery::monitor {

namespace {

struct Row {
    QString requestId, endpoint, version;
    qint64 time = 0;
    double latencyMs = 0;
    int rows = 0;
    QByteArray outputs;
    QByteArray inputs; // empty: not sampled
};

void appendNumber(QByteArray &out, double v)
{
    if (!std::isfinite(v))
        out += "null";
    else
        out += QByteArray::number(v, 'g', 9);
}

// {"name": [[row values], …], …} — rows as the model saw them.
template <class Tensor>
QByteArray tensorsJson(const std::vector<Tensor> &tensors)
{
    QByteArray out = "{";
    for (size_t t = 0; t < tensors.size(); ++t) {
        const Tensor &x = tensors[t];
        if (t)
            out += ',';
        serve::appendJsonString(out, x.name);
        out += ":[";
        for (int r = 0; r < x.rows; ++r) {
            out += r ? ",[" : "[";
            for (qint64 c = 0; c < x.width; ++c) {
                if (c)
                    out += ',';
                const size_t i = size_t(r) * size_t(x.width) + size_t(c);
                if constexpr (std::is_same_v<Tensor, serve::InputTensor>) {
                    if (i < x.texts.size())
                        serve::appendJsonString(out, x.texts[i]);
                    else
                        appendNumber(out, i < x.values.size() ? double(x.values[i]) : NAN);
                } else {
                    appendNumber(out, x.values[i]);
                }
            }
            out += ']';
        }
        out += ']';
    }
    out += '}';
    return out;
}

} // namespace

struct PredictionLog::Impl {
    PredictionLogOptions o;
    std::unique_ptr<store::Database> db;
    std::mutex m;
    std::condition_variable wake, flushed;
    std::vector<Row> buffer;
    bool stopping = false;
    quint64 flushRequested = 0, flushDone = 0;
    Status lastError;
    std::atomic<quint64> recorded{0}, committed{0}, dropped{0}, withInputs{0}, deleted{0};
    std::thread writer;
    std::chrono::steady_clock::time_point lastRetention = std::chrono::steady_clock::now();

    void loop();
    Status commit(std::vector<Row> &rows);
    Status retain();
};

Result<std::unique_ptr<PredictionLog>> PredictionLog::open(const QString &databasePath, PredictionLogOptions options)
{
    std::unique_ptr<PredictionLog> log(new PredictionLog());
    log->d = std::make_unique<Impl>();
    log->d->o = options;
    log->d->o.inputRate = qBound(0.0, options.inputRate, 1.0);
    ORRERY_ASSIGN_OR_RETURN(log->d->db, store::Database::open(databasePath));
    Impl *d = log->d.get();
    log->d->writer = std::thread([d] { d->loop(); });
    return log;
}

PredictionLog::~PredictionLog()
{
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->writer.join();
}

bool PredictionLog::keepsInputs(const QString &requestId, double rate)
{
    if (rate >= 1.0)
        return true;
    if (rate <= 0.0)
        return false;
    const QByteArray h = QCryptographicHash::hash(requestId.toUtf8(), QCryptographicHash::Md5);
    quint32 x = 0;
    for (int i = 0; i < 4; ++i)
        x = (x << 8) | quint8(h[i]);
    return double(x) / 4294967296.0 < rate;
}

void PredictionLog::record(const serve::PredictionRecord &record)
{
    d->recorded.fetch_add(1, std::memory_order_relaxed);
    Row row;
    row.requestId = record.requestId;
    row.endpoint = record.endpoint;
    row.version = record.version;
    row.time = record.time.toMSecsSinceEpoch();
    row.latencyMs = record.latencyMs;
    row.rows = record.outputs.empty() ? 0 : record.outputs.front().rows;
    row.outputs = tensorsJson(record.outputs);
    if (keepsInputs(record.requestId, d->o.inputRate))
        row.inputs = tensorsJson(record.inputs);
    std::unique_lock lock(d->m);
    if (int(d->buffer.size()) >= d->o.maxBuffered) {
        d->dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    d->buffer.push_back(std::move(row));
    const bool full = int(d->buffer.size()) >= d->o.maxBatch;
    lock.unlock();
    if (full)
        d->wake.notify_one();
}

Status PredictionLog::flush()
{
    std::unique_lock lock(d->m);
    const quint64 ticket = ++d->flushRequested;
    d->wake.notify_one();
    d->flushed.wait(lock, [&] { return d->flushDone >= ticket || d->stopping; });
    return d->lastError;
}

PredictionLogStats PredictionLog::stats() const
{
    return PredictionLogStats{d->recorded.load(), d->committed.load(), d->dropped.load(), d->withInputs.load(), d->deleted.load()};
}

void PredictionLog::Impl::loop()
{
    std::unique_lock lock(m);
    for (;;) {
        wake.wait_for(lock, std::chrono::milliseconds(o.flushMs),
                      [&] { return stopping || flushRequested > flushDone || int(buffer.size()) >= o.maxBatch; });
        std::vector<Row> rows;
        rows.swap(buffer);
        const quint64 ticket = flushRequested;
        const bool stop = stopping;
        lock.unlock();
        Status s;
        if (!rows.empty())
            s = commit(rows);
        if (s && std::chrono::steady_clock::now() - lastRetention >= std::chrono::milliseconds(o.retentionEveryMs)) {
            lastRetention = std::chrono::steady_clock::now();
            s = retain();
        }
        lock.lock();
        if (!s) {
            lastError = s;
            std::fprintf(stderr, "prediction log: %s\n", qPrintable(s.message()));
        }
        flushDone = ticket;
        flushed.notify_all();
        if (stop && buffer.empty())
            return;
    }
}

Status PredictionLog::Impl::commit(std::vector<Row> &rows)
{
    store::Transaction tx(*db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto s, db->prepare(QStringLiteral("INSERT INTO predictions (request_id, endpoint, version, time, latency_ms, rows, outputs, inputs) "
                                                               "VALUES (?,?,?,?,?,?,?,?)")));
    quint64 sampled = 0;
    for (const Row &r : rows) {
        s.reset();
        s.bind(1, r.requestId).bind(2, r.endpoint).bind(3, r.version).bind(4, r.time).bind(5, r.latencyMs).bind(6, r.rows).bind(7, QString::fromUtf8(r.outputs));
        if (r.inputs.isEmpty())
            s.bindNull(8);
        else {
            s.bind(8, QString::fromUtf8(r.inputs));
            ++sampled;
        }
        ORRERY_TRY(s.run());
    }
    ORRERY_TRY(tx.commit());
    committed.fetch_add(rows.size());
    withInputs.fetch_add(sampled);
    return Status();
}

Status PredictionLog::Impl::retain()
{
    // Days of the clock the rows' times were recorded on (core/common/clock.h); how often this
    // runs (retentionEveryMs) is a real cadence.
    const qint64 cutoff = common::Clock::system().nowMs() - qint64(o.retentionDays) * 86'400'000;
    ORRERY_ASSIGN_OR_RETURN(auto old, db->prepare(QStringLiteral("DELETE FROM predictions WHERE time < ?")));
    old.bind(1, cutoff);
    ORRERY_TRY(old.run());
    deleted.fetch_add(quint64(db->changes()));
    // Beyond maxRows per endpoint: the oldest go.
    ORRERY_ASSIGN_OR_RETURN(auto endpoints, db->prepare(QStringLiteral("SELECT endpoint, count(*) FROM predictions GROUP BY endpoint")));
    std::vector<std::pair<QString, qint64>> over;
    while (endpoints.next())
        if (endpoints.int64(1) > o.maxRows)
            over.push_back({endpoints.text(0), endpoints.int64(1) - o.maxRows});
    ORRERY_TRY(endpoints.status());
    for (const auto &[endpoint, excess] : over) {
        ORRERY_ASSIGN_OR_RETURN(auto del, db->prepare(QStringLiteral("DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE endpoint = ? ORDER BY time, id LIMIT ?)")));
        del.bind(1, endpoint).bind(2, excess);
        ORRERY_TRY(del.run());
        deleted.fetch_add(quint64(db->changes()));
    }
    return Status();
}

} // namespace orrery::monitor
