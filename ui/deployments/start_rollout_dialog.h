#pragma once
// StartRolloutDialog: "Start rollout…" — a registered model's version (or an alias, resolved
// when the change commits), the endpoint (one that serves the model, or a new name), the
// strategy (by default direct for a new endpoint and canary when replacing a version, as
// `deploy start` decides), the canary's steps and pause, and the analysis rules in the gate
// grammar. What it can check without the database it checks before OK closes it (endpoint name,
// steps, pause, rules: the same parsers the store uses), so a typo is named at once; the rest
// (servable, busy endpoint) the store refuses and the area shows.
//
// Threads: GUI thread. The choices come from loadRolloutChoices on the area's worker.

#include "core/deploy/deployment_store.h"
#include "ui/deployments/deployments_snapshot.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QDialogButtonBox;

namespace orrery::ui {

class StartRolloutDialog : public QDialog {
    Q_OBJECT
public:
    StartRolloutDialog(const RolloutChoices &choices, QWidget *parent = nullptr);

    // Preselects a model (and the endpoint it serves, if one does).
    void selectModel(const QString &model);
    // The request as filled in; valid after accept().
    deploy::StartRequest request() const { return m_request; }

    QComboBox *modelBox() const { return m_model; }
    QComboBox *versionBox() const { return m_version; }
    QComboBox *endpointBox() const { return m_endpoint; }
    QComboBox *strategyBox() const { return m_strategy; }
    QLineEdit *stepsEdit() const { return m_steps; }
    QLineEdit *pauseEdit() const { return m_pause; }
    QLineEdit *analysisEdit() const { return m_analysis; }
    QSpinBox *minRequestsBox() const { return m_minRequests; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

    void accept() override;

private:
    void fillVersions();
    void updateCanaryFields();

    RolloutChoices m_choices;
    QComboBox *m_model;
    QComboBox *m_version;
    QComboBox *m_endpoint;
    QComboBox *m_strategy;
    QLineEdit *m_steps;
    QLineEdit *m_pause;
    QLineEdit *m_analysis;
    QSpinBox *m_minRequests;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    deploy::StartRequest m_request;
};

} // namespace orrery::ui
