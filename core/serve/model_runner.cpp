// ModelRunner: the batching queue and inference threads of one endpoint's version (model_runner.h).

#include "core/serve/model_runner.h"

#include "core/common/clock.h"
#include "core/serve/prediction_hook_queue.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace orrery::serve {

namespace {
using Clock = std::chrono::steady_clock;
}

http::HttpResponse inferenceAnswer(int status, QByteArray body, const QByteArray &requestId)
{
    http::HttpResponse r = http::HttpResponse::json(status, std::move(body));
    r.headers.append({QByteArrayLiteral("x-request-id"), requestId});
    return r;
}

struct ModelRunner::Impl {
    ModelRunner *q = nullptr;
    RunnerOptions o;
    std::shared_ptr<PredictionHookQueue> hook;
    mutable std::mutex m;
    std::condition_variable work;
    std::condition_variable idle;
    std::deque<std::shared_ptr<QueuedInfer>> queue;
    qint64 queuedRows = 0;
    int running = 0;
    bool draining = false;
    bool stopping = false;
    std::vector<std::thread> workers;

    void worker();
    void runBatch(std::vector<std::shared_ptr<QueuedInfer>> &batch, int rows);
    void send(QueuedInfer &infer, int status, QByteArray body) const;
};

ModelRunner::ModelRunner(QString version, QString md5, std::shared_ptr<const InferenceModel> model, RunnerOptions options,
                         std::shared_ptr<ServingMetrics> metrics, std::shared_ptr<PredictionHookQueue> hook)
    : d(std::make_unique<Impl>()), m_version(std::move(version)), m_md5(std::move(md5)), m_model(std::move(model)), m_metrics(std::move(metrics))
{
    d->q = this;
    d->o = options;
    d->o.maxBatch = qMax(1, d->o.maxBatch);
    d->o.threads = qMax(1, d->o.threads);
    d->o.maxDelayMs = qMax(0, d->o.maxDelayMs);
    d->hook = std::move(hook);
    for (int i = 0; i < d->o.threads; ++i)
        d->workers.emplace_back([this] { d->worker(); });
}

ModelRunner::~ModelRunner()
{
    std::deque<std::shared_ptr<QueuedInfer>> left;
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
        left.swap(d->queue);
        m_metrics->addQueuedRows(-d->queuedRows);
        d->queuedRows = 0;
    }
    d->work.notify_all();
    for (auto &infer : left)
        d->send(*infer, 503, errorBody(QStringLiteral("the server stopped before this request ran")));
    for (auto &t : d->workers)
        t.join();
}

ModelRunner::Submitted ModelRunner::submit(std::shared_ptr<QueuedInfer> infer)
{
    const int rows = infer->request.rows;
    {
        std::lock_guard lock(d->m);
        if (d->draining || d->stopping)
            return Submitted::Stopped;
        if (d->queuedRows + rows > d->o.maxQueuedRows)
            return Submitted::Full;
        d->queuedRows += rows;
        d->queue.push_back(std::move(infer));
    }
    m_metrics->addQueuedRows(rows);
    d->work.notify_all();
    return Submitted::Queued;
}

bool ModelRunner::drain(int timeoutMs)
{
    std::unique_lock lock(d->m);
    d->draining = true;
    d->work.notify_all(); // a batch waiting for company runs now
    return d->idle.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return d->queue.empty() && d->running == 0; });
}

qint64 ModelRunner::queuedRows() const
{
    std::lock_guard lock(d->m);
    return d->queuedRows;
}

void ModelRunner::refuse(const QueuedInfer &infer, int status, const QString &message) const
{
    if (!infer.shadow)
        m_metrics->recordAnswer(status, std::chrono::duration<double>(Clock::now() - infer.arrived).count());
    infer.responder.send(inferenceAnswer(status, errorBody(message), infer.requestId));
}

void ModelRunner::Impl::send(QueuedInfer &infer, int status, QByteArray body) const
{
    if (infer.shadow)
        return;
    q->m_metrics->recordAnswer(status, std::chrono::duration<double>(Clock::now() - infer.arrived).count());
    infer.responder.send(inferenceAnswer(status, std::move(body), infer.requestId));
}

