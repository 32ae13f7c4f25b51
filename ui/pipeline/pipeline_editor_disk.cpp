// PipelineEditor and the files on disk: what it watches (dvc.yaml, params.yaml, the stages' deps),
// and what happens when someone else changes dvc.yaml — reloaded when there is nothing to lose,
// else a banner asks (reload and discard, or keep my edits). The cards' states on disk follow
// every change (refreshDiskStatus, in pipeline_editor_run.cpp).
#include "ui/pipeline/pipeline_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_scene.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>

#include "core/exec/placement.h"
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace orrery::ui {

using namespace orrery::pipeline;

void PipelineEditor::createReloadBanner()
{
    m_banner->setObjectName(QStringLiteral("pipelineReloadBanner"));
    // Palette roles, not fixed colours: ToolTipBase/ToolTipText are the pair a style makes readable
    // on top of its content, in light and dark palettes alike (a fixed brown was black on dark brown).
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::ToolTipBase);
    m_banner->setForegroundRole(QPalette::ToolTipText);
    m_banner->setFrameShape(QFrame::StyledPanel);
    auto *bl = new QHBoxLayout(m_banner);
    auto *bannerText = new QLabel(tr("dvc.yaml changed on disk, and you have unsaved edits."), m_banner);
    bannerText->setObjectName(QStringLiteral("bannerText"));
    bannerText->setForegroundRole(QPalette::ToolTipText);
    bl->addWidget(bannerText, 1);
    auto *reload = new QPushButton(tr("Reload (discard my edits)"), m_banner);
    reload->setObjectName(QStringLiteral("bannerReload"));
    auto *keep = new QPushButton(tr("Keep my edits"), m_banner);
    keep->setObjectName(QStringLiteral("bannerKeep"));
    bl->addWidget(reload);
    bl->addWidget(keep);
    m_banner->hide();
    connect(reload, &QPushButton::clicked, this, &PipelineEditor::reloadFromDisk);
    connect(keep, &QPushButton::clicked, this, [this] {
        QFile f(QDir(m_root).filePath(QStringLiteral("dvc.yaml")));
        if (f.open(QIODevice::ReadOnly))
            m_ignoredDiskText = f.readAll();
        m_banner->hide();
    });
}

bool PipelineEditor::isReloadAsked() const
{
    return !m_banner->isHidden();
}

void PipelineEditor::watchFiles()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    if (m_root.isEmpty())
        return;
    m_watcher->addPath(m_root); // an atomic save replaces the file: the folder sees it
    // dvc.yaml, params.yaml and every dep that is a file: an edit of any changes a card's state.
    QStringList files{QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml"), QStringLiteral("executors.yaml")};
    for (NodeId id : m_doc->model()->nodes())
        files += m_doc->model()->stage(id)->deps;
    for (const QString &f : files)
        if (const QString path = QDir(m_root).filePath(f); QFileInfo(path).isFile() && !m_watcher->files().contains(path))
            m_watcher->addPath(path);
}

void PipelineEditor::showPlacements()
{
    // A few hundred bytes of YAML: read here, like dvc.yaml.
    QHash<QString, QString> placed;
    auto placements = exec::loadPlacements(m_root);
    if (!placements) {
        showMessage(tr("executors.yaml does not read, so stages would not run: %1").arg(placements.status().message()), true);
    } else {
        for (NodeId id : m_doc->model()->nodes()) {
            const QString name = m_doc->model()->stage(id)->name;
            placed.insert(name, exec::describePlacement(placements->forStage(name)));
        }
    }
    m_scene->setPlacements(placed);
}

void PipelineEditor::checkDiskChange()
{
    if (m_root.isEmpty())
        return;
    watchFiles();
    showPlacements();
    refreshDiskStatus();
    QFile f(QDir(m_root).filePath(QStringLiteral("dvc.yaml")));
    const QByteArray text = f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    if (text == m_doc->lastDiskText() || text == m_ignoredDiskText)
        return; // our own save, or a change the user chose to keep their edits over
    if (m_doc->isModified()) {
        m_banner->show();
        return;
    }
    reloadFromDisk();
}

void PipelineEditor::reloadFromDisk()
{
    m_banner->hide();
    const Status st = m_doc->load(m_root);
    if (st.isOk())
        showMessage(tr("dvc.yaml changed on disk: reloaded"));
    else
        showMessage(tr("dvc.yaml changed on disk but does not read: %1").arg(st.message()), true);
    m_scene->clearRunViews();
    for (auto it = m_reports.cbegin(); it != m_reports.cend(); ++it)
        onStageReport(it.value());
    updateActions();
}

} // namespace orrery::ui
