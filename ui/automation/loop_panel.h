#pragma once
// LoopPanel: the top of the Automation area — the loop as a whole, as `orrery-cli ct status`
// prints it:
//
//   Loop running | paused by alice at … (why)          [Pause] [Resume] [Trigger now]
//   cool-down (its end), today's count against max_per_day, whether approval is required
//   the `ct run` process holding the loop's lock; the iteration in progress: its step, its
//   process (PID, host) and the age of its heartbeat — or that it waits for approval
//   Now: what the loop would decide at its next check, and why
//   triggers   kind | what it watches | next firing | firing now, pending (and why), or idle
//
// Pause and Resume are enabled by the loop's state, Trigger now while ct.yaml lets a retrain be
// asked for by hand; the area runs them (automation_snapshot.h: the stores, with their audit
// entries) and disables them while one is in flight.
//
// Threads: GUI thread.

#include "ui/automation/automation_snapshot.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace orrery::ui {

class LoopPanel : public QWidget {
    Q_OBJECT
public:
    enum TriggerColumn { KindColumn, WatchesColumn, NextColumn, NowColumn };

    explicit LoopPanel(QWidget *parent = nullptr);

    void setSnapshot(const AutomationSnapshot &snap);
    void clear();
    // While an action is in flight every button is off.
    void setBusy(bool busy);

    QLabel *stateLabel() const { return m_state; }
    QLabel *policiesLabel() const { return m_policies; }
    QLabel *processLabel() const { return m_process; }
    QLabel *decisionLabel() const { return m_decision; }
    QTreeWidget *triggersView() const { return m_triggers; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *resumeButton() const { return m_resume; }
    QPushButton *triggerButton() const { return m_trigger; }

Q_SIGNALS:
    void pauseRequested();
    void resumeRequested();
    void triggerRequested();

private:
    void updateButtons();
    void setTriggers(const QVector<TriggerRow> &rows, qint64 now);
    void fitTriggers();

    QLabel *m_state;
    QLabel *m_policies;
    QLabel *m_process;
    QLabel *m_decision;
    QTreeWidget *m_triggers;
    QPushButton *m_pause;
    QPushButton *m_resume;
    QPushButton *m_trigger;
    bool m_known = false;   // a snapshot was applied
    bool m_paused = false;
    bool m_manual = false;  // ct.yaml lets a retrain be asked for by hand
    bool m_busy = false;
};

} // namespace orrery::ui
