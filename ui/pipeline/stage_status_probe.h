#pragma once
// StageStatusProbe: what each stage's card says when this window has not run it — its state as
// dvc.lock and the files on disk have it, whoever ran the pipeline (the editor, `orrery-cli run`,
// `dvc repro`): up to date, changed (which dep or param), or never run, with when it last ran.
//
// It asks the executor's own decision logic (a dry run through stages::runWorkspacePipeline,
// track=false: no lock taken, nothing written) so the cards and `orrery-cli run --dry-run` always
// agree. The executor checks a stage's cmd before its params, so an interpolated param
// (${split.seed}) shows up as "its cmd changed"; the probe then names the params whose values
// differ from dvc.lock's. When a stage last ran is the end of its tracked stage run — the newest
// finished one whose deps and params are dvc.lock's for it — so a stage run alone later says so;
// a stage with no such run (run by `dvc repro`, or with --no-track) says dvc.lock's time (the lock
// is written after each stage that runs).
//
// Threads: refresh() starts the dry run and the run-history reads on the thread pool (it hashes
// deps, and opens a database connection of its own there: never on the GUI thread); statusesReady() is emitted on the probe's thread. A refresh asked while one is in
// flight runs once that one ends, so the last answer is for the files as they are now.

#include <QDateTime>
#include <QHash>
#include <QObject>

template <typename T>
class QFutureWatcher;

namespace orrery::ui {

struct StageDiskStatus {
    enum class Kind { UpToDate, Changed, NeverRun, Unknown };
    Kind kind = Kind::Unknown;
    QString text; // "up to date · ran 5 min ago", "changed: param split.seed", "never run"
    QDateTime ranAt; // when the stage last ran; invalid when never
};

class StageStatusProbe : public QObject {
    Q_OBJECT
public:
    explicit StageStatusProbe(QObject *parent = nullptr);
    ~StageStatusProbe() override;

    void refresh(const QString &root, const QString &cliDir);

Q_SIGNALS:
    // Stage name → its status; empty when the pipeline cannot be read (the editor says why).
    void statusesReady(const QString &root, const QHash<QString, orrery::ui::StageDiskStatus> &statuses);

private:
    void start();
    QFutureWatcher<QHash<QString, StageDiskStatus>> *m_watcher;
    QString m_root, m_cliDir;
    QString m_runningRoot;
    bool m_again = false;
};

// "just now", "5 min ago", "3 h ago", or the date.
QString sinceText(const QDateTime &when, const QDateTime &now);

} // namespace orrery::ui