void ModelRunner::Impl::worker()
{
    std::unique_lock lock(m);
    for (;;) {
        work.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping)
            return;
        const Clock::time_point deadline = queue.front()->arrived + std::chrono::milliseconds(o.maxDelayMs);
        while (!stopping && !draining && !queue.empty() && queuedRows < o.maxBatch && Clock::now() < deadline)
            work.wait_until(lock, deadline);
        if (stopping)
            return;
        if (queue.empty())
            continue; // another thread took them
        std::vector<std::shared_ptr<QueuedInfer>> batch;
        int rows = 0;
        while (!queue.empty() && (batch.empty() || rows + queue.front()->request.rows <= o.maxBatch)) {
            rows += queue.front()->request.rows;
            batch.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        queuedRows -= rows;
        q->m_metrics->addQueuedRows(-rows);
        running += int(batch.size());
        lock.unlock();
        runBatch(batch, rows);
        lock.lock();
        running -= int(batch.size());
        if (queue.empty() && running == 0)
            idle.notify_all();
    }
}

void ModelRunner::Impl::runBatch(std::vector<std::shared_ptr<QueuedInfer>> &batch, int rows)
{
    q->m_metrics->recordBatch(rows);
    std::vector<InputTensor> stacked;
    if (batch.size() == 1) {
        stacked = batch.front()->request.inputs;
    } else {
        stacked.resize(batch.front()->request.inputs.size());
        for (size_t i = 0; i < stacked.size(); ++i) {
            const InputTensor &first = batch.front()->request.inputs[i];
            InputTensor &t = stacked[i];
            t.name = first.name;
            t.datatype = first.datatype;
            t.width = first.width;
            t.rows = rows;
            if (t.datatype == QLatin1String("BYTES"))
                t.texts.reserve(size_t(rows * t.width));
            else
                t.values.reserve(size_t(rows * t.width));
            for (const auto &p : batch) {
                const InputTensor &part = p->request.inputs[i];
                t.values.insert(t.values.end(), part.values.begin(), part.values.end());
                t.texts.insert(t.texts.end(), part.texts.begin(), part.texts.end());
            }
        }
    }
    auto outputs = q->m_model->run(stacked, rows);
    if (outputs) {
        for (const auto &t : *outputs)
            if (t.rows != rows || t.values.size() != size_t(rows) * size_t(t.width))
                outputs = internalError(QStringLiteral("the model returned %1 rows of '%2' for %3 rows").arg(t.rows).arg(t.name).arg(rows));
    }
    if (!outputs && outputs.status().code() == ErrorCode::InvalidArgument && batch.size() > 1) {
        // The model refused the batch's input — one request's rows can do that for all (a
        // category the model was trained to refuse, data.unseen: error). Each request runs
        // alone, so only the requests the model refuses are answered with its reason and the
        // others get the answers they would have got on their own.
        for (auto &p : batch) {
            std::vector<std::shared_ptr<QueuedInfer>> alone{p};
            runBatch(alone, p->request.rows);
        }
        return;
    }
    if (!outputs) {
        const int status = outputs.status().code() == ErrorCode::InvalidArgument ? 400 : 500;
        for (auto &p : batch)
            send(*p, status, errorBody(outputs.status().message()));
        return;
    }
    int offset = 0;
    for (auto &p : batch) {
        const int n = p->request.rows;
        if (p->onOutputs)
            p->onOutputs(*outputs, offset, n);
        send(*p, 200, inferResponse(p->endpoint, q->m_version, p->request.id, p->request.outputs, *outputs, offset, n));
        if (hook && hook->active() && !p->shadow) {
            PredictionRecord r;
            r.requestId = QString::fromLatin1(p->requestId);
            r.endpoint = p->endpoint;
            r.version = q->m_version;
            r.inputs = std::move(p->request.inputs);
            for (const auto &t : *outputs) {
                OutputTensor slice;
                slice.name = t.name;
                slice.width = t.width;
                slice.rows = n;
                slice.values.assign(t.values.begin() + qsizetype(offset) * t.width, t.values.begin() + qsizetype(offset + n) * t.width);
                r.outputs.push_back(std::move(slice));
            }
            // The latency is measured (real); the time is recorded, on the scenario's clock
            // (core/common/clock.h), like the windows and labels it is compared with.
            r.latencyMs = std::chrono::duration<double, std::milli>(Clock::now() - p->arrived).count();
            r.time = common::Clock::system().now();
            hook->push(std::move(r));
        }
        offset += n;
    }
}

} // namespace orrery::serve
