#pragma once
// DatabaseWorker: one thread with its own database connection, on which a window's area runs
// every query (the GUI thread never waits on the database): the Experiments area has two (table
// and charts), the Registry area one.
//
// post() queues a function of the Database on the worker thread; its result comes back to the GUI
// thread through a queued call and is handed to `done` only while `receiver` still lives. Work
// runs in the order posted. Callers that may be overtaken by a newer request number their
// requests and drop stale answers (see RunTableModel, RegistryArea).
//
// The connection is opened on the worker thread at the first task after setDatabasePath(), then
// `onOpenSql` runs on it (a reader of 100,000 runs maps the file: mmap_size, cache_size); a
// failure to open is the result of every task until the path changes.
//
// Plain QtCore, no moc: the answers come back through QMetaObject::invokeMethod with functors.
//
// Threads: constructed, used and destroyed on the GUI thread; the destructor stops the thread
// after the task it is running (queued tasks are dropped) and waits for it.

#include "core/common/status.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace orrery::store {

class Database;

class DatabaseWorker : public QObject {
public:
    explicit DatabaseWorker(const QString &name, QString onOpenSql = QString(), QObject *parent = nullptr);
    ~DatabaseWorker() override;

    // The database the next tasks use (closed and reopened on the worker). Empty: none.
    void setDatabasePath(const QString &path);
    QString databasePath() const { return m_path; }

    template <typename T>
    void post(std::function<Result<T>(store::Database &)> work, QObject *receiver, std::function<void(const Result<T> &)> done)
    {
        QPointer<QObject> guard(receiver);
        ++m_pending;
        enqueue([this, work = std::move(work), guard, done = std::move(done)](store::Database *db, const Status &openStatus) {
            auto result = std::make_shared<Result<T>>(db ? work(*db) : Result<T>(openStatus));
            QMetaObject::invokeMethod(this, [this, guard, done, result] {
                --m_pending;
                if (guard)
                    done(*result);
            }, Qt::QueuedConnection);
        });
    }

    // Tasks posted and not yet answered on the GUI thread (tests and benchmarks wait for 0).
    int pending() const { return m_pending.load(); }

private:
    void enqueue(std::function<void(store::Database *, const Status &)> task);

    struct Context;
    QThread *m_thread;
    QObject *m_context; // lives on m_thread
    std::shared_ptr<Context> m_state;
    QString m_path;
    std::atomic<int> m_pending{0};
};

} // namespace orrery::store
