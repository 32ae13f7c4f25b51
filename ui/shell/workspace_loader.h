#pragma once
// WorkspaceLoader: opens, creates and makes demo workspaces without blocking the GUI thread.
//
// Every request is an orrery::common::Job on the window's JobTracker (so it shows in the Activity
// dock with a Cancel button). The job opens the workspace on its own thread to validate it (and
// migrate it, under the workspace lock), then closes it again: a Workspace and its Database
// belong to the thread that opened them, so the window keeps only the plain facts in
// WorkspaceInfo and every later worker opens its own connection.
//
// Only the newest request counts: a result that arrives after another request started is
// dropped, so a slow open can never replace the workspace the user chose after it.
//
// Threads: lives in, and is used from, the GUI thread.

#include "core/common/status.h"

#include <QObject>
#include <QString>

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

struct WorkspaceInfo {
    QString root;
    QString name;
    QString branch;
    bool inRepository = false;
};

class WorkspaceLoader : public QObject {
    Q_OBJECT
public:
    // What went wrong, decided on the worker where the file system was looked at.
    enum class Failure { None, FolderMissing, NotAWorkspace, Other };

    explicit WorkspaceLoader(common::JobTracker *tracker, QObject *parent = nullptr);

    // `dir` may be the workspace root or any folder inside it.
    void open(const QString &dir);
    // Workspace::init on `dir`, then open.
    void createAndOpen(const QString &dir);
    // The demo workspace in `dir` (a new or empty folder), then open. Cancellable.
    void createDemoAndOpen(const QString &dir);

    bool isBusy() const { return m_pending > 0; }

    // The message a person sees for a failure: names the folder and the fix.
    static QString describeFailure(const QString &dir, Failure failure, const Status &status);

Q_SIGNALS:
    void opened(const orrery::ui::WorkspaceInfo &info);
    // `title` is the dialog title, `message` from describeFailure (or the creation's own).
    void failed(const QString &title, const QString &message);
    void busyChanged(bool busy);

private:
    enum class Kind { Open, Create, Demo };
    void start(Kind kind, const QString &dir);

    common::JobTracker *m_tracker;
    quint64 m_latest = 0;
    int m_pending = 0;
};

} // namespace orrery::ui
