#pragma once
// SweepActions: the Sweep view's two buttons and what they start.
//
// "Train the best configuration" runs `orrery-cli train .orrery/tune/<sweep>/trial-<n>/config.yaml
// --workspace ROOT --json` for the best complete trial: the trainer's own process (DESIGN.md,
// "Processes": LibTorch never runs in the window), tracked here — its progress lines ("… step N/M",
// which orrery-train writes to a pipe every 2 s) fill the progress bar, and its outcome (the new
// run, or the error's last line) is shown when it ends. Closing the view stops it (SIGTERM: the
// trainer stops cleanly; it is the window's child, where a sweep's own trials are orrery-cli tune's).
//
// "Register it" runs `orrery-cli models register NAME --run RUN --workspace ROOT --json` on the
// best configuration's run: the one just trained from here, else the best trial's own training
// run — enabled once such a run has logged a model (tag orrery.model_artifact). NAME is editable,
// proposed from the registered model this sweep's experiment already feeds (else the sweep's
// name). The version is registered unvalidated, as `models register` does; the registry's gates
// decide later whether it may become champion.
//
// Both run in the workspace; one at a time. orrery-cli is found beside the window's executable
// unless setCliDir says otherwise (tests).
//
// Threads: GUI thread; the processes are QProcess children, never waited on.

#include "ui/experiments/sweep_snapshot.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProcess;
class QProgressBar;
class QPushButton;

namespace orrery::ui {

class SweepActions : public QWidget {
    Q_OBJECT
public:
    explicit SweepActions(QWidget *parent = nullptr);
    ~SweepActions() override;

    void setWorkspaceRoot(const QString &root);
    void setCliDir(const QString &dir) { m_cliDir = dir; }
    QString cliProgram() const;
    void setSnapshot(const SweepSnapshotPtr &snapshot);

    void trainBest();
    void registerBest();

    // The config "Train the best configuration" runs (empty: none yet), and the run "Register it"
    // registers (empty: no run with a model).
    QString bestConfigPath() const;
    QString registerRunId() const;
    bool isBusy() const;

    QPushButton *trainButton() const { return m_train; }
    QPushButton *registerButton() const { return m_register; }
    QLineEdit *nameEdit() const { return m_name; }
    QLabel *statusLabel() const { return m_status; }
    QProgressBar *progressBar() const { return m_progress; }

Q_SIGNALS:
    // A process ended: `ok` and what it said (the run trained, the version registered, or why not).
    void finished(bool ok, const QString &message);

private:
    void updateEnabled();
    void showStatus(const QString &text, bool error);
    QProcess *start(const QStringList &args);
    void onTrainOutput();
    void onTrainFinished(int code);
    void onRegisterFinished(int code);
    static QString lastLine(const QByteArray &text);

    QPushButton *m_train;
    QPushButton *m_register;
    QLineEdit *m_name;
    QProgressBar *m_progress;
    QLabel *m_status;
    QString m_root;
    QString m_cliDir;
    SweepSnapshotPtr m_snapshot;
    QPointer<QProcess> m_process;
    QByteArray m_stderr;
    bool m_nameEdited = false;
    int m_trainedTrial = -1; // the trial whose configuration was trained here
    QString m_trainedRunId; // that training's run, when it logged a model
};

} // namespace orrery::ui
