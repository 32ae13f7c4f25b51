#include "core/store/database_worker.h"

#include "core/store/database.h"

#include <QMutex>
#include <QThread>

namespace orrery::store {

// What belongs to the worker thread: the connection and the path it was opened for. `path` is
// written on the GUI thread and read on the worker, under `mutex`; `db` is touched only on the
// worker thread.
struct DatabaseWorker::Context {
    QMutex mutex;
    QString path;
    QString openedPath;
    std::unique_ptr<Database> db;
    Status openStatus;
    QString onOpenSql;
    std::atomic<bool> stopping{false};
};

DatabaseWorker::DatabaseWorker(const QString &name, QString onOpenSql, QObject *parent)
    : QObject(parent), m_thread(new QThread), m_context(new QObject), m_state(std::make_shared<Context>())
{
    m_state->onOpenSql = std::move(onOpenSql);
    m_thread->setObjectName(name);
    m_context->moveToThread(m_thread);
    // The connection is closed on its own thread when the thread ends.
    connect(m_thread, &QThread::finished, m_context, [state = m_state] { state->db.reset(); }, Qt::DirectConnection);
    m_thread->start();
}

DatabaseWorker::~DatabaseWorker()
{
    m_state->stopping = true;
    m_thread->quit();
    m_thread->wait();
    delete m_context;
    delete m_thread;
}

void DatabaseWorker::setDatabasePath(const QString &path)
{
    m_path = path;
    QMutexLocker lock(&m_state->mutex);
    m_state->path = path;
}

void DatabaseWorker::enqueue(std::function<void(store::Database *, const Status &)> task)
{
    QMetaObject::invokeMethod(m_context, [state = m_state, task = std::move(task)] {
        if (state->stopping)
            return;
        QString path;
        {
            QMutexLocker lock(&state->mutex);
            path = state->path;
        }
        if (path != state->openedPath || (!state->db && state->openStatus.isOk())) {
            state->db.reset();
            state->openedPath = path;
            state->openStatus = Status::ok();
            if (path.isEmpty()) {
                state->openStatus = Status(ErrorCode::NotFound, QStringLiteral("no workspace is open"));
            } else {
                OpenOptions options;
                options.busyTimeoutMs = 2000;
                auto db = Database::open(path, options);
                if (db) {
                    state->db = std::move(*db);
                    if (!state->onOpenSql.isEmpty())
                        (void)state->db->exec(state->onOpenSql); // tuning only: a failure changes no result
                } else {
                    state->openStatus = db.status();
                }
            }
        }
        task(state->db.get(), state->openStatus);
    }, Qt::QueuedConnection);
}

} // namespace orrery::store
