#include "ui/experiments/sweep_actions.h"

#include "core/tune/sweep_runner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>

namespace orrery::ui {

SweepActions::SweepActions(QWidget *parent)
    : QWidget(parent), m_train(new QPushButton(tr("Train the best configuration"), this)),
      m_register(new QPushButton(tr("Register it"), this)), m_name(new QLineEdit(this)), m_progress(new QProgressBar(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("sweepActions"));
    m_train->setObjectName(QStringLiteral("sweepTrainBest"));
    m_register->setObjectName(QStringLiteral("sweepRegister"));
    m_name->setObjectName(QStringLiteral("sweepModelName"));
    m_name->setPlaceholderText(tr("model name"));
    m_name->setToolTip(tr("The registered model the version goes to"));
    m_name->setMaximumWidth(180);
    m_progress->setObjectName(QStringLiteral("sweepTrainProgress"));
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_status->setObjectName(QStringLiteral("sweepActionStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(false);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_train);
    layout->addSpacing(8);
    layout->addWidget(m_register);
    layout->addWidget(new QLabel(tr("as"), this));
    layout->addWidget(m_name);
    layout->addSpacing(8);
    layout->addWidget(m_progress);
    layout->addWidget(m_status, 1);

    connect(m_train, &QPushButton::clicked, this, &SweepActions::trainBest);
    connect(m_register, &QPushButton::clicked, this, &SweepActions::registerBest);
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        m_nameEdited = true;
        updateEnabled();
    });
    updateEnabled();
}

SweepActions::~SweepActions()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // A training started here ends with the window: SIGTERM first, which orrery-train turns
        // into a clean stop (its run recorded as ended), SIGKILL if it does not stop.
        m_process->disconnect(this);
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(1000);
        }
    }
}

void SweepActions::setWorkspaceRoot(const QString &root)
{
    m_root = root;
    m_trainedTrial = -1;
    m_trainedRunId.clear();
    updateEnabled();
}

QString SweepActions::cliProgram() const
{
    return QDir(m_cliDir.isEmpty() ? QCoreApplication::applicationDirPath() : m_cliDir).filePath(QStringLiteral("orrery-cli"));
}

void SweepActions::setSnapshot(const SweepSnapshotPtr &snapshot)
{
    const bool otherSweep = !m_snapshot || !snapshot || snapshot->sweep.id != m_snapshot->sweep.id;
    m_snapshot = snapshot;
    if (otherSweep) {
        m_trainedTrial = -1;
        m_trainedRunId.clear();
        m_nameEdited = false;
        if (!isBusy())
            showStatus(QString(), false);
    }
    if (!m_nameEdited)
        m_name->setText(snapshot ? snapshot->suggestedModelName : QString());
    updateEnabled();
}

QString SweepActions::bestConfigPath() const
{
    if (!m_snapshot || !m_snapshot->summary.bestTrial || m_root.isEmpty())
        return QString();
    return tune::SweepRunner::sweepDir(m_root, m_snapshot->sweep.id)
        + QStringLiteral("/trial-%1/config.yaml").arg(*m_snapshot->summary.bestTrial);
}

QString SweepActions::registerRunId() const
{
    if (!m_snapshot || !m_snapshot->summary.bestTrial)
        return QString();
    if (!m_trainedRunId.isEmpty() && m_trainedTrial == *m_snapshot->summary.bestTrial)
        return m_trainedRunId;
    return m_snapshot->bestRunHasModel ? m_snapshot->bestRunId : QString();
}

bool SweepActions::isBusy() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

void SweepActions::updateEnabled()
{
    const QString config = bestConfigPath();
    const bool busy = isBusy();
    // A stat of one local file: cheap enough for the GUI thread.
    const bool haveConfig = !config.isEmpty() && QFileInfo::exists(config);
    m_train->setEnabled(!busy && haveConfig);
    if (!m_snapshot || !m_snapshot->summary.bestTrial)
        m_train->setToolTip(tr("No complete trial yet"));
    else if (!haveConfig)
        m_train->setToolTip(
            tr("The best trial's config is not in this workspace (%1)").arg(config.isEmpty() ? tr("no workspace folder") : config));
    else
        m_train->setToolTip(tr("Runs `orrery-cli train %1`: trial %2's configuration, trained again as a run of its own")
                                .arg(QDir(m_root).relativeFilePath(config))
                                .arg(*m_snapshot->summary.bestTrial));
    const QString run = registerRunId();
    m_register->setEnabled(!busy && !run.isEmpty() && !m_name->text().trimmed().isEmpty() && !m_root.isEmpty());
    m_register->setToolTip(run.isEmpty()
            ? tr("Enabled once the best configuration has a run with a model: train it, or wait for a trial that logs one")
            : tr("Runs `orrery-cli models register %1 --run %2`").arg(m_name->text().trimmed(), run));
}

void SweepActions::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

QProcess *SweepActions::start(const QStringList &args)
{
    auto *process = new QProcess(this);
    process->setProgram(cliProgram());
    process->setArguments(args);
    process->setWorkingDirectory(m_root);
    process->setStandardInputFile(QProcess::nullDevice());
    m_stderr.clear();
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        showStatus(tr("Cannot run %1: %2").arg(process->program(), process->errorString()), true);
        m_progress->hide();
        process->deleteLater();
        updateEnabled();
        Q_EMIT finished(false, m_status->text());
    });
    m_process = process;
    process->start();
    updateEnabled();
    return process;
}

