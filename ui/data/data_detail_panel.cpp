#include "ui/data/data_detail_panel.h"

#include "core/common/job.h"
#include "ui/activity/job_progress_header.h"
#include "ui/common/empty_state.h"
#include "ui/common/stat_format.h"
#include "ui/data/data_table.h"
#include "ui/data/data_worker.h"
#include "ui/data/directory_diff_view.h"
#include "ui/data/directory_view.h"
#include "ui/data/file_change_model.h"
#include "ui/data/file_list_model.h"
#include "ui/data/profile_store.h"
#include "ui/data/table_diff_view.h"
#include "ui/data/table_stats_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <memory>

namespace orrery::ui {
namespace {

ContentFile wholeFile(const DatasetEntry &dataset, const DataVersion &v)
{
    return {dataset.path, v.md5, v.size, v.contentPath};
}
} // namespace

DataDetailPanel::DataDetailPanel(common::JobTracker *tracker, QWidget *parent)
    : QWidget(parent),
      m_tracker(tracker),
      m_store(new ProfileStore(tracker, this)),
      m_header(new JobProgressHeader),
      m_pages(new QStackedWidget),
      m_messagePage(new QWidget),
      m_message(makeNoteLabel()),
      m_retry(new QPushButton(tr("Compute Again"))),
      m_stats(new TableStatsView),
      m_diff(new TableDiffView),
      m_directory(new DirectoryView),
      m_directoryDiff(new DirectoryDiffView)
{
    setObjectName(QStringLiteral("dataDetail"));
    connect(m_header, &JobProgressHeader::busyChanged, this, &DataDetailPanel::busyChanged);

    m_message->setObjectName(QStringLiteral("detailMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setTextFormat(Qt::RichText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setMaximumWidth(560);
    m_retry->setObjectName(QStringLiteral("detailRetry"));
    m_retry->hide();
    connect(m_retry, &QPushButton::clicked, this, [this] {
        if (m_retryAction)
            m_retryAction();
    });
    auto *messageLayout = new QVBoxLayout(m_messagePage);
    messageLayout->addStretch(2);
    // Centred by stretches, not by an alignment flag: a word-wrapped label given an alignment
    // gets its one-line size hint and shows only the first words.
    auto *messageRow = new QHBoxLayout;
    messageRow->addStretch(1);
    messageRow->addWidget(m_message, 100);
    messageRow->addStretch(1);
    messageLayout->addLayout(messageRow);
    messageLayout->addSpacing(6);
    messageLayout->addWidget(m_retry, 0, Qt::AlignHCenter);
    messageLayout->addStretch(3);

    for (QWidget *page : {m_messagePage, static_cast<QWidget *>(m_stats), static_cast<QWidget *>(m_diff),
                          static_cast<QWidget *>(m_directory), static_cast<QWidget *>(m_directoryDiff)})
        m_pages->addWidget(page);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_header);
    layout->addWidget(m_pages, 1);

    connect(m_directory, &DirectoryView::fileSelected, this, &DataDetailPanel::onDirectoryFileSelected);
    connect(m_directoryDiff, &DirectoryDiffView::changeSelected, this, &DataDetailPanel::onDirectoryChangeSelected);
    showPlaceholder(QString());
}

DataDetailPanel::~DataDetailPanel()
{
    // Jobs are children of the tracker (or of this panel) and wait for their threads when deleted;
    // asking them to stop first keeps closing the window quick.
    m_header->cancel();
}

bool DataDetailPanel::isBusy() const
{
    return m_header->isBusy();
}

QPushButton *DataDetailPanel::cancelButton() const
{
    return m_header->cancelButton();
}

QProgressBar *DataDetailPanel::progressBar() const
{
    return m_header->progressBar();
}

void DataDetailPanel::setWorkspaceRoot(const QString &root)
{
    if (root == m_root)
        return;
    m_root = root;
    // Profiles are keyed by content and would stay right, but a closed workspace's data should
    // not keep memory.
    if (root.isEmpty())
        m_store->clear();
    showPlaceholder(QString());
}

QWidget *DataDetailPanel::currentPage() const
{
    return m_pages->currentWidget();
}

QString DataDetailPanel::titleText() const
{
    return m_header->title();
}

QString DataDetailPanel::messageText() const
{
    return m_message->text();
}

quint64 DataDetailPanel::beginRequest(const QString &title, std::function<void()> retry)
{
    ++m_request;
    m_header->cancel(); // its result would be dropped anyway; free the cores for the new one
    m_header->finish();
    m_header->setTitle(title);
    m_retryAction = std::move(retry);
    return m_request;
}

void DataDetailPanel::cancel()
{
    m_header->cancel(); // the job reports Cancelled; its slot shows that and offers a retry
}

void DataDetailPanel::showMessage(const QString &text, bool offerRetry)
{
    m_message->setText(EmptyState::backticksToHtml(text).replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    m_retry->setVisible(offerRetry && m_retryAction);
    m_pages->setCurrentWidget(m_messagePage);
}

void DataDetailPanel::showFailure(const Status &status)
{
    if (status.code() == ErrorCode::Cancelled)
        showMessage(tr("Cancelled."), true);
    else
        showMessage(tr("Could not read this version:\n%1").arg(status.message()), true);
}

void DataDetailPanel::showPlaceholder(const QString &text)
{
    beginRequest(QString(), {});
    showMessage(text.isEmpty() ? tr("Select a version to see its statistics; Ctrl-click a second one to compare the two.") : text);
}

QString DataDetailPanel::versionLabel(const DataVersion &version) const
{
    return version.isWorkspace() ? tr("the workspace") : version.shortId();
}

QString DataDetailPanel::notAvailableText(const DataVersion &version) const
{
    if (version.isWorkspace())
        return tr("The data is not on disk and this version is not in the cache.\nRestore it with `orrery-cli data checkout %1`.")
            .arg(m_dataset.path);
    return tr("Version %1 of %2 is not in the cache — pull it:\nrun `orrery-cli data pull %2` (from the remote it was pushed to), "
              "then select it again.")
        .arg(version.shortId(), m_dataset.path);
}

void DataDetailPanel::showVersion(const DatasetEntry &dataset, const DataVersion &version)
{
    m_dataset = dataset;
    m_version = version;
    const QString title = version.isWorkspace() ? tr("%1 in the workspace").arg(dataset.path)
                                                : tr("%1 at %2").arg(dataset.path, version.shortId());
    const quint64 request = beginRequest(title, [this, dataset, version] { showVersion(dataset, version); });
    if (!version.isAvailable()) {
        showMessage(notAvailableText(version));
    } else if (dataset.isDirectory) {
        listDirectory(request, version);
    } else if (!isTablePath(dataset.path)) {
        showMessage(tr("Statistics are computed for CSV and TSV files.\n%1: %2, md5 %3")
                        .arg(dataset.path, statformat::bytes(version.size), version.md5));
    } else {
        profileVersion(request, version);
    }
}

void DataDetailPanel::profileVersion(quint64 request, const DataVersion &version)
{
    const QString label = tr("%1 at %2").arg(m_dataset.path, version.shortId());
    const ProfileSource source{version.md5, version.contentPath, label, isTsvPath(m_dataset.path)};
    if (ProfilePtr profile = m_store->cached(source.key)) {
        m_stats->setProfile(profile);
        m_pages->setCurrentWidget(m_stats);
        return;
    }
    showMessage(tr("Computing the statistics of %1…").arg(label));
    const QString key = source.key;
    m_header->track(m_store->fetch({source}, tr("Profiling %1").arg(label), this, [this, request, key](const Status &status) {
        if (!isCurrent(request))
            return; // the user has moved on; the profile is in the store for later
        m_header->finish();
        if (!status) {
            showFailure(status);
            return;
        }
        m_stats->setProfile(m_store->cached(key));
        m_pages->setCurrentWidget(m_stats);
    }));
}

void DataDetailPanel::runRequestJob(quint64 request, const QString &title, std::function<Status(common::JobContext &)> work,
                                    std::function<void()> show)
{
    auto *job = new common::Job(title, std::move(work), this);
    connect(job, &common::Job::finished, this, [this, job, request, show = std::move(show)](const Status &status) {
        job->deleteLater();
        if (!isCurrent(request))
            return;
        m_header->finish();
        if (!status) {
            showFailure(status);
            return;
        }
        show();
    });
    job->start();
    m_header->track(job);
}

void DataDetailPanel::listDirectory(quint64 request, const DataVersion &version)
{
    showMessage(tr("Reading the files of %1…").arg(m_dataset.path));
    auto files = std::make_shared<QVector<ContentFile>>();
    runRequestJob(
        request, tr("Listing %1").arg(m_dataset.path),
        [root = m_root, dataset = m_dataset, version, files](common::JobContext &ctx) -> Status {
            ORRERY_ASSIGN_OR_RETURN(auto listed, dataworker::listVersionFiles(root, dataset, version, &ctx));
            *files = std::move(listed);
            return Status::ok();
        },
        [this, files] {
            m_directory->setFiles(*files);
            m_pages->setCurrentWidget(m_directory);
        });
}

void DataDetailPanel::onDirectoryFileSelected(int row)
{
    if (row < 0 || row >= m_directory->fileModel()->rowCount())
        return;
    const ContentFile file = m_directory->fileModel()->fileAt(row);
    const QString path = m_dataset.path + QLatin1Char('/') + file.relpath;
    if (!isTablePath(file.relpath)) {
        m_directory->showNote(tr("Statistics are computed for CSV and TSV files.\n%1: %2").arg(file.relpath, statformat::bytes(file.size)));
        return;
    }
    if (file.contentPath.isEmpty()) {
        m_directory->showNote(tr("%1 is not in the cache — pull it with `orrery-cli data pull %2`.").arg(file.relpath, m_dataset.path));
        return;
    }
    const quint64 request = beginRequest(m_version.isWorkspace() ? tr("%1 in the workspace").arg(path)
                                                                 : tr("%1 at %2").arg(path, m_version.shortId()),
                                         {});
    const ProfileSource source{file.md5, file.contentPath, tr("%1 at %2").arg(path, m_version.shortId()), isTsvPath(file.relpath)};
    if (ProfilePtr profile = m_store->cached(source.key)) {
        m_directory->showStats(profile);
        return;
    }
    m_directory->showNote(tr("Computing the statistics of %1…").arg(file.relpath));
    const QString key = source.key;
    m_header->track(m_store->fetch({source}, tr("Profiling %1").arg(source.label), this, [this, request, key](const Status &status) {
        if (!isCurrent(request))
            return;
        m_header->finish();
        if (!status)
            m_directory->showNote(status.code() == ErrorCode::Cancelled ? tr("Cancelled.") : status.message());
        else
            m_directory->showStats(m_store->cached(key));
    }));
}

void DataDetailPanel::showComparison(const DatasetEntry &dataset, const DataVersion &older, const DataVersion &newer)
{
    m_dataset = dataset;
    m_older = older;
    m_version = newer;
    const quint64 request = beginRequest(tr("%1: %2 → %3").arg(dataset.path, versionLabel(older), versionLabel(newer)),
                                         [this, dataset, older, newer] { showComparison(dataset, older, newer); });
    if (!older.isAvailable() || !newer.isAvailable()) {
        showMessage(notAvailableText(older.isAvailable() ? newer : older));
    } else if (older.md5 == newer.md5) {
        showMessage(tr("The two versions hold the same content (md5 %1).").arg(newer.md5));
    } else if (dataset.isDirectory) {
        compareDirectories(request, older, newer);
    } else if (!isTablePath(dataset.path)) {
        showMessage(tr("Statistics are compared for CSV and TSV files.\n%1: %2 → %3")
                        .arg(dataset.path, statformat::bytes(older.size), statformat::bytes(newer.size)));
    } else {
        compareTables(request, wholeFile(dataset, older), wholeFile(dataset, newer), false);
    }
}

void DataDetailPanel::compareTables(quint64 request, const ContentFile &before, const ContentFile &after, bool insideDirectory)
{
    const QString path = insideDirectory ? m_dataset.path + QLatin1Char('/') + after.relpath : m_dataset.path;
    const bool tsv = isTsvPath(path);
    const QVector<ProfileSource> sources{{before.md5, before.contentPath, tr("%1 at %2").arg(path, m_older.shortId()), tsv},
                                         {after.md5, after.contentPath, tr("%1 at %2").arg(path, m_version.shortId()), tsv}};
    const auto show = [this, insideDirectory, before, after] {
        if (insideDirectory) {
            m_directoryDiff->showDiff(m_store->cached(before.md5), m_store->cached(after.md5));
        } else {
            m_diff->setProfiles(m_store->cached(before.md5), m_store->cached(after.md5));
            m_pages->setCurrentWidget(m_diff);
        }
    };
    common::Job *job = m_store->fetch(sources, tr("Comparing %1").arg(path), this, [this, request, show, insideDirectory](const Status &status) {
        if (!isCurrent(request))
            return;
        m_header->finish();
        if (status)
            show();
        else if (insideDirectory)
            m_directoryDiff->showNote(status.code() == ErrorCode::Cancelled ? tr("Cancelled.") : status.message());
        else
            showFailure(status);
    });
    if (!job) {
        show(); // both were in the store
        return;
    }
    if (insideDirectory)
        m_directoryDiff->showNote(tr("Computing the statistics of both versions…"));
    else
        showMessage(tr("Computing the statistics of both versions…"));
    m_header->track(job);
}

void DataDetailPanel::compareDirectories(quint64 request, const DataVersion &older, const DataVersion &newer)
{
    showMessage(tr("Comparing the files of both versions…"));
    auto changes = std::make_shared<QVector<FileChange>>();
    runRequestJob(
        request, tr("Comparing %1").arg(m_dataset.path),
        [root = m_root, dataset = m_dataset, older, newer, changes](common::JobContext &ctx) -> Status {
            ORRERY_ASSIGN_OR_RETURN(auto before, dataworker::listVersionFiles(root, dataset, older, &ctx));
            ORRERY_ASSIGN_OR_RETURN(auto after, dataworker::listVersionFiles(root, dataset, newer, &ctx));
            *changes = dataworker::compareFiles(before, after);
            return Status::ok();
        },
        [this, changes] {
            m_directoryDiff->setChanges(*changes);
            m_pages->setCurrentWidget(m_directoryDiff);
        });
}

void DataDetailPanel::onDirectoryChangeSelected(int row)
{
    if (row < 0 || row >= m_directoryDiff->changeModel()->rowCount())
        return;
    const FileChange change = m_directoryDiff->changeModel()->changeAt(row);
    if (change.kind != FileChange::Modified || !isTablePath(change.relpath)) {
        m_directoryDiff->showNote(change.kind == FileChange::Modified
                                      ? tr("%1 changed; statistics are compared for CSV and TSV files.").arg(change.relpath)
                                      : tr("%1 was %2: select one version alone to see its statistics.")
                                            .arg(change.relpath, FileChangeModel::kindName(change.kind)));
        return;
    }
    if (change.before.contentPath.isEmpty() || change.after.contentPath.isEmpty()) {
        m_directoryDiff->showNote(tr("A version of %1 is not in the cache — pull it with `orrery-cli data pull %2`.")
                                      .arg(change.relpath, m_dataset.path));
        return;
    }
    const quint64 request = beginRequest(tr("%1/%2: %3 → %4").arg(m_dataset.path, change.relpath, versionLabel(m_older), versionLabel(m_version)), {});
    compareTables(request, change.before, change.after, true);
}

} // namespace orrery::ui
