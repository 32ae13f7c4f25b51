#pragma once
// IterationPanel: the bottom of the Automation area — the iteration selected in the timeline:
//
//   Iteration 7: alert → promoted — its trigger, data version and branch, pipeline run, model
//   version against the champion, endpoint and deployment revision, who decided, why it ended
//   [Approve] [Reject]   [Open pipeline run] [Open model version] [Open deployment]
//   steps    name | state | started | duration | reason            | the selected step's reason,
//                                                                  | and its detail as keys and values
//
// A step's detail (IterationStep::detail: the pipeline's run id and stages, the gate's metric and
// values, the canary's endpoint, revision, phase and step…) is shown generically, key by key, with
// nested objects and arrays as children, so keys the loop adds later show without a change here.
//
// Approve and Reject are enabled only while the iteration waits for approval; the Open buttons
// only where the iteration made the object and an area handles its kind (Navigator::canOpen):
// the pipeline run ("run": the iteration's run, or its pipeline step's run_id), the model version
// ("model_version": NAME/VERSION) and the deployment ("deployment": the endpoint, once a canary
// started on it).
//
// Threads: GUI thread.

#include "core/ct/iteration.h"
#include "ui/common/navigator.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace orrery::ui {

class IterationPanel : public QWidget {
    Q_OBJECT
public:
    enum StepColumn { StepNameColumn, StepStateColumn, StepStartedColumn, StepDurationColumn, StepReasonColumn };
    enum DetailColumn { KeyColumn, ValueColumn };

    explicit IterationPanel(Navigator *navigator, QWidget *parent = nullptr);

    // The iteration and its steps (null: none selected).
    void setIteration(const ct::Iteration *iteration, const QVector<ct::IterationStep> &steps, qint64 nowMs);
    void setBusy(bool busy);
    // Shows the detail of the iteration's newest step called `name`, and keeps it shown.
    void selectStep(const QString &name);

    qint64 iterationId() const { return m_iteration ? m_iteration->id : 0; }
    QString selectedStep() const; // its name; empty when none
    // What the Open buttons open (empty id: nothing).
    ObjectRef pipelineRunRef() const;
    ObjectRef modelVersionRef() const;
    ObjectRef deploymentRef() const;

    QLabel *summaryLabel() const { return m_summary; }
    QTreeWidget *stepsView() const { return m_steps; }
    QLabel *stepReasonLabel() const { return m_stepReason; }
    QTreeWidget *detailView() const { return m_detail; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *rejectButton() const { return m_reject; }
    QPushButton *openRunButton() const { return m_openRun; }
    QPushButton *openVersionButton() const { return m_openVersion; }
    QPushButton *openDeploymentButton() const { return m_openDeployment; }

Q_SIGNALS:
    void approveRequested(qint64 iterationId);
    void rejectRequested(qint64 iterationId);

private:
    void updateButtons();
    void updateSummary();
    void rebuildSteps();
    void showStepDetail();
    const ct::IterationStep *selected() const;

    Navigator *m_navigator;
    QLabel *m_summary;
    QTreeWidget *m_steps;
    QLabel *m_stepReason;
    QTreeWidget *m_detail;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QPushButton *m_openRun;
    QPushButton *m_openVersion;
    QPushButton *m_openDeployment;

    std::optional<ct::Iteration> m_iteration;
    QVector<ct::IterationStep> m_stepRows;
    QString m_stepsShown;  // the steps the view was built from (JSON), rebuilt only when they change
    QString m_detailShown; // the step and detail the detail view was built from
    qint64 m_stepId = 0;   // the step whose detail shows
    bool m_stepChosen = false; // the user chose it: a poll does not move it to the running step
    qint64 m_now = 0;
    bool m_busy = false;
    bool m_updating = false;
};

} // namespace orrery::ui
