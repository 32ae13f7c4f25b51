#include "ui/deployments/start_rollout_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace orrery::ui {

StartRolloutDialog::StartRolloutDialog(const RolloutChoices &choices, QWidget *parent)
    : QDialog(parent),
      m_choices(choices),
      m_model(new QComboBox(this)),
      m_version(new QComboBox(this)),
      m_endpoint(new QComboBox(this)),
      m_strategy(new QComboBox(this)),
      m_steps(new QLineEdit(this)),
      m_pause(new QLineEdit(this)),
      m_analysis(new QLineEdit(this)),
      m_minRequests(new QSpinBox(this)),
      m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("startRolloutDialog"));
    setWindowTitle(tr("Start rollout"));
    m_model->setObjectName(QStringLiteral("startModel"));
    m_version->setObjectName(QStringLiteral("startVersion"));
    m_endpoint->setObjectName(QStringLiteral("startEndpoint"));
    m_strategy->setObjectName(QStringLiteral("startStrategy"));
    m_steps->setObjectName(QStringLiteral("startSteps"));
    m_pause->setObjectName(QStringLiteral("startPause"));
    m_analysis->setObjectName(QStringLiteral("startAnalysis"));
    m_minRequests->setObjectName(QStringLiteral("startMinRequests"));
    m_error->setObjectName(QStringLiteral("startError"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));

    for (const auto &m : std::as_const(m_choices.models))
        m_model->addItem(m.name);
    m_endpoint->setEditable(true);
    m_endpoint->setInsertPolicy(QComboBox::NoInsert);
    m_endpoint->setToolTip(tr("An endpoint serving this model, or a new name: 1–63 of a-z, 0-9 and '-'"));
    m_strategy->addItem(tr("automatic: direct for a new endpoint, canary when replacing"), QString());
    for (const char *s : {"direct", "canary", "blue-green", "shadow"})
        m_strategy->addItem(QString::fromLatin1(s), QString::fromLatin1(s));
    const deploy::StartRequest defaults;
    m_steps->setText(deploy::stepsText(defaults.steps));
    m_steps->setToolTip(tr("Canary weights in percent, increasing, ending at 100"));
    m_pause->setText(deploy::durationText(defaults.pauseMs));
    m_pause->setToolTip(tr("How long each canary step runs before its analysis: 30s, 5m, 1h"));
    m_analysis->setText(defaults.analysis);
    m_analysis->setToolTip(tr("Gate grammar relative to the stable version; metrics: %1. Empty: steps advance after the pause.")
                               .arg(deploy::analysisMetricNames().join(QStringLiteral(", "))));
    m_minRequests->setRange(1, 1'000'000);
    m_minRequests->setValue(defaults.minRequests);
    m_minRequests->setToolTip(tr("Requests per version and step before the analysis decides (fewer: inconclusive)"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Version"), m_version);
    form->addRow(tr("Endpoint"), m_endpoint);
    form->addRow(tr("Strategy"), m_strategy);
    form->addRow(tr("Canary steps (%)"), m_steps);
    form->addRow(tr("Pause per step"), m_pause);
    form->addRow(tr("Analysis"), m_analysis);
    form->addRow(tr("Min. requests"), m_minRequests);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);

    connect(m_model, &QComboBox::currentIndexChanged, this, [this] { fillVersions(); });
    connect(m_strategy, &QComboBox::currentIndexChanged, this, [this] { updateCanaryFields(); });
    connect(m_endpoint, &QComboBox::currentTextChanged, this, [this] { updateCanaryFields(); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &StartRolloutDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    fillVersions();
    if (m_choices.models.isEmpty()) {
        m_error->setText(tr("No model is registered yet: register one (`orrery-cli models register NAME --file model.pt`) first."));
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    }
}

void StartRolloutDialog::selectModel(const QString &model)
{
    if (const int i = m_model->findText(model); i >= 0)
        m_model->setCurrentIndex(i);
}

void StartRolloutDialog::fillVersions()
{
    m_version->clear();
    m_endpoint->clear();
    const QString name = m_model->currentText();
    for (const auto &m : std::as_const(m_choices.models)) {
        if (m.name != name)
            continue;
        // Aliases first: "champion (v1)" follows the alias when the change commits.
        for (const auto &v : m.versions)
            for (const QString &alias : v.aliases)
                m_version->addItem(tr("%1 (now v%2)").arg(alias).arg(v.version), alias);
        int firstServable = -1;
        for (const auto &v : m.versions) {
            QString text = QStringLiteral("v%1").arg(v.version);
            if (!v.aliases.isEmpty())
                text += QStringLiteral(" — %1").arg(v.aliases.join(QStringLiteral(", ")));
            if (!v.blocker.isEmpty())
                text += tr(" — cannot serve: %1").arg(v.blocker);
            m_version->addItem(text, v.version);
            if (v.blocker.isEmpty() && firstServable < 0)
                firstServable = m_version->count() - 1;
        }
        // The challenger when there is one (what a rollout usually is for), else the newest servable.
        int pick = m_version->findData(QStringLiteral("challenger"));
        if (pick < 0)
            pick = firstServable;
        if (pick >= 0)
            m_version->setCurrentIndex(pick);
    }
    for (const auto &e : std::as_const(m_choices.endpoints))
        if (e.model == name)
            m_endpoint->addItem(e.endpoint);
    if (m_endpoint->count() == 0) {
        // A new endpoint named after the model, when the name is one.
        const QString suggested = name.toLower();
        m_endpoint->setEditText(deploy::validateEndpointName(suggested) ? suggested : QString());
    }
    updateCanaryFields();
}

void StartRolloutDialog::updateCanaryFields()
{
    const QString strategy = m_strategy->currentData().toString();
    bool replacing = false;
    for (const auto &e : std::as_const(m_choices.endpoints))
        if (e.endpoint == m_endpoint->currentText() && e.stableVersion != 0)
            replacing = true;
    const bool canary = strategy == QLatin1String("canary") || (strategy.isEmpty() && replacing);
    const bool analysed = canary || strategy == QLatin1String("blue-green") || strategy == QLatin1String("shadow");
    m_steps->setEnabled(canary);
    m_pause->setEnabled(canary);
    m_analysis->setEnabled(analysed);
    m_minRequests->setEnabled(analysed);
}

void StartRolloutDialog::accept()
{
    deploy::StartRequest r;
    r.model = m_model->currentText();
    const QVariant v = m_version->currentData();
    if (v.typeId() == QMetaType::QString)
        r.alias = v.toString();
    else
        r.version = v.toInt();
    r.endpoint = m_endpoint->currentText().trimmed();
    QStringList problems;
    if (r.model.isEmpty() || (r.version == 0 && r.alias.isEmpty()))
        problems << tr("Choose a model and a version.");
    if (const Status s = deploy::validateEndpointName(r.endpoint); !s)
        problems << tr("Endpoint: %1").arg(s.message());
    if (const QString s = m_strategy->currentData().toString(); !s.isEmpty()) {
        r.strategyGiven = true;
        r.strategy = deploy::parseStrategy(s).value();
    }
    if (auto steps = deploy::parseSteps(m_steps->text().trimmed()))
        r.steps = *steps;
    else
        problems << tr("Steps: %1").arg(steps.status().message());
    if (auto pause = deploy::parseDurationMs(m_pause->text().trimmed()))
        r.pauseMs = *pause;
    else
        problems << tr("Pause: %1").arg(pause.status().message());
    r.analysis = m_analysis->text().trimmed();
    if (const Status s = deploy::validateAnalysis(r.analysis); !s)
        problems << tr("Analysis: %1").arg(s.message());
    r.minRequests = m_minRequests->value();
    r.reason = QString(); // the store writes what happened
    if (!problems.isEmpty()) {
        m_error->setText(problems.join(QLatin1Char('\n')));
        return;
    }
    m_error->clear();
    m_request = r;
    QDialog::accept();
}

} // namespace orrery::ui
