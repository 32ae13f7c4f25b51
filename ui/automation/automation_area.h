#pragma once
// AutomationArea: the Automation area of the workbench — the continuous-training loop made
// visible (issue 18, part 4), over what `orrery-cli ct run` records (core/ct):
//
//   loop      running or paused (who, why), the cool-down's end, today's count against the
//             maximum, the `ct run` process and the iteration in progress (its step, PID, host,
//             heartbeat age); Pause, Resume, Trigger now; the triggers with their next firing and
//             whether each fires now, waits (and why) or is idle              (LoopPanel)
//   timeline  one row per iteration, newest first: #, trigger → outcome (or the step in progress,
//             or waiting for approval) in the outcome's colour, the model version against the
//             champion, started, duration, why                          (IterationTableModel)
//   iteration the selected one: its steps (state, times, reason) and the selected step's detail;
//             Approve and Reject while it waits; Open pipeline run, model version, deployment
//             through the Navigator                                           (IterationPanel)
//
// With no ct.yaml and no iteration, an empty state says how to start: write ct.yaml, check it with
// `orrery-cli ct check`, run `orrery-cli ct run`.
//
// Every read runs on a store::DatabaseWorker (its own connection): the area reads when first
// shown, then about once a second while shown (not while hidden), never two reads at once (a poll
// while one runs is folded into one more after it), so an iteration that `ct run` advances in
// another process appears without a click. The actions run on the same worker, one at a time, each
// one transaction with its audit entry (automation_snapshot.h); a refusal shows the store's reason.
// The area registers with the Navigator as the handler of kind "ct_iteration" (id: the number).
//
// Threads: GUI thread only.

#include "ui/automation/automation_snapshot.h"

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class EmptyState;
class IterationPanel;
class IterationTableModel;
class LoopPanel;
class Navigator;
struct AreaInfo;

class AutomationArea : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPollMs = 1000;

    AutomationArea(const AreaInfo &area, Navigator *navigator, QWidget *parent = nullptr);
    ~AutomationArea() override;

    void setWorkspaceRoot(const QString &root);
    void clear();
    // Reads now (folded into the read in flight, if one is).
    void refresh();
    // Shows iteration `id` (its steps and detail) and keeps showing it.
    void selectIteration(qint64 id);
    void setPollIntervalMs(int ms);

    QString workspaceRoot() const { return m_root; }
    const AutomationSnapshot &snapshot() const { return m_snapshot; }
    qint64 selectedIteration() const { return m_selected; }
    bool isShowingLoop() const;
    bool isReading() const { return m_reading; }
    int reads() const { return m_reads; }
    EmptyState *emptyState() const { return m_empty; }
    LoopPanel *loopPanel() const { return m_loop; }
    QTableView *timelineView() const { return m_view; }
    IterationTableModel *timelineModel() const { return m_model; }
    IterationPanel *iterationPanel() const { return m_panel; }
    QLabel *messageLabel() const { return m_message; }
    store::DatabaseWorker *worker() const { return m_worker; }

Q_SIGNALS:
    // After each snapshot was applied (tests wait on it).
    void refreshed();
    // After an action's answer was shown (tests wait on it).
    void actionFinished(bool ok);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void apply(const AutomationSnapshot &snap);
    void runAction(AutomationAction action, qint64 iterationId = 0);
    void setBusy(bool busy);
    void showMessage(const QString &text, bool error);

    store::DatabaseWorker *m_worker;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QWidget *m_content;
    LoopPanel *m_loop;
    QTableView *m_view;
    IterationTableModel *m_model;
    IterationPanel *m_panel;
    QLabel *m_message;
    QTimer *m_poll;

    QString m_root;
    AutomationSnapshot m_snapshot;
    qint64 m_selected = 0;       // the iteration shown below the timeline
    bool m_selectionChosen = false; // the user chose it: new iterations do not take the selection
    quint64 m_request = 0;
    int m_reads = 0;
    int m_sizedRows = -1;        // the rows the timeline's columns were fitted to
    bool m_reading = false;
    bool m_readPending = false;
    bool m_actionRunning = false;
    bool m_updating = false;
};

} // namespace orrery::ui