QString SweepActions::lastLine(const QByteArray &text)
{
    const QStringList lines = QString::fromUtf8(text).split(QRegularExpression(QStringLiteral("[\r\n]")), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.last().trimmed();
}

void SweepActions::trainBest()
{
    const QString config = bestConfigPath();
    if (isBusy() || config.isEmpty() || !m_snapshot)
        return;
    const int trial = *m_snapshot->summary.bestTrial;
    QProcess *p = start({QStringLiteral("train"), config, QStringLiteral("--workspace"), m_root, QStringLiteral("--json")});
    p->setProperty("trial", trial);
    m_progress->setRange(0, 0); // busy until the first "step N/M"
    m_progress->show();
    showStatus(tr("Training trial %1's configuration…").arg(trial), false);
    connect(p, &QProcess::readyReadStandardError, this, &SweepActions::onTrainOutput);
    connect(p, &QProcess::finished, this,
        [this](int code, QProcess::ExitStatus status) { onTrainFinished(status == QProcess::NormalExit ? code : -1); });
}

void SweepActions::onTrainOutput()
{
    if (!m_process)
        return;
    m_stderr += m_process->readAllStandardError();
    const QString line = lastLine(m_stderr);
    static const QRegularExpression step(QStringLiteral("step (\\d+)/(\\d+)"));
    if (const auto m = step.match(line); m.hasMatch()) {
        m_progress->setRange(0, m.captured(2).toInt());
        m_progress->setValue(m.captured(1).toInt());
    }
    if (!line.isEmpty())
        showStatus(tr("Training trial %1's configuration: %2").arg(m_process->property("trial").toInt()).arg(line), false);
}

void SweepActions::onTrainFinished(int code)
{
    QProcess *p = m_process;
    if (!p)
        return;
    m_stderr += p->readAllStandardError();
    const QByteArray out = p->readAllStandardOutput();
    const int trial = p->property("trial").toInt();
    p->deleteLater();
    m_process = nullptr;
    m_progress->hide();
    const QJsonObject outcome = QJsonDocument::fromJson(out.trimmed()).object();
    const QString runId = outcome.value(QStringLiteral("run_id")).toString();
    if (code != 0 || runId.isEmpty()) {
        const QString why = lastLine(m_stderr);
        showStatus(tr("Training trial %1's configuration failed (%2): %3")
                       .arg(trial)
                       .arg(code < 0 ? tr("crashed") : tr("exit %1").arg(code))
                       .arg(why.isEmpty() ? tr("it printed nothing") : why),
            true);
        updateEnabled();
        Q_EMIT finished(false, m_status->text());
        return;
    }
    m_trainedTrial = trial;
    m_trainedRunId = outcome.value(QStringLiteral("model_artifact")).toString().isEmpty() ? QString() : runId;
    QString figure;
    if (m_snapshot) {
        // The trainer's validation figures are keyed without the val_ its logged metrics carry.
        const QJsonObject overall = outcome.value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject();
        QString key = m_snapshot->sweep.metric;
        if (!overall.contains(key) && key.startsWith(QLatin1String("val_")))
            key = key.mid(4);
        const QJsonValue v = overall.value(key);
        if (v.isDouble())
            figure = QStringLiteral(", %1 %2").arg(m_snapshot->sweep.metric, QString::number(v.toDouble(), 'g', 6));
    }
    showStatus(tr("Trained trial %1's configuration: run %2%3").arg(trial).arg(runId.left(8), figure), false);
    updateEnabled();
    Q_EMIT finished(true, m_status->text());
}

void SweepActions::registerBest()
{
    const QString run = registerRunId();
    const QString name = m_name->text().trimmed();
    if (isBusy() || run.isEmpty() || name.isEmpty() || !m_snapshot)
        return;
    QProcess *p
        = start({QStringLiteral("models"), QStringLiteral("register"), name, QStringLiteral("--run"), run, QStringLiteral("--description"),
            tr("The best configuration of sweep %1 (trial %2)").arg(m_snapshot->sweep.name).arg(*m_snapshot->summary.bestTrial),
            QStringLiteral("--workspace"), m_root, QStringLiteral("--json")});
    showStatus(tr("Registering run %1 as %2…").arg(run.left(8), name), false);
    connect(p, &QProcess::finished, this,
        [this](int code, QProcess::ExitStatus status) { onRegisterFinished(status == QProcess::NormalExit ? code : -1); });
}

void SweepActions::onRegisterFinished(int code)
{
    QProcess *p = m_process;
    if (!p)
        return;
    const QByteArray out = p->readAllStandardOutput();
    const QByteArray err = p->readAllStandardError();
    p->deleteLater();
    m_process = nullptr;
    const QJsonObject version = QJsonDocument::fromJson(out.trimmed()).object();
    if (code != 0 || !version.contains(QStringLiteral("version"))) {
        const QString why = lastLine(err);
        showStatus(tr("Registering failed (%1): %2")
                       .arg(code < 0 ? tr("crashed") : tr("exit %1").arg(code), why.isEmpty() ? tr("it printed nothing") : why),
            true);
        updateEnabled();
        Q_EMIT finished(false, m_status->text());
        return;
    }
    showStatus(tr("Registered %1 version %2 (not validated yet: the registry's gates decide whether it may become champion)")
                   .arg(version.value(QStringLiteral("name")).toString())
                   .arg(version.value(QStringLiteral("version")).toInt()),
        false);
    updateEnabled();
    Q_EMIT finished(true, m_status->text());
}

} // namespace orrery::ui
