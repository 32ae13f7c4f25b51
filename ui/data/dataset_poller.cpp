#include "ui/data/dataset_poller.h"

#include "core/common/job.h"
#include "ui/data/data_worker.h"

#include <QTimer>

#include <memory>

namespace orrery::ui {

DatasetPoller::DatasetPoller(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    qRegisterMetaType<QVector<orrery::ui::DatasetEntry>>();
    m_timer->setInterval(kDefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &DatasetPoller::refresh);
}

DatasetPoller::~DatasetPoller()
{
    if (m_inFlight)
        m_inFlight->cancel(); // a child: its destructor waits for the thread
}

void DatasetPoller::setRoot(const QString &root)
{
    m_root = root;
    ++m_generation;
    m_hasResult = false;
    refresh();
}

void DatasetPoller::clear()
{
    m_root.clear();
    ++m_generation;
    m_hasResult = false;
    m_again = false;
    if (m_inFlight)
        m_inFlight->cancel();
}

void DatasetPoller::setActive(bool active)
{
    if (active)
        m_timer->start();
    else
        m_timer->stop();
}

void DatasetPoller::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

void DatasetPoller::refresh()
{
    if (m_root.isEmpty())
        return;
    if (m_inFlight) {
        m_again = true; // one poll at a time on a slow disk; the next one starts when this ends
        return;
    }
    const QString root = m_root;
    const quint64 generation = m_generation;
    auto entries = std::make_shared<QVector<DatasetEntry>>();
    auto *job = new common::Job(tr("Reading data status"), [root, entries](common::JobContext &ctx) -> Status {
        ORRERY_ASSIGN_OR_RETURN(auto scanned, dataworker::scanDatasets(root, &ctx));
        *entries = std::move(scanned);
        return Status::ok();
    }, this);
    m_inFlight = job;
    connect(job, &common::Job::finished, this, [this, job, entries, generation](const Status &status) {
        job->deleteLater();
        if (m_inFlight == job)
            m_inFlight.clear();
        const bool again = std::exchange(m_again, false);
        if (generation != m_generation) {
            refresh(); // the root changed while this poll ran: read the new one now
            return;
        }
        if (status.code() == ErrorCode::Cancelled)
            return;
        if (status) {
            m_hasResult = true;
            Q_EMIT loaded(*entries);
        } else {
            Q_EMIT failed(status.message());
        }
        if (again)
            refresh();
    });
    job->start();
}

} // namespace orrery::ui
