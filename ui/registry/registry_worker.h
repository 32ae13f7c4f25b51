#pragma once
// RegistryWorker (a copy of ui/experiments' ExperimentWorker: areas do not share code but through
// ui/common): one thread with its own database connection, on which the Registry area
// runs every query (DESIGN.md: the GUI thread never waits on the database).
//
// post() queues a function of the Database on the worker thread; its result comes back to the GUI
// thread through a queued call and is handed to `done` only while `receiver` still lives. Work
// runs in the order posted. Callers that may be overtaken by a newer request number their
// requests and drop stale answers (see RegistryArea).
//
// The connection is opened on the worker thread at the first task after setDatabasePath(); a
// failure to open is the result of every task until the path changes.
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
}

namespace orrery::ui {

class RegistryWorker : public QObject {
    Q_OBJECT
public:
    explicit RegistryWorker(const QString &name, QObject *parent = nullptr);
    ~RegistryWorker() override;

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
                Q_EMIT idle();
            }, Qt::QueuedConnection);
        });
    }

    // Tasks posted and not yet answered on the GUI thread.
    int pending() const { return m_pending.load(); }

Q_SIGNALS:
    // After each answer was delivered (tests and benchmarks wait on pending() == 0).
    void idle();

private:
    void enqueue(std::function<void(store::Database *, const Status &)> task);

    struct Context;
    QThread *m_thread;
    QObject *m_context; // lives on m_thread
    std::shared_ptr<Context> m_state;
    QString m_path;
    std::atomic<int> m_pending{0};
};

} // namespace orrery::ui
