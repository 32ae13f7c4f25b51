#include "ui/shell/workspace_loader.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"
#include "core/demo/demo_workspace.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFileInfo>

#include <memory>

namespace orrery::ui {
namespace {

struct Outcome {
    WorkspaceInfo info;
    WorkspaceLoader::Failure failure = WorkspaceLoader::Failure::None;
    bool creationFailed = false; // init or demo failed before anything could be opened
};

// Runs on the job's thread: finds, opens (migrating if needed) and closes the workspace.
Status validate(const QString &dir, Outcome &out)
{
    if (!QFileInfo(dir).isDir()) {
        out.failure = WorkspaceLoader::Failure::FolderMissing;
        return notFound(QStringLiteral("folder %1 does not exist").arg(dir));
    }
    auto root = workspace::Workspace::findRoot(dir);
    if (!root) {
        out.failure = WorkspaceLoader::Failure::NotAWorkspace;
        return root.status();
    }
    auto ws = workspace::Workspace::open(*root);
    if (!ws) {
        out.failure = WorkspaceLoader::Failure::Other;
        return ws.status();
    }
    out.info.root = (*ws)->root();
    out.info.name = (*ws)->name();
    if (auto repo = vcs::Repository::discover(out.info.root)) {
        out.info.inRepository = true;
        out.info.branch = (*repo)->currentBranch();
    }
    return Status::ok();
}

QString menuPath(const QString &menu, const QString &item)
{
    return menu + QStringLiteral(" \u25B8 ") + item;
}

} // namespace

WorkspaceLoader::WorkspaceLoader(common::JobTracker *tracker, QObject *parent)
    : QObject(parent), m_tracker(tracker)
{
}

void WorkspaceLoader::open(const QString &dir)
{
    start(Kind::Open, dir);
}

void WorkspaceLoader::createAndOpen(const QString &dir)
{
    start(Kind::Create, dir);
}

void WorkspaceLoader::createDemoAndOpen(const QString &dir)
{
    start(Kind::Demo, dir);
}

void WorkspaceLoader::start(Kind kind, const QString &dirArg)
{
    const QString dir = QDir::cleanPath(QFileInfo(dirArg).absoluteFilePath());
    const QString name = QFileInfo(dir).fileName();
    const quint64 request = ++m_latest;
    auto outcome = std::make_shared<Outcome>();

    QString title;
    switch (kind) {
    case Kind::Open: title = tr("Opening %1").arg(name); break;
    case Kind::Create: title = tr("Creating workspace %1").arg(name); break;
    case Kind::Demo: title = tr("Creating demo workspace %1").arg(name); break;
    }

    auto *job = new common::Job(title, [kind, dir, outcome](common::JobContext &context) -> Status {
        if (kind == Kind::Create) {
            auto report = workspace::Workspace::init(dir);
            if (!report) {
                outcome->creationFailed = true;
                return report.status();
            }
        } else if (kind == Kind::Demo) {
            auto report = demo::createDemoWorkspace(dir, {}, &context);
            if (!report) {
                outcome->creationFailed = true;
                return report.status();
            }
        }
        // Cancel pressed after the creation finished: the user no longer wants it opened.
        if (context.isCancelled())
            return context.cancelledStatus();
        context.setProgress(0, 0, QStringLiteral("opening"));
        return validate(dir, *outcome);
    });

    connect(job, &common::Job::finished, this, [this, kind, dir, request, outcome](const Status &status) {
        if (--m_pending == 0)
            Q_EMIT busyChanged(false);
        if (request != m_latest || status.code() == ErrorCode::Cancelled)
            return; // superseded by a newer request, or the user cancelled: nothing to report
        if (status.isOk()) {
            Q_EMIT opened(outcome->info);
            return;
        }
        if (outcome->creationFailed) {
            const QString what = kind == Kind::Demo ? tr("Cannot Create Demo Workspace") : tr("Cannot Create Workspace");
            QString fix = kind == Kind::Demo
                ? tr("Choose a new folder name or an empty folder; a demo never writes over existing files.")
                : tr("Check that the folder is writable and has free space, then try again.");
            Q_EMIT failed(what, tr("Could not create a workspace in %1:\n\n%2\n\n%3").arg(dir, status.message(), fix));
            return;
        }
        Q_EMIT failed(tr("Cannot Open Workspace"), describeFailure(dir, outcome->failure, status));
    });

    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);
    m_tracker->startTracked(job);
}

QString WorkspaceLoader::describeFailure(const QString &dir, Failure failure, const Status &status)
{
    switch (failure) {
    case Failure::FolderMissing:
        return tr("The folder %1 does not exist.\n\nIt may have been moved, renamed or unmounted. "
                  "Choose %2 to pick it where it is now.")
            .arg(dir, menuPath(tr("File"), tr("Open Workspace…")));
    case Failure::NotAWorkspace:
        return tr("%1 is not an Orrery workspace: neither it nor a folder above it has "
                  ".orrery/orrery.db.\n\nTo turn it into one, choose %2 and pick this folder, "
                  "or run `orrery-cli init %1` in a terminal.")
            .arg(dir, menuPath(tr("File"), tr("New Workspace…")));
    case Failure::None:
    case Failure::Other:
        break;
    }
    QString fix;
    switch (status.code()) {
    case ErrorCode::Busy:
        fix = tr("Another Orrery process is working on it (see the message above); try again when it is done.");
        break;
    case ErrorCode::Corrupt:
        fix = tr("Run `orrery-cli doctor --workspace %1` to check it and learn how to recover.").arg(dir);
        break;
    case ErrorCode::Unsupported:
        fix = tr("A newer Orrery wrote it: open it with that version.");
        break;
    case ErrorCode::Io:
        fix = tr("Check that the folder is readable and writable, then try again.");
        break;
    default:
        fix = tr("Run `orrery-cli doctor --workspace %1` for details.").arg(dir);
        break;
    }
    return tr("Could not open the workspace in %1:\n\n%2\n\n%3").arg(dir, status.message(), fix);
}

} // namespace orrery::ui
